// libFuzzer target: any byte string through every pattern family.
// Checks: strict mode accepts exactly the valid UTF-8 (error offset = first invalid byte);
// pieces tile the input; decode(encode(x)) == x; count == encode size; count_until agrees;
// each piece's fast merge equals a plain quadratic reference merge; lossy mode never throws and
// decodes to the repaired text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "reference_bpe.hpp"
#include "tokenmaxx/token.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  __builtin_trap();
  (void)what;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto encodings = [] {
    std::vector<std::shared_ptr<const tokenmaxx::encoding>> e;
    for (const char* n : {"r50k_base", "cl100k_base", "o200k_base"}) e.push_back(tokenmaxx::get_encoding(n));
    return e;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t bad = tokenmaxx::base::first_invalid_utf8(text);
  for (const auto& enc : encodings) {
    if (bad != std::string_view::npos) {
      try {
        enc->count(text);
        fail("invalid UTF-8 accepted");
      } catch (const tokenmaxx::invalid_utf8_error& e) {
        if (e.offset() != bad) fail("wrong offset");
      }
      const std::string repaired = tokenmaxx::base::replace_invalid_utf8(text);
      const auto ids = enc->encode_ordinary(text, tokenmaxx::utf8_policy::replace);
      if (enc->decode(ids) != repaired) fail("lossy round trip");
      continue;
    }
    const auto ids = enc->encode_ordinary(text);
    if (enc->decode(ids) != text) fail("round trip");
    if (enc->count(text) != ids.size()) fail("count");
    const std::size_t limit = size % 7;
    if (enc->count_until(text, limit) != std::min(ids.size(), limit + 1)) fail("count_until");
    std::size_t expected_next = 0;
    std::vector<tokenmaxx::rank_t> via_reference;
    enc->for_each_piece(text, [&](std::size_t b, std::size_t e) {
      if (b != expected_next || e <= b || e > size) fail("pieces do not tile the input");
      expected_next = e;
      for (auto r : tokenmaxx_test::reference_merge(enc->vocab(), text.substr(b, e - b))) via_reference.push_back(r);
    });
    if (expected_next != size) fail("pieces do not cover the input");
    if (via_reference != ids) fail("merge differs from the reference merge");
  }
  return 0;
}

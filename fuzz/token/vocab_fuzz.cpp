// libFuzzer target: the rank-file parser either builds a consistent vocabulary or throws
// vocab_error; it never crashes, hangs or accepts duplicate ranks or tokens.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenmaxx/token/vocab.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view contents(reinterpret_cast<const char*>(data), size);
  try {
    const auto v = tokenmaxx::vocabulary::parse(contents, "fuzz");
    for (tokenmaxx::rank_t r = 0; r <= v.max_rank(); ++r) {
      if (auto b = v.bytes_of(r)) {
        if (v.find(*b) != r) __builtin_trap();  // every token must look up to its own rank
      }
    }
  } catch (const tokenmaxx::vocab_error&) {
  }
  return 0;
}

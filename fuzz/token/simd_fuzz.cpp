// Differential fuzzer of the fast tokenizer paths against the reference paths, on arbitrary bytes:
//  - every block classifier compiled into this binary (scalar, SSE2, SSE4.2, AVX2 when the CPU runs
//    it; the target is compiled with -mavx2 so xsimd offers all three) gives the same class bitmasks
//    for every 64-byte window of the input;
//  - the pretokenizer over masked_text with each classifier gives exactly the pieces of the
//    reference scalar_text, for all three pattern families;
//  - count and encode_ordinary (piece cache, pipeline, linear merge for long pieces) equal the
//    reference merge of each reference piece, for r50k, cl100k and o200k;
//  - the streaming counter fed in the fuzzer's chunks equals count.
// Invalid UTF-8 is first repaired with base::replace_invalid_utf8 (the rules assume valid input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "reference_bpe.hpp"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/detail/scalar_pretokenizer.hpp"
#include "tokenmaxx/token/detail/simd_classify.hpp"

namespace {

using namespace tokenmaxx::token_detail;

struct classifier {
  const char* name;
  block_classifier fn;
};

std::vector<classifier> classifiers() {
  std::vector<classifier> out{{"scalar", &classify_block_scalar}};
#if XSIMD_WITH_SSE2
  out.push_back({"sse2", &compile_time_isa::classify_block<xsimd::sse2>});
#endif
#if XSIMD_WITH_SSE4_2
  if (__builtin_cpu_supports("sse4.2")) out.push_back({"sse4.2", &compile_time_isa::classify_block<xsimd::sse4_2>});
#endif
#if XSIMD_WITH_AVX2
  if (__builtin_cpu_supports("avx2")) out.push_back({"avx2", &compile_time_isa::classify_block<xsimd::avx2>});
#endif
  return out;
}

template <class Text>
std::vector<std::size_t> piece_ends(tokenmaxx::pretokenizer_family f, Text& t) {
  std::vector<std::size_t> ends;
  for (std::size_t i = 0; i < t.n;) {
    const std::size_t e = piece_end(f, t, i);
    if (e <= i || e > t.n) __builtin_trap();
    ends.push_back(e);
    i = e;
  }
  return ends;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<classifier> all = classifiers();
  static const auto encodings = [] {
    std::vector<std::shared_ptr<const tokenmaxx::encoding>> out;
    for (const char* name : {"r50k_base", "cl100k_base", "o200k_base"}) out.push_back(tokenmaxx::get_encoding(name));
    return out;
  }();
  const std::string raw(reinterpret_cast<const char*>(data), size);

  // Class bitmasks: every window, every classifier.
  for (std::size_t at = 0; at + block_bytes <= raw.size(); at += 7) {
    block_masks want;
    classify_block_scalar(data + at, want);
    for (const classifier& c : all) {
      block_masks got;
      c.fn(data + at, got);
      if (std::memcmp(&want, &got, sizeof want) != 0) __builtin_trap();
    }
  }

  const std::string text = tokenmaxx::base::replace_invalid_utf8(raw);
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  for (const auto& enc : encodings) {
    scalar_text reference{s, text.size()};
    const std::vector<std::size_t> want_ends = piece_ends(enc->family(), reference);
    for (const classifier& c : all) {
      masked_text fast(s, text.size(), c.fn);
      if (piece_ends(enc->family(), fast) != want_ends) __builtin_trap();
    }
    // Tokens: the reference merge of every reference piece.
    std::vector<tokenmaxx::rank_t> want;
    std::size_t begin = 0;
    for (std::size_t end : want_ends) {
      const std::string_view piece(text.data() + begin, end - begin);
      for (tokenmaxx::rank_t r : tokenmaxx_test::reference_merge(enc->vocab(), piece)) want.push_back(r);
      begin = end;
    }
    if (enc->encode_ordinary(text) != want) __builtin_trap();
    if (enc->count(text) != want.size()) __builtin_trap();
    // Streaming in chunks whose sizes come from the input's own bytes.
    tokenmaxx::token_counter counter(enc, tokenmaxx::utf8_policy::replace);
    for (std::size_t pos = 0, k = 0; pos < raw.size(); ++k) {
      const std::size_t len = std::min<std::size_t>(raw.size() - pos, 1 + (data[k % size] % 13));
      counter.append(std::string_view(raw).substr(pos, len));
      pos += len;
    }
    if (counter.count() != want.size()) __builtin_trap();
  }
  return 0;
}

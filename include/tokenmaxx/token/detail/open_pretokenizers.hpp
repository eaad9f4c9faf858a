// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// Hand-written scanners for the open-model patterns, written like scalar_pretokenizer.hpp's over
// the same `Text` oracle (so they get the SIMD fast path of masked_text) and from its helpers.
// Each follows its regex's alternatives in order, with the regex engine's backtracking rules.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tokenmaxx/token/detail/scalar_pretokenizer.hpp"

namespace tokenmaxx::token_detail {

// Llama 3 (and cl100k before tiktoken 0.6):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//   \s*[\r\n]+|\s+(?!\S)|\s+
// The same pieces as cl100k's scanner except at the end of the text: there is no \s++$, so a
// final whitespace run that holds a newline ends after its last newline, as everywhere else.
// (Without possessives the engine may backtrack, but no backtrack finds a different match: the
// optional prefix is never a letter, and the greedy runs are followed by nothing that could fail.)
template <class Text>
std::size_t llama3_piece_end(Text& t, std::size_t i) {
  return cl100k_piece_end<Text, /*whitespace_to_end_is_one_piece=*/false>(t, i);
}

// Mistral tekken: o200k's two word alternatives without the contraction suffix, \p{N} (one code
// point), then o200k's ` ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
template <class Text>
std::size_t tekken_piece_end(Text& t, std::size_t i) {
  std::size_t len;
  const std::uint8_t c = t.class_at(i, len);
  if (c == cls_number) return i + len;
  if (std::size_t m = o200k_word_end<Text, false>(t, i, c, len)) return m;
  if (std::size_t k = punctuation_run_end(t, i, c, true)) return k;
  const space_run r = t.scan_space_run(i);
  if (r.after_last_newline) return r.after_last_newline;
  return space_run_lookahead_end(r, i, t.n);
}

}  // namespace tokenmaxx::token_detail

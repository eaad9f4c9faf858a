// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
// Hand-written pretokenizers that split text exactly as tiktoken's regex patterns do, without a
// regex engine. Each scanner is a pure function `piece_end(s, n, i)` returning the end of the
// piece that starts at byte i of the valid UTF-8 buffer s[0, n); pieces tile the input. Work per
// piece is linear in the bytes the regex engine would examine, so hostile inputs stay linear.
//
// The alternatives are tried in the pattern's order and each one follows the regex engine's
// backtracking rules (greedy, possessive where the pattern says ++ or ?+, first match wins).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tokenmaxx/token/detail/unicode.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"

namespace tokenmaxx::token_detail {


// Class of the code point at i, or the sentinel end_class past the end of the buffer.
inline constexpr std::uint8_t end_class = 15;
inline std::uint8_t peek_class(const std::uint8_t* s, std::size_t n, std::size_t i, std::size_t& len) {
  if (i >= n) {
    len = 0;
    return end_class;
  }
  return class_at(s, i, len);
}

// End of the longest run of code points whose class is in `set`, starting at i.
inline std::size_t run_end(const std::uint8_t* s, std::size_t n, std::size_t i, std::uint16_t set) {
  while (i < n) {
    const std::uint8_t b = s[i];
    if (b < 0x80) {
      if (!in_set(set, ascii_class[b])) break;
      ++i;
      continue;
    }
    std::size_t len;
    if (!in_set(set, class_at(s, i, len))) break;
    i += len;
  }
  return i;
}

// Facts about the whitespace run starting at i, as the trailing alternatives of every pattern
// need them.
struct space_run {
  std::size_t end;         // end of the maximal run
  std::size_t last_start;  // start of its last code point
  std::size_t after_last_newline;  // end of its last \r or \n, 0 if none
};
inline space_run scan_space_run(const std::uint8_t* s, std::size_t n, std::size_t i) {
  space_run r{i, i, 0};
  while (i < n) {
    std::size_t len;
    if (class_at(s, i, len) != cls_space) break;
    if (s[i] == '\r' || s[i] == '\n') r.after_last_newline = i + 1;
    r.last_start = i;
    i += len;
  }
  r.end = i;
  return r;
}

// `\s+(?!\S)` then `\s` (or `\s+`): a run followed by a non-space gives back its last code point.
inline std::size_t space_run_lookahead_end(const space_run& r, std::size_t i, std::size_t n) {
  if (r.end == n) return n;
  if (r.last_start > i) return r.last_start;
  return r.end;
}

inline bool is_ascii_ci(std::uint8_t b, char lower) { return (b | 0x20) == std::uint8_t(lower); }

// Case-insensitive contraction after an apostrophe at s[i]: 's 'd 'm 't 'll 've 're (and the long
// s, U+017F, which case-folds to s). Returns the contraction's length, 0 if none. cl100k and
// o200k list the same suffixes.
inline std::size_t contraction_length_ci(const std::uint8_t* s, std::size_t n, std::size_t i) {
  if (i >= n || s[i] != '\'') return 0;
  if (i + 1 >= n) return 0;
  const std::uint8_t a = s[i + 1];
  if (is_ascii_ci(a, 's') || is_ascii_ci(a, 't')) return 2;
  if (a == 0xC5 && i + 2 < n && s[i + 2] == 0xBF) return 3;  // 'ſ
  if (is_ascii_ci(a, 'd') || is_ascii_ci(a, 'm')) return 2;
  if (i + 2 < n) {
    const std::uint8_t b = s[i + 2];
    if ((is_ascii_ci(a, 'l') && is_ascii_ci(b, 'l')) || (is_ascii_ci(a, 'v') && is_ascii_ci(b, 'e')) ||
        (is_ascii_ci(a, 'r') && is_ascii_ci(b, 'e')))
      return 3;
  }
  return 0;
}

// r50k/p50k: '(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s
inline std::size_t gpt2_piece_end(const std::uint8_t* s, std::size_t n, std::size_t i) {
  const std::uint8_t b0 = s[i];
  if (b0 == '\'' && i + 1 < n) {  // case-sensitive contractions
    const std::uint8_t a = s[i + 1];
    if (a == 's' || a == 'd' || a == 'm' || a == 't') return i + 2;
    if (i + 2 < n) {
      const std::uint8_t b = s[i + 2];
      if ((a == 'l' && b == 'l') || (a == 'v' && b == 'e') || (a == 'r' && b == 'e')) return i + 3;
    }
  }
  std::size_t len;
  std::uint8_t c = class_at(s, i, len);
  std::size_t j = i;
  if (b0 == ' ') {
    std::size_t len2;
    const std::uint8_t c2 = peek_class(s, n, i + 1, len2);
    if (c2 != end_class && c2 != cls_space) {
      j = i + 1;
      c = c2;
    }
  }
  if (in_set(letter_classes, c)) return run_end(s, n, j, letter_classes);
  if (c == cls_number) return run_end(s, n, j, set_of({cls_number}));
  if (c != cls_space) return run_end(s, n, j, punctuation_classes);
  return space_run_lookahead_end(scan_space_run(s, n, i), i, n);
}

// `\p{N}{1,3}` after its first code point, which ends at j.
inline std::size_t digit_group_end(const std::uint8_t* s, std::size_t n, std::size_t j) {
  for (int k = 1; k < 3; ++k) {
    std::size_t l;
    if (peek_class(s, n, j, l) != cls_number) break;
    j += l;
  }
  return j;
}

// ` ?[^\s\p{L}\p{N}]+` followed by `[\r\n]*` (cl100k) or `[\r\n/]*` (o200k); 0 when it does not
// match at i, whose class is c.
inline std::size_t punctuation_run_end(const std::uint8_t* s, std::size_t n, std::size_t i, std::uint8_t c,
                                       bool slash_in_tail) {
  std::size_t j = i;
  if (s[i] == ' ') {
    std::size_t len2;
    const std::uint8_t c2 = peek_class(s, n, i + 1, len2);
    if (in_set(punctuation_classes, c2)) {
      j = i + 1;
      c = c2;
    }
  }
  if (!in_set(punctuation_classes, c)) return 0;
  std::size_t k = run_end(s, n, j, punctuation_classes);
  while (k < n && (s[k] == '\r' || s[k] == '\n' || (slash_in_tail && s[k] == '/'))) ++k;
  return k;
}

// cl100k: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
//         ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
inline std::size_t cl100k_piece_end(const std::uint8_t* s, std::size_t n, std::size_t i) {
  const std::uint8_t b0 = s[i];
  if (b0 == '\'') {
    if (std::size_t k = contraction_length_ci(s, n, i)) return i + k;
  }
  std::size_t len;
  const std::uint8_t c = class_at(s, i, len);
  if (in_set(letter_classes, c)) return run_end(s, n, i + len, letter_classes);
  if (c != cls_number && b0 != '\r' && b0 != '\n') {
    std::size_t len2;
    if (in_set(letter_classes, peek_class(s, n, i + len, len2))) return run_end(s, n, i + len + len2, letter_classes);
  }
  if (c == cls_number) return digit_group_end(s, n, i + len);
  if (std::size_t k = punctuation_run_end(s, n, i, c, false)) return k;
  const space_run r = scan_space_run(s, n, i);
  if (r.end == n) return n;                                // \s++$
  if (r.after_last_newline) return r.after_last_newline;   // \s*[\r\n]
  return space_run_lookahead_end(r, i, n);                 // \s+(?!\S) | \s
}

// o200k: the word alternatives with backtracking (see below), \p{N}{1,3},
//  ?[^\s\p{L}\p{N}]+[\r\n/]*, \s*[\r\n]+, \s+(?!\S), \s+
//
// Word alternative 1: [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]*[Ll Lm Lo M]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
// Word alternative 2: [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]+[Ll Lm Lo M]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
// Neither is possessive, so the engine backtracks: into the optional prefix (which matters when
// the prefix is itself a mark) and into the upper-case run (to find a lower-case-class code point).
inline std::size_t o200k_word_end(const std::uint8_t* s, std::size_t n, std::size_t i,
                                  std::uint8_t c, std::size_t len) {
  const bool prefix_ok = !in_set(letter_classes, c) && c != cls_number && s[i] != '\r' && s[i] != '\n';
  // Alternative 1, prefix taken first, then without it.
  for (int take_prefix = prefix_ok ? 1 : 0; take_prefix >= 0; --take_prefix) {
    const std::size_t j = take_prefix ? i + len : i;
    // Greedy upper-ish run from j; remember the last code point that is also lower-ish.
    std::size_t k = j, last_lowerish_end = 0;
    while (k < n) {
      std::size_t l;
      const std::uint8_t ck = class_at(s, k, l);
      if (!in_set(upperish_classes, ck)) break;
      if (in_set(lowerish_classes, ck)) last_lowerish_end = k + l;
      k += l;
    }
    std::size_t m = 0;
    std::size_t l;
    if (peek_class(s, n, k, l) == cls_ll) {
      m = run_end(s, n, k, lowerish_classes);  // the whole upper run, then the lower-ish run
    } else if (last_lowerish_end) {
      m = last_lowerish_end;  // backtrack: the last lower-ish code point ends the piece
    }
    if (m) return m + contraction_length_ci(s, n, m);
  }
  // Alternative 2.
  for (int take_prefix = prefix_ok ? 1 : 0; take_prefix >= 0; --take_prefix) {
    const std::size_t j = take_prefix ? i + len : i;
    const std::size_t k = run_end(s, n, j, upperish_classes);
    if (k == j) continue;
    const std::size_t m = run_end(s, n, k, lowerish_classes);
    return m + contraction_length_ci(s, n, m);
  }
  return 0;
}

inline std::size_t o200k_piece_end(const std::uint8_t* s, std::size_t n, std::size_t i) {
  std::size_t len;
  const std::uint8_t c = class_at(s, i, len);
  if (c != cls_number) {
    if (std::size_t m = o200k_word_end(s, n, i, c, len)) return m;
  } else {
    return digit_group_end(s, n, i + len);
  }
  if (std::size_t k = punctuation_run_end(s, n, i, c, true)) return k;
  const space_run r = scan_space_run(s, n, i);
  if (r.after_last_newline) return r.after_last_newline;  // \s*[\r\n]+
  return space_run_lookahead_end(r, i, n);                // \s+(?!\S) | \s+
}

inline std::size_t piece_end(pretokenizer_family f, const std::uint8_t* s, std::size_t n, std::size_t i) {
  switch (f) {
    case pretokenizer_family::gpt2: return gpt2_piece_end(s, n, i);
    case pretokenizer_family::cl100k: return cl100k_piece_end(s, n, i);
    case pretokenizer_family::o200k: return o200k_piece_end(s, n, i);
  }
  return n;
}

}  // namespace tokenmaxx::token_detail

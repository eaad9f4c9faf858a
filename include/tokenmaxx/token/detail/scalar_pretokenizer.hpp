// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// Hand-written pretokenizers that split text exactly as tiktoken's regex patterns do, without a
// regex engine. Each rule `<family>_piece_end(text, i)` returns the end of the piece that starts at
// byte i of valid UTF-8; pieces tile the input. The alternatives are tried in the pattern's order
// and each one follows the regex engine's backtracking rules (greedy, possessive where the pattern
// says ++ or ?+, first match wins). Work per piece is linear in the bytes the regex engine would
// examine, so hostile inputs stay linear.
//
// The rules are written once, over a `Text` that answers three questions: the class of the code
// point at i, the end of a run of code points whose classes are in a set, and the shape of a
// whitespace run. `scalar_text` answers them one code point at a time (the reference);
// `masked_text` answers runs of ASCII from per-block class bitmasks computed with SIMD
// (block_masks.hpp), falling back to the code-point path at the first non-ASCII byte. Both give the
// same answers, so both give the same pieces (the differential fuzzer checks it).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "tokenmaxx/token/detail/block_masks.hpp"
#include "tokenmaxx/token/detail/unicode.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"

namespace tokenmaxx::token_detail {

// The class of a position past the end of the buffer.
inline constexpr std::uint8_t end_class = 15;

// Facts about the whitespace run starting at i, as the trailing alternatives of every pattern
// need them.
struct space_run {
  std::size_t end;                 // end of the maximal run
  std::size_t last_start;          // start of its last code point
  std::size_t after_last_newline;  // end of its last \r or \n, 0 if none
};

// The reference Text: one code point at a time.
struct scalar_text {
  const std::uint8_t* s;
  std::size_t n;

  std::uint8_t class_at(std::size_t i, std::size_t& len) const { return token_detail::class_at(s, i, len); }

  // End of the longest run of code points whose class is in `Set`, starting at i.
  template <std::uint16_t Set>
  std::size_t run(std::size_t i) const {
    return run_end(i, Set);
  }
  std::size_t run_end(std::size_t i, std::uint16_t set) const {
    while (i < n) {
      const std::uint8_t b = s[i];
      if (b < 0x80) {
        if (!in_set(set, ascii_class[b])) break;
        ++i;
        continue;
      }
      std::size_t len;
      if (!in_set(set, token_detail::class_at(s, i, len))) break;
      i += len;
    }
    return i;
  }

  space_run scan_space_run(std::size_t i) const {
    space_run r{i, i, 0};
    while (i < n) {
      std::size_t len;
      if (token_detail::class_at(s, i, len) != cls_space) break;
      if (s[i] == '\r' || s[i] == '\n') r.after_last_newline = i + 1;
      r.last_start = i;
      i += len;
    }
    r.end = i;
    return r;
  }
};

// The fast Text: runs of ASCII come from the class bitmasks of 64-byte blocks (one classifier call
// per block, kept while the scan stays in it), everything else from the code-point path.
class masked_text {
 public:
  const std::uint8_t* s;
  std::size_t n;

  masked_text(const std::uint8_t* text, std::size_t size, block_classifier classify) noexcept
      : s(text), n(size), classify_(classify) {}

  std::uint8_t class_at(std::size_t i, std::size_t& len) const { return token_detail::class_at(s, i, len); }

  template <std::uint16_t Set>
  [[gnu::always_inline]] std::size_t run(std::size_t i) {
    while (i < n) {
      const block_masks& m = masks_of(i / block_bytes);
      std::uint64_t members = 0;  // the ASCII bytes of the block whose class is in Set
      if constexpr (in_set(Set, cls_lu)) members |= m.upper;
      if constexpr (in_set(Set, cls_ll)) members |= m.lower;
      if constexpr (in_set(Set, cls_number)) members |= m.digit;
      if constexpr (in_set(Set, cls_space)) members |= m.space;
      if constexpr (in_set(Set, cls_other)) members |= m.other();
      const std::size_t offset = i % block_bytes;
      const std::uint64_t stops = ~members >> offset;
      if (stops == 0) {  // the run continues to the end of the block
        i += block_bytes - offset;
        continue;
      }
      i += static_cast<std::size_t>(std::countr_zero(stops));
      if (i >= n) return n;
      if (s[i] < 0x80) return i;  // an ASCII byte outside the set ends the run
      std::size_t len;
      if (!in_set(Set, token_detail::class_at(s, i, len))) return i;
      i += len;  // a non-ASCII member: continue after it
    }
    return n;
  }

  space_run scan_space_run(std::size_t i) {
    space_run r{i, i, 0};
    while (i < n) {
      const std::size_t ascii_end = run_end_ascii_space(i);
      if (ascii_end > i) {
        for (std::size_t k = ascii_end; k-- > i;) {  // the last newline of the ASCII part, if any
          if (s[k] == '\r' || s[k] == '\n') {
            r.after_last_newline = k + 1;
            break;
          }
        }
        r.last_start = ascii_end - 1;
        i = ascii_end;
        if (i >= n || s[i] < 0x80) break;
      }
      std::size_t len;
      if (token_detail::class_at(s, i, len) != cls_space) break;
      r.last_start = i;
      i += len;
    }
    r.end = i;
    return r;
  }

 private:
  // End of the run of ASCII whitespace bytes starting at i.
  std::size_t run_end_ascii_space(std::size_t i) {
    while (i < n) {
      const block_masks& m = masks_of(i / block_bytes);
      const std::size_t offset = i % block_bytes;
      const std::uint64_t stops = ~m.space >> offset;
      if (stops == 0) {
        i += block_bytes - offset;
        continue;
      }
      i += static_cast<std::size_t>(std::countr_zero(stops));
      return i < n ? i : n;
    }
    return n;
  }

  [[gnu::always_inline]] const block_masks& masks_of(std::size_t block) {
    if (block != block_) [[unlikely]] {
      block_ = block;
      const std::size_t begin = block * block_bytes;
      if (begin + block_bytes <= n) {
        classify_(s + begin, masks_);
      } else {  // the last, partial block: classify a zero-padded copy (bits past n are never used)
        std::uint8_t tail[block_bytes] = {};
        std::memcpy(tail, s + begin, n - begin);
        classify_(tail, masks_);
      }
    }
    return masks_;
  }

  block_classifier classify_;
  std::size_t block_ = std::numeric_limits<std::size_t>::max();
  block_masks masks_;
};

template <class Text>
std::uint8_t peek_class(Text& t, std::size_t i, std::size_t& len) {
  if (i >= t.n) {
    len = 0;
    return end_class;
  }
  return t.class_at(i, len);
}

// `\s+(?!\S)` then `\s` (or `\s+`): a run followed by a non-space gives back its last code point.
inline std::size_t space_run_lookahead_end(const space_run& r, std::size_t i, std::size_t n) {
  if (r.end == n) return n;
  if (r.last_start > i) return r.last_start;
  return r.end;
}

inline bool is_ascii_ci(std::uint8_t b, char lower) { return (b | 0x20) == std::uint8_t(lower); }
inline bool is_ascii_letter(std::uint8_t b) { return std::uint8_t((b | 0x20) - 'a') < 26; }

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
template <class Text>
std::size_t gpt2_piece_end(Text& t, std::size_t i) {
  const std::uint8_t* s = t.s;
  const std::size_t n = t.n;
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
  std::uint8_t c = t.class_at(i, len);
  std::size_t j = i;
  if (b0 == ' ') {
    std::size_t len2;
    const std::uint8_t c2 = peek_class(t, i + 1, len2);
    if (c2 != end_class && c2 != cls_space) {
      j = i + 1;
      c = c2;
    }
  }
  if (in_set(letter_classes, c)) return t.template run<letter_classes>(j);
  if (c == cls_number) return t.template run<set_of({cls_number})>(j);
  if (c != cls_space) return t.template run<punctuation_classes>(j);
  return space_run_lookahead_end(t.scan_space_run(i), i, n);
}

// `\p{N}{1,3}` after its first code point, which ends at j.
template <class Text>
std::size_t digit_group_end(Text& t, std::size_t j) {
  for (int k = 1; k < 3; ++k) {
    std::size_t l;
    if (peek_class(t, j, l) != cls_number) break;
    j += l;
  }
  return j;
}

// ` ?[^\s\p{L}\p{N}]+` followed by `[\r\n]*` (cl100k) or `[\r\n/]*` (o200k); 0 when it does not
// match at i, whose class is c.
template <class Text>
std::size_t punctuation_run_end(Text& t, std::size_t i, std::uint8_t c, bool slash_in_tail) {
  const std::uint8_t* s = t.s;
  const std::size_t n = t.n;
  std::size_t j = i;
  if (s[i] == ' ') {
    std::size_t len2;
    const std::uint8_t c2 = peek_class(t, i + 1, len2);
    if (in_set(punctuation_classes, c2)) {
      j = i + 1;
      c = c2;
    }
  }
  if (!in_set(punctuation_classes, c)) return 0;
  std::size_t k = t.template run<punctuation_classes>(j);
  while (k < n && (s[k] == '\r' || s[k] == '\n' || (slash_in_tail && s[k] == '/'))) ++k;
  return k;
}

// cl100k: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
//         ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
// Llama 3's pattern (cl100k's before tiktoken 0.6) is the same without \s++$: with
// whitespace_to_end_is_one_piece false a final run ends after its last newline, as elsewhere.
template <class Text, bool whitespace_to_end_is_one_piece = true>
std::size_t cl100k_piece_end(Text& t, std::size_t i) {
  const std::uint8_t* s = t.s;
  const std::size_t n = t.n;
  const std::uint8_t b0 = s[i];
  if (b0 == '\'') {
    if (std::size_t k = contraction_length_ci(s, n, i)) return i + k;
  }
  std::size_t len;
  const std::uint8_t c = t.class_at(i, len);
  if (in_set(letter_classes, c)) return t.template run<letter_classes>(i + len);
  if (c != cls_number && b0 != '\r' && b0 != '\n') {
    std::size_t len2;
    if (in_set(letter_classes, peek_class(t, i + len, len2))) return t.template run<letter_classes>(i + len + len2);
  }
  if (c == cls_number) return digit_group_end(t, i + len);
  if (std::size_t k = punctuation_run_end(t, i, c, false)) return k;
  const space_run r = t.scan_space_run(i);
  if constexpr (whitespace_to_end_is_one_piece) {
    if (r.end == n) return n;                             // \s++$
  }
  if (r.after_last_newline) return r.after_last_newline;  // \s*[\r\n]
  return space_run_lookahead_end(r, i, n);                // \s+(?!\S) | \s
}

// o200k: the word alternatives with backtracking (see below), \p{N}{1,3},
//  ?[^\s\p{L}\p{N}]+[\r\n/]*, \s*[\r\n]+, \s+(?!\S), \s+
//
// Word alternative 1: [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]*[Ll Lm Lo M]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
// Word alternative 2: [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]+[Ll Lm Lo M]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
// Neither is possessive, so the engine backtracks: into the optional prefix (which matters when
// the prefix is itself a mark) and into the upper-case run (to find a lower-case-class code point).
// `Contractions` false drops the contraction suffix (Mistral tekken's variant of these alternatives).
template <class Text, bool Contractions = true>
std::size_t o200k_word_end(Text& t, std::size_t i, std::uint8_t c, std::size_t len) {
  const std::uint8_t* s = t.s;
  const std::size_t n = t.n;
  const bool prefix_ok = !in_set(letter_classes, c) && c != cls_number && s[i] != '\r' && s[i] != '\n';
  // ASCII fast path (most words of most text): an optional ASCII prefix, then an ASCII letter
  // whose upper-case run ends at an ASCII byte. Both alternatives then reduce to the upper run
  // followed by the lower-ish run (empty unless the run ends at a lower-case letter); any other
  // start is decided by the general rules below.
  if (s[i] < 0x80) {
    std::size_t j = i;
    if (!is_ascii_letter(s[i])) {
      if (!prefix_ok || i + 1 >= n) return 0;  // no letter can follow: neither alternative matches
      j = i + 1;
      if (s[j] < 0x80 && !is_ascii_letter(s[j])) return 0;
    }
    if (s[j] < 0x80) {
      const std::size_t upper_end = t.template run<set_of({cls_lu})>(j);
      if (upper_end >= n) return n;  // (s[j] is upper-case here: a lower-case one ends the run at j)
      if (s[upper_end] < 0x80) {
        const bool lower_follows = s[upper_end] >= 'a' && s[upper_end] <= 'z';
        const std::size_t m = lower_follows ? t.template run<lowerish_classes>(upper_end) : upper_end;
        return Contractions ? m + contraction_length_ci(s, n, m) : m;
      }
    }
  }
  // Alternative 1, prefix taken first, then without it.
  for (int take_prefix = prefix_ok ? 1 : 0; take_prefix >= 0; --take_prefix) {
    const std::size_t j = take_prefix ? i + len : i;
    // Greedy upper-ish run from j; remember the last code point that is also lower-ish. ASCII
    // upper-case letters are never lower-ish, so an all-ASCII stretch is skipped at once.
    std::size_t k = j, last_lowerish_end = 0;
    while (k < n) {
      if (s[k] < 0x80) {
        const std::size_t e = t.template run<set_of({cls_lu})>(k);
        if (e == k) break;
        k = e;
        continue;
      }
      std::size_t l;
      const std::uint8_t ck = t.class_at(k, l);
      if (!in_set(upperish_classes, ck)) break;
      if (in_set(lowerish_classes, ck)) last_lowerish_end = k + l;
      k += l;
    }
    std::size_t m = 0;
    std::size_t l;
    if (peek_class(t, k, l) == cls_ll) {
      m = t.template run<lowerish_classes>(k);  // the whole upper run, then the lower-ish run
    } else if (last_lowerish_end) {
      m = last_lowerish_end;  // backtrack: the last lower-ish code point ends the piece
    }
    if (m) return Contractions ? m + contraction_length_ci(s, n, m) : m;
  }
  // Alternative 2.
  for (int take_prefix = prefix_ok ? 1 : 0; take_prefix >= 0; --take_prefix) {
    const std::size_t j = take_prefix ? i + len : i;
    const std::size_t k = t.template run<upperish_classes>(j);
    if (k == j) continue;
    const std::size_t m = t.template run<lowerish_classes>(k);
    return Contractions ? m + contraction_length_ci(s, n, m) : m;
  }
  return 0;
}

template <class Text>
std::size_t o200k_piece_end(Text& t, std::size_t i) {
  std::size_t len;
  const std::uint8_t c = t.class_at(i, len);
  if (c != cls_number) {
    if (std::size_t m = o200k_word_end(t, i, c, len)) return m;
  } else {
    return digit_group_end(t, i + len);
  }
  if (std::size_t k = punctuation_run_end(t, i, c, true)) return k;
  const space_run r = t.scan_space_run(i);
  if (r.after_last_newline) return r.after_last_newline;  // \s*[\r\n]+
  return space_run_lookahead_end(r, i, t.n);              // \s+(?!\S) | \s+
}

template <class Text>
std::size_t piece_end(pretokenizer_family f, Text& t, std::size_t i) {
  switch (f) {
    case pretokenizer_family::gpt2: return gpt2_piece_end(t, i);
    case pretokenizer_family::cl100k: return cl100k_piece_end(t, i);
    case pretokenizer_family::o200k: return o200k_piece_end(t, i);
    case pretokenizer_family::llama3:  // open_pretokenizers.hpp
    case pretokenizer_family::tekken:
    case pretokenizer_family::regex: break;  // no scanner: pcre2_pattern.hpp
  }
  return t.n;
}

// The reference scanners over raw bytes (s[0, n) valid UTF-8), one code point at a time.
inline std::size_t gpt2_piece_end(const std::uint8_t* s, std::size_t n, std::size_t i) {
  scalar_text t{s, n};
  return gpt2_piece_end(t, i);
}
inline std::size_t cl100k_piece_end(const std::uint8_t* s, std::size_t n, std::size_t i) {
  scalar_text t{s, n};
  return cl100k_piece_end(t, i);
}
inline std::size_t o200k_piece_end(const std::uint8_t* s, std::size_t n, std::size_t i) {
  scalar_text t{s, n};
  return o200k_piece_end(t, i);
}
inline std::size_t piece_end(pretokenizer_family f, const std::uint8_t* s, std::size_t n, std::size_t i) {
  scalar_text t{s, n};
  return piece_end(f, t, i);
}

}  // namespace tokenmaxx::token_detail

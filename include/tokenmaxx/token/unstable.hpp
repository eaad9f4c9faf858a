// tokenmaxx/token/unstable.hpp: tiktoken's encode_with_unstable and _encode_bytes.
//
// tiktoken's two prefix-completion helpers, for tiktoken-compatible front ends (the Python
// package's `Encoding.encode_with_unstable` and `Encoding._encode_bytes`):
//
//  - `encode_with_unstable(text)` splits encode(text) into the tokens that no continuation of the
//    text can change ("stable") and the set of token sequences that may replace the rest once more
//    text arrives ("completions"), as tiktoken 0.14 computes them: every token that starts with the
//    unstable bytes, every re-tokenisation of those bytes followed by a token that could straddle
//    their end, and a split before a final whitespace character.
//  - `encode_bytes(bytes)` tokenizes bytes that may end in invalid UTF-8: the valid prefix is
//    encoded as text, then its last piece and the trailing bytes are byte-pair merged together.
//
// Both follow tiktoken's algorithm step by step, including its documented approximations, so the
// results equal tiktoken's (the Python tests compare them on random input). They are not on any
// counting path; `encode_with_unstable` is brute force by design (tiktoken's is too).
//
// Thread safety: pure functions over immutable inputs; a `sorted_token_bytes` borrows its
// vocabulary (which must outlive it) and may be shared between threads.
//
// Example:
//   auto enc = tokenmaxx::get_encoding("cl100k_base");
//   tokenmaxx::sorted_token_bytes sorted(enc->vocab());
//   tokenmaxx::unstable_encoding u = tokenmaxx::encode_with_unstable(*enc, sorted, "hello fan",
//                                                                     {}, tokenmaxx::special_set::all());
//   // u.stable == {15339}; u.completions holds every sequence that may follow " fan..."
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/base/status.hpp"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/token/detail/bpe.hpp"
#include "tokenmaxx/token/detail/unicode.hpp"
#include "tokenmaxx/token/encoding.hpp"

namespace tokenmaxx {

// tiktoken's byte_pair_encode: merges `piece` from single bytes without first looking the whole
// piece up (a token that its own merges never reach comes out as several tokens here).
inline std::vector<rank_t> byte_pair_encode(const vocabulary& vocab, std::string_view piece) {
  const token_detail::rank_table& table = vocab.table();
  std::vector<rank_t> out;
  const auto* p = reinterpret_cast<const std::uint8_t*>(piece.data());
  const auto push = [&](rank_t r) { out.push_back(r); };
  if (piece.size() == 1) {
    out.push_back(table.find(p, 1));
  } else if (piece.size() > token_detail::small_piece_bytes) {
    token_detail::bpe_merge_large(table, p, piece.size(), push);
  } else if (!piece.empty()) {
    token_detail::bpe_merge_small(table, p, piece.size(), push);
  }
  for (rank_t r : out)
    if (r == no_rank) base::raise(error("byte_pair_encode: the vocabulary lacks a single-byte token"));
  return out;
}

// Every mergeable token's bytes in byte order (tiktoken's sorted_token_bytes), for prefix search.
class sorted_token_bytes {
 public:
  explicit sorted_token_bytes(const vocabulary& vocab) {
    sorted_.reserve(vocab.size());
    for (rank_t r = 0; vocab.size() && r <= vocab.max_rank(); ++r)
      if (auto b = vocab.bytes_of(r)) sorted_.push_back(*b);
    std::sort(sorted_.begin(), sorted_.end());
  }
  // Calls f(token bytes) for every token that starts with `prefix`, in byte order.
  template <class F>
  void for_each_with_prefix(std::string_view prefix, F&& f) const {
    for (auto it = std::lower_bound(sorted_.begin(), sorted_.end(), prefix);
         it != sorted_.end() && it->starts_with(prefix); ++it)
      f(*it);
  }
  const std::vector<std::string_view>& all() const { return sorted_; }

 private:
  std::vector<std::string_view> sorted_;  // views into the vocabulary, which must outlive this
};

namespace token_detail {

// tiktoken's _increase_last_piece_token_len: when the last piece starts with a token made only of
// spaces, tabs and newlines, the tokens of that kind before it join the unstable tail (a split
// there, such as cl100k's \s*[\r\n]+, can disappear when text is appended).
inline std::size_t widen_last_piece_over_whitespace(const encoding& enc, const std::vector<rank_t>& tokens,
                                                    std::size_t last_piece_tokens) {
  const auto all_space = [&](rank_t r) {
    const auto b = enc.vocab().bytes_of(r);
    return b && std::all_of(b->begin(), b->end(), [](char c) { return c == ' ' || c == '\n' || c == '\t'; });
  };
  if (last_piece_tokens > 0 && all_space(tokens[tokens.size() - last_piece_tokens]))
    while (last_piece_tokens < tokens.size() && all_space(tokens[tokens.size() - last_piece_tokens - 1]))
      ++last_piece_tokens;
  return last_piece_tokens;
}

// Length of the last character of `bytes` if it is a valid UTF-8 sequence that is White_Space, else 0.
inline std::size_t trailing_whitespace_char_length(std::string_view bytes) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t n = bytes.size();
  for (std::size_t k = 1; k <= 4 && k <= n; ++k) {
    std::size_t bad = 0;
    if (base::utf8_sequence_length(s, n, n - k, bad) != k) continue;
    std::size_t len = 0;
    return class_at(s, n - k, len) == cls_space ? k : 0;
  }
  return 0;
}

// Removes the widened last piece's tokens from `tokens` and returns their bytes ("" if none).
inline std::string take_unstable_tail(const encoding& enc, std::vector<rank_t>& tokens, std::size_t last_piece_tokens) {
  const std::size_t last = widen_last_piece_over_whitespace(enc, tokens, last_piece_tokens);
  std::string tail = enc.decode(std::span<const rank_t>(tokens).subspan(tokens.size() - last));
  tokens.resize(tokens.size() - last);
  return tail;
}

}  // namespace token_detail

struct unstable_encoding {
  std::vector<rank_t> stable;                    // tokens no continuation of the text changes
  std::set<std::vector<rank_t>> completions;     // candidate sequences for the unstable rest
};

// tiktoken's encode_with_unstable (after its disallowed-special check, which `disallowed` does here).
inline unstable_encoding encode_with_unstable(const encoding& enc, const sorted_token_bytes& sorted,
                                              std::string_view text, const special_set& allowed,
                                              const special_set& disallowed) {
  unstable_encoding result;
  std::size_t last = 0;
  result.stable = enc.encode_tracking_last_piece(text, allowed, disallowed, last);
  if (last == 0) return result;  // the text ends with a special token (or is empty)
  const std::string unstable = token_detail::take_unstable_tail(enc, result.stable, last);
  if (unstable.empty()) return result;
  const token_detail::rank_table& table = enc.vocab().table();

  // Every single token that starts with the unstable bytes.
  sorted.for_each_with_prefix(unstable, [&](std::string_view t) { result.completions.insert({table.find(t)}); });

  // Every split point: the bytes before it, followed by a token that starts with the bytes after it,
  // re-tokenized, up to the first token that covers the unstable bytes.
  for (std::size_t i = 1; i < unstable.size(); ++i) {
    const std::string_view prefix = std::string_view(unstable).substr(0, i);
    sorted.for_each_with_prefix(std::string_view(unstable).substr(i), [&](std::string_view t) {
      std::string possibility(prefix);
      possibility.append(t);
      const std::vector<rank_t> encoded = base::first_invalid_utf8(possibility) == std::string_view::npos
                                              ? enc.encode_ordinary(possibility)
                                              : byte_pair_encode(enc.vocab(), possibility);
      std::vector<rank_t> seq;
      std::size_t covered = 0;
      for (rank_t r : encoded) {
        seq.push_back(r);
        covered += enc.token_bytes(r).size();
        if (covered >= unstable.size()) break;
      }
      result.completions.insert(std::move(seq));
    });
  }

  // A split can appear before a final whitespace character (\s+(?!\S)), making it its own token.
  if (unstable.size() > 1) {
    const std::size_t ws = token_detail::trailing_whitespace_char_length(unstable);
    if (ws > 0 && ws < unstable.size()) {
      std::vector<rank_t> reencoded = byte_pair_encode(enc.vocab(), std::string_view(unstable).substr(0, unstable.size() - ws));
      for (rank_t r : byte_pair_encode(enc.vocab(), std::string_view(unstable).substr(unstable.size() - ws)))
        reencoded.push_back(r);
      result.completions.insert(std::move(reencoded));
    }
  }
  return result;
}

// tiktoken's _encode_bytes: valid UTF-8 is encode_ordinary; otherwise the valid prefix is encoded,
// and its last piece (widened as above) plus every byte from the first invalid one on become one
// token if they are one, else are byte-pair merged together.
inline std::vector<rank_t> encode_bytes(const encoding& enc, std::string_view bytes) {
  const std::size_t valid_up_to = base::first_invalid_utf8(bytes);
  if (valid_up_to == std::string_view::npos) return enc.encode_ordinary(bytes);
  std::size_t last = 0;
  std::vector<rank_t> tokens =
      enc.encode_tracking_last_piece(bytes.substr(0, valid_up_to), special_set::none(), special_set::none(), last);
  std::string unstable = token_detail::take_unstable_tail(enc, tokens, last);  // "" when the valid prefix is empty
  unstable.append(bytes.substr(valid_up_to));
  const token_detail::rank_table& table = enc.vocab().table();
  if (const rank_t whole = table.find(unstable); whole != no_rank) {
    tokens.push_back(whole);
  } else {
    for (rank_t r : byte_pair_encode(enc.vocab(), unstable)) tokens.push_back(r);
  }
  return tokens;
}

}  // namespace tokenmaxx

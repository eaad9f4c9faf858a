// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// The out-of-line part of encoding.hpp: the pretokenizer loop, byte-pair merging and the special
// token search. Header-only builds include it from encoding.hpp; the compiled target
// (tokenmaxx::token_compiled) compiles it once. Every operation is written once, reporting a
// `failure`; the throwing members and the nothrow.hpp twins are thin wrappers over it.
#pragma once

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/token/detail/bpe.hpp"
#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/open_pretokenizers.hpp"
#include "tokenmaxx/token/detail/pcre2_pattern.hpp"
#include "tokenmaxx/token/detail/piece_cache.hpp"
#include "tokenmaxx/token/detail/pretokenizer_impl.hpp"
#include "tokenmaxx/token/detail/scalar_pretokenizer.hpp"
#include "tokenmaxx/token/detail/simd_backend.hpp"
#include "tokenmaxx/token/encoding.hpp"

namespace tokenmaxx {
namespace token_detail {

// The special tokens of an encoding and the lookups `encode` needs over them.
struct special_index {
  std::vector<std::pair<std::string, rank_t>> tokens;      // as given, in order
  absl::flat_hash_map<std::string, std::size_t> by_text;   // text -> index in tokens (first wins)
  absl::flat_hash_map<rank_t, std::size_t> by_id;          // id -> index in tokens (first wins)
  std::vector<std::size_t> lengths;                        // distinct lengths, longest first
  bool first_bytes[256] = {};                              // bytes that can start a special token

  const std::size_t* find_text(std::string_view text) const {
    auto it = by_text.find(absl::string_view(text.data(), text.size()));
    return it == by_text.end() ? nullptr : &it->second;
  }

  // Leftmost occurrence at or after `from` of a special token selected by `mask` (the longest one
  // when several start at the same byte): (position, index in tokens).
  std::optional<std::pair<std::size_t, std::size_t>> find_in(std::string_view text, std::size_t from,
                                                             const std::vector<bool>& mask) const {
    for (std::size_t i = from; i < text.size(); ++i) {
      if (!first_bytes[static_cast<std::uint8_t>(text[i])]) continue;
      for (std::size_t len : lengths) {
        if (i + len > text.size()) continue;
        if (const std::size_t* k = find_text(text.substr(i, len)); k && mask[*k]) return std::make_pair(i, *k);
      }
    }
    return std::nullopt;
  }
};

// Calls f(begin, end) for each pretokenized piece of valid UTF-8 `text`; stops when f returns false.
// The rules run over masked_text, so ASCII runs are found from SIMD class bitmasks.
template <class F, class Rule>
void scan_pieces(masked_text& t, F& f, Rule rule) {
  std::size_t i = 0;
  while (i < t.n) {
    const std::size_t e = rule(t, i);
    if constexpr (std::is_same_v<decltype(f(i, e)), bool>) {
      if (!f(i, e)) return;
    } else {
      f(i, e);
    }
    i = e;
  }
}

template <class F>
void for_each_piece(const pretokenizer& pre, std::string_view text, F&& f) {
  masked_text t(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), active_simd_backend().classify);
  switch (pre.family()) {
    case pretokenizer_family::gpt2:
      return scan_pieces(t, f, [](masked_text& x, std::size_t i) { return gpt2_piece_end(x, i); });
    case pretokenizer_family::cl100k:
      return scan_pieces(t, f, [](masked_text& x, std::size_t i) { return cl100k_piece_end(x, i); });
    case pretokenizer_family::o200k:
      return scan_pieces(t, f, [](masked_text& x, std::size_t i) { return o200k_piece_end(x, i); });
    case pretokenizer_family::llama3:
      return scan_pieces(t, f, [](masked_text& x, std::size_t i) { return llama3_piece_end(x, i); });
    case pretokenizer_family::tekken:
      return scan_pieces(t, f, [](masked_text& x, std::size_t i) { return tekken_piece_end(x, i); });
    case pretokenizer_family::regex:  // a bound that stops the scan is reported by with_valid_utf8
      return pre.compiled()->for_each_match(t.s, t.n, f);
  }
}

// Runs f on valid UTF-8: `text` itself, or its repaired copy under utf8_policy::replace.
// A compiled pattern's scan that passed its bounds leaves its failure in pattern_scan_failure().
template <class F>
std::optional<failure> with_valid_utf8(std::string_view text, utf8_policy policy, F&& f) {
  const std::size_t bad = base::first_invalid_utf8(text);
  if (bad != std::string_view::npos && policy == utf8_policy::strict) return failure::bad_utf8(bad);
  pattern_scan_failure().reset();
  std::optional<failure> result =
      bad == std::string_view::npos ? f(text) : f(std::string_view(base::replace_invalid_utf8(text)));
  if (!result && pattern_scan_failure()) result = std::exchange(pattern_scan_failure(), std::nullopt);
  return result;
}

// One pretokenized piece, its piece-cache key (pieces of up to 16 bytes) and what the cache knew.
struct scanned_piece {
  std::size_t begin, end;
  piece_cache::key key;
  std::uint32_t cached_ntok;  // the token count the cache gave at the probe; 0: not cached
  rank_t cached_tokens[2];    // when cached_ntok is 1 or 2 (copied: the entry may be replaced later)
};

// A piece scanned on its own (no pipeline).
inline scanned_piece lone_piece(const piece_cache& cache, const std::uint8_t* s, std::size_t begin, std::size_t end,
                                const std::uint8_t* end_of_text) {
  scanned_piece piece{begin, end, {}, 0, {no_rank, no_rank}};
  if (end - begin <= piece_cache::max_piece_bytes) {
    piece.key = piece_cache::key_of(s + begin, end - begin, end_of_text);
    if (const piece_cache::entry* e = cache.find(piece.key)) {
      piece.cached_ntok = e->ntok;
      piece.cached_tokens[0] = e->tokens[0];
      piece.cached_tokens[1] = e->tokens[1];
    }
  }
  return piece;
}

// Calls handle(piece) for each piece of valid UTF-8 `text`, in order, with what the piece cache
// knows about it.
template <class Handle>
void for_each_scanned_piece(const pretokenizer& pre, std::string_view text, const piece_cache& cache,
                            Handle&& handle) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::uint8_t* end_of_text = s + text.size();
  for_each_piece(pre, text, [&](std::size_t begin, std::size_t end) {
    handle(lone_piece(cache, s, begin, end, end_of_text));
  });
}

// Merges a piece that the cache does not know, caches it when short, and returns its token count;
// emit(r) receives its tokens. `memo_from_bytes`: see bpe_encode_piece (counting passes the piece
// cache's limit, since the piece cache then answers the piece; encoding passes 0, since the piece
// cache keeps only two tokens of a piece and the merge memo the rest).
template <class Emit>
std::size_t merge_and_cache(const rank_table& table, piece_cache& cache, const std::uint8_t* p, std::size_t n,
                            const piece_cache::key& key, Emit&& emit, std::size_t memo_from_bytes) {
  rank_t first[2] = {no_rank, no_rank};
  std::size_t count = 0;
  bpe_encode_piece(
      table, p, n,
      [&](rank_t r) {
        if (count < 2) first[count] = r;
        ++count;
        emit(r);
      },
      memo_from_bytes);
  if (n <= piece_cache::max_piece_bytes) cache.store(key, count, first);
  return count;
}

// Number of tokens of one scanned piece.
inline std::size_t piece_count(const rank_table& table, piece_cache& cache, const std::uint8_t* s,
                               const scanned_piece& piece) {
  if (piece.cached_ntok) return piece.cached_ntok;
  return merge_and_cache(table, cache, s + piece.begin, piece.end - piece.begin, piece.key, [](rank_t) {},
                         piece_cache::max_piece_bytes);
}

// Emits the tokens of one scanned piece, from what the cache knew or computed (and then cached).
template <class Emit>
void piece_tokens(const rank_table& table, piece_cache& cache, const std::uint8_t* s, const scanned_piece& piece,
                  Emit&& emit) {
  if (piece.cached_ntok && piece.cached_ntok <= 2) {
    emit(piece.cached_tokens[0]);
    if (piece.cached_ntok == 2) emit(piece.cached_tokens[1]);
    return;
  }
  merge_and_cache(table, cache, s + piece.begin, piece.end - piece.begin, piece.key, emit, 0);
}

struct encoding_access {
  static outcome<std::shared_ptr<const special_index>> index_specials(
      const std::string& name, const vocabulary& vocab, std::vector<std::pair<std::string, rank_t>> specials,
      std::optional<std::size_t> explicit_n_vocab, rank_t& max_token_value) {
    using out = outcome<std::shared_ptr<const special_index>>;
    auto idx = std::make_shared<special_index>();
    max_token_value = vocab.size() ? vocab.max_rank() : 0;
    for (std::size_t k = 0; k < specials.size(); ++k) {
      const auto& [text, id] = specials[k];
      if (text.empty()) return out::fail(failure_kind::invalid_argument, "encoding " + name + ": empty special token");
      if (vocab.bytes_of(id))
        return out::fail(failure_kind::invalid_argument, "encoding " + name + ": special token id " +
                                                             std::to_string(id) + " collides with a vocabulary rank");
      max_token_value = std::max(max_token_value, id);
      idx->by_id.try_emplace(id, k);
      idx->by_text.try_emplace(text, k);
      idx->lengths.push_back(text.size());
      idx->first_bytes[static_cast<std::uint8_t>(text[0])] = true;
    }
    std::sort(idx->lengths.begin(), idx->lengths.end(), std::greater<>());
    idx->lengths.erase(std::unique(idx->lengths.begin(), idx->lengths.end()), idx->lengths.end());
    if (explicit_n_vocab && *explicit_n_vocab != std::size_t(max_token_value) + 1)
      return out::fail(failure_kind::invalid_argument,
                       "encoding " + name + ": explicit n_vocab " + std::to_string(*explicit_n_vocab) +
                           " does not match max token value " + std::to_string(max_token_value));
    idx->tokens = std::move(specials);
    return out::ok(std::move(idx));
  }

  static outcome<std::shared_ptr<const encoding>> make(std::string name, pretokenizer pre,
                                                       std::shared_ptr<const vocabulary> vocab,
                                                       std::vector<std::pair<std::string, rank_t>> specials,
                                                       std::optional<std::size_t> explicit_n_vocab) {
    using out = outcome<std::shared_ptr<const encoding>>;
    if (!vocab) return out::fail(failure_kind::invalid_argument, "encoding " + name + ": no vocabulary");
    auto enc = std::shared_ptr<encoding>(new encoding());
    auto idx = index_specials(name, *vocab, std::move(specials), explicit_n_vocab, enc->max_token_value_);
    if (idx.error) return {std::nullopt, std::move(idx.error)};
    enc->name_ = std::move(name);
    enc->pretokenizer_ = std::move(pre);
    enc->vocab_ = std::move(vocab);
    enc->specials_ = std::move(*idx.value);
    return out::ok(std::move(enc));
  }

  template <class Emit>
  static void tokens_of_valid(const encoding& enc, std::string_view valid, Emit&& emit) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(valid.data());
    const rank_table& table = enc.vocab_->table();
    piece_cache& cache = piece_cache::for_this_thread(table.id());
    for_each_scanned_piece(enc.pretokenizer_, valid, cache, [&](const scanned_piece& piece) {
      piece_tokens(table, cache, s, piece, emit);
    });
  }

  static std::size_t count_valid(const encoding& enc, std::string_view valid) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(valid.data());
    const rank_table& table = enc.vocab_->table();
    piece_cache& cache = piece_cache::for_this_thread(table.id());
    std::size_t n = 0;
    for_each_scanned_piece(enc.pretokenizer_, valid, cache, [&](const scanned_piece& piece) {
      n += piece_count(table, cache, s, piece);
    });
    return n;
  }

  static std::optional<failure> encode_ordinary_into(const encoding& enc, std::string_view text, utf8_policy policy,
                                                     std::vector<rank_t>& out) {
    return with_valid_utf8(text, policy, [&](std::string_view valid) -> std::optional<failure> {
      tokens_of_valid(enc, valid, [&](rank_t r) { out.push_back(r); });
      return std::nullopt;
    });
  }

  static std::optional<failure> count(const encoding& enc, std::string_view text, utf8_policy policy, std::size_t& n) {
    n = 0;
    return with_valid_utf8(text, policy, [&](std::string_view valid) -> std::optional<failure> {
      n = count_valid(enc, valid);
      return std::nullopt;
    });
  }

  // Tokens of one piece taken on its own (the pieces of a text are merged independently).
  static std::size_t piece_token_count(const encoding& enc, std::string_view piece) {
    const rank_table& table = enc.vocab_->table();
    const auto* p = reinterpret_cast<const std::uint8_t*>(piece.data());
    piece_cache& cache = piece_cache::for_this_thread(table.id());
    return piece_count(table, cache, p, lone_piece(cache, p, 0, piece.size(), p + piece.size()));
  }

  static std::optional<failure> count_until(const encoding& enc, std::string_view text, std::size_t limit,
                                            utf8_policy policy, std::size_t& result) {
    std::size_t n = 0;
    const rank_table& table = enc.vocab_->table();
    const std::size_t longest = std::max<std::size_t>(table.max_token_length(), 1);
    piece_cache& cache = piece_cache::for_this_thread(table.id());
    auto f = with_valid_utf8(text, policy, [&](std::string_view valid) -> std::optional<failure> {
      const auto* s = reinterpret_cast<const std::uint8_t*>(valid.data());
      for_each_piece(enc.pretokenizer_, valid, [&](std::size_t begin, std::size_t end) {
        const std::size_t fewest = (end - begin + longest - 1) / longest;
        if (fewest > limit - n) {
          n = limit + 1;
          return false;
        }
        n += piece_count(table, cache, s, lone_piece(cache, s, begin, end, s + valid.size()));
        return n <= limit;
      });
      return std::nullopt;
    });
    result = std::min(n, limit + 1);
    return f;
  }

  // encode() and encode_tracking_last_piece(); the tracking costs nothing when last_piece_tokens is null.
  static std::optional<failure> encode_into(const encoding& enc, std::string_view text, const special_set& allowed,
                                            const special_set& disallowed, utf8_policy policy, std::vector<rank_t>& out,
                                            std::size_t* last_piece_tokens) {
    out.reserve(out.size() + text.size() / 3 + 1);
    const special_index& sp = *enc.specials_;
    const rank_table& table = enc.vocab_->table();
    const auto push = [&](rank_t r) { out.push_back(r); };
    const auto encode_segment = [&](std::string_view segment) {
      if (!last_piece_tokens) return tokens_of_valid(enc, segment, push);
      const auto* s = reinterpret_cast<const std::uint8_t*>(segment.data());
      piece_cache& cache = piece_cache::for_this_thread(table.id());
      for_each_scanned_piece(enc.pretokenizer_, segment, cache, [&](const scanned_piece& piece) {
        const std::size_t before = out.size();
        piece_tokens(table, cache, s, piece, push);
        *last_piece_tokens = out.size() - before;
      });
    };
    return with_valid_utf8(text, policy, [&](std::string_view valid) -> std::optional<failure> {
      const std::size_t nspecial = sp.tokens.size();
      std::vector<bool> is_allowed(nspecial, allowed.is_all());
      bool any_allowed = allowed.is_all() && nspecial > 0;
      if (!allowed.is_all())
        for (const std::string& name : allowed.names())
          if (const std::size_t* k = sp.find_text(name)) is_allowed[*k] = any_allowed = true;
      std::vector<bool> is_disallowed(nspecial, false);
      std::vector<std::string_view> other_disallowed;  // explicit strings that are not special tokens
      bool any_disallowed = false;
      if (disallowed.is_all()) {
        for (std::size_t k = 0; k < nspecial; ++k) any_disallowed |= is_disallowed[k] = !is_allowed[k];
      } else {
        for (const std::string& name : disallowed.names()) {
          if (const std::size_t* k = sp.find_text(name))
            is_disallowed[*k] = any_disallowed = true;
          else
            other_disallowed.push_back(name);
        }
      }
      if (any_disallowed || !other_disallowed.empty()) {
        std::size_t first_pos = std::string_view::npos;
        std::string_view first_name;
        if (any_disallowed)
          if (auto hit = sp.find_in(valid, 0, is_disallowed)) {
            first_pos = hit->first;
            first_name = sp.tokens[hit->second].first;
          }
        for (std::string_view name : other_disallowed) {
          const std::size_t pos = valid.find(name);
          if (pos != std::string_view::npos &&
              (pos < first_pos || (pos == first_pos && name.size() > first_name.size()))) {
            first_pos = pos;
            first_name = name;
          }
        }
        if (first_pos != std::string_view::npos) return failure::disallowed(std::string(first_name));
      }
      if (!any_allowed) {
        encode_segment(valid);
        return std::nullopt;
      }
      std::size_t start = 0;
      while (true) {
        auto hit = sp.find_in(valid, start, is_allowed);
        const std::size_t end = hit ? hit->first : valid.size();
        encode_segment(valid.substr(start, end - start));
        if (!hit) break;
        out.push_back(sp.tokens[hit->second].second);
        if (last_piece_tokens) *last_piece_tokens = 0;
        start = hit->first + sp.tokens[hit->second].first.size();
      }
      return std::nullopt;
    });
  }

  static std::optional<failure> token_bytes(const encoding& enc, rank_t r, std::string_view& out) {
    if (auto b = enc.vocab_->bytes_of(r)) {
      out = *b;
      return std::nullopt;
    }
    if (auto it = enc.specials_->by_id.find(r); it != enc.specials_->by_id.end()) {
      out = enc.specials_->tokens[it->second].first;
      return std::nullopt;
    }
    return failure::bad_token(r);
  }

  static std::optional<failure> decode(const encoding& enc, std::span<const rank_t> tokens, std::string& out) {
    for (rank_t r : tokens) {
      std::string_view b;
      if (auto f = token_bytes(enc, r, b)) return f;
      out.append(b);
    }
    return std::nullopt;
  }
};

// Raises the failure, if any.
inline void raise_if(std::optional<failure> f) {
  if (f) raise_failure(*f);
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE encoding::encoding(std::string name, tokenmaxx::pretokenizer pre, std::shared_ptr<const vocabulary> vocab,
                                          std::vector<std::pair<std::string, rank_t>> special_tokens,
                                          std::optional<std::size_t> explicit_n_vocab)
    : name_(std::move(name)), pretokenizer_(std::move(pre)), vocab_(std::move(vocab)) {
  if (!vocab_) base::raise(error("encoding " + name_ + ": no vocabulary"));
  auto idx = token_detail::encoding_access::index_specials(name_, *vocab_, std::move(special_tokens), explicit_n_vocab,
                                                           max_token_value_);
  specials_ = token_detail::value_or_raise(std::move(idx));
}

TOKENMAXX_TOKEN_INLINE const std::vector<std::pair<std::string, rank_t>>& encoding::special_tokens() const noexcept {
  return specials_->tokens;
}

TOKENMAXX_TOKEN_INLINE std::optional<rank_t> encoding::special_token_id(std::string_view text) const {
  if (const std::size_t* k = specials_->find_text(text)) return specials_->tokens[*k].second;
  return std::nullopt;
}

TOKENMAXX_TOKEN_INLINE std::vector<rank_t> encoding::encode_ordinary(std::string_view text, utf8_policy policy) const {
  std::vector<rank_t> out;
  out.reserve(text.size() / 3 + 1);
  token_detail::raise_if(token_detail::encoding_access::encode_ordinary_into(*this, text, policy, out));
  return out;
}

TOKENMAXX_TOKEN_INLINE void encoding::encode_ordinary_into(std::string_view text, std::vector<rank_t>& out,
                                                           utf8_policy policy) const {
  token_detail::raise_if(token_detail::encoding_access::encode_ordinary_into(*this, text, policy, out));
}

TOKENMAXX_TOKEN_INLINE std::vector<rank_t> encoding::encode(std::string_view text, const special_set& allowed,
                                                            const special_set& disallowed, utf8_policy policy) const {
  std::vector<rank_t> out;
  token_detail::raise_if(
      token_detail::encoding_access::encode_into(*this, text, allowed, disallowed, policy, out, nullptr));
  return out;
}

TOKENMAXX_TOKEN_INLINE std::vector<rank_t> encoding::encode_tracking_last_piece(std::string_view text,
                                                                                const special_set& allowed,
                                                                                const special_set& disallowed,
                                                                                std::size_t& last_piece_tokens,
                                                                                utf8_policy policy) const {
  std::vector<rank_t> out;
  last_piece_tokens = 0;
  token_detail::raise_if(
      token_detail::encoding_access::encode_into(*this, text, allowed, disallowed, policy, out, &last_piece_tokens));
  return out;
}

TOKENMAXX_TOKEN_INLINE std::size_t encoding::count(std::string_view text, utf8_policy policy) const {
  std::size_t n = 0;
  token_detail::raise_if(token_detail::encoding_access::count(*this, text, policy, n));
  return n;
}

TOKENMAXX_TOKEN_INLINE std::size_t encoding::count_until(std::string_view text, std::size_t limit,
                                                         utf8_policy policy) const {
  std::size_t n = 0;
  token_detail::raise_if(token_detail::encoding_access::count_until(*this, text, limit, policy, n));
  return n;
}

TOKENMAXX_TOKEN_INLINE std::vector<rank_t> encoding::encode_piece(std::string_view piece) const {
  std::vector<rank_t> out;
  if (piece.empty()) return out;
  token_detail::bpe_encode_piece(vocab_->table(), reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size(),
                                 [&](rank_t r) { out.push_back(r); });
  return out;
}

TOKENMAXX_TOKEN_INLINE std::string encoding::decode(std::span<const rank_t> tokens) const {
  std::string out;
  token_detail::raise_if(token_detail::encoding_access::decode(*this, tokens, out));
  return out;
}

TOKENMAXX_TOKEN_INLINE std::string_view encoding::token_bytes(rank_t r) const {
  std::string_view out;
  token_detail::raise_if(token_detail::encoding_access::token_bytes(*this, r, out));
  return out;
}

TOKENMAXX_TOKEN_INLINE std::vector<std::pair<std::size_t, std::size_t>> encoding::pieces(std::string_view text) const {
  const std::size_t bad = base::first_invalid_utf8(text);
  if (bad != std::string_view::npos) base::raise(invalid_utf8_error(bad));
  std::vector<std::pair<std::size_t, std::size_t>> out;
  token_detail::pattern_scan_failure().reset();
  token_detail::for_each_piece(pretokenizer_, text, [&](std::size_t b, std::size_t e) { out.emplace_back(b, e); });
  if (auto& f = token_detail::pattern_scan_failure()) token_detail::raise_failure(*std::exchange(f, std::nullopt));
  return out;
}

}  // namespace tokenmaxx

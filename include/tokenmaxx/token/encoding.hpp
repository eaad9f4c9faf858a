// tokenmaxx/token/encoding.hpp: tiktoken-exact tokenization with one encoding.
//
// An `encoding` turns text into token ids and back exactly as tiktoken does: a pretokenizer splits
// the text into pieces (a `pretokenizer`: a hand-written scanner or a compiled pattern), and each piece is
// byte-pair merged over a `vocabulary`. Special tokens (`<|endoftext|>`, ...) are recognised by
// `encode` when allowed. Get the built-in ones from registry.hpp (`get_encoding("o200k_base")`) or
// model_table.hpp (`encoding_for_model("gpt-4o")`).
//
// Guarantees:
//  - Exact: token ids equal tiktoken's for every valid UTF-8 input. Pretokenization uses
//    hand-written scanners that follow each encoding's regex (no regex engine), or for a custom
//    pattern PCRE2 with tiktoken's semantics (pretokenizer.hpp says where the two differ); merging
//    follows tiktoken's lowest-rank-first rule.
//  - Linear: scanning is linear in the input and merging is O(n log n) per piece, so hostile
//    inputs (a megabyte without a split point) stay fast; no recursion, no stack growth. A compiled
//    pattern may backtrack: its cost is bounded, and past the bound the call fails with `error`
//    (ResourceExhausted from the `try_` twins) instead of hanging.
//  - Input is UTF-8 bytes. Invalid UTF-8 throws `invalid_utf8_error` with the byte offset, unless
//    `utf8_policy::replace` is given, which first replaces each invalid sequence by U+FFFD exactly
//    as Python's `bytes.decode("utf-8", errors="replace")` does.
//  - `count` and `count_until` never throw on special-token text (it is plain text to them) and
//    allocate nothing per piece. `encode` follows tiktoken: by default every special token's text
//    is disallowed and throws `disallowed_special_error` naming it. Every throwing call has a
//    `try_` twin in nothrow.hpp that returns absl::Status instead (docs/ERRORS.md).
//  - Thread safety: an `encoding` is immutable; every member is safe to call from many threads at
//    once. Each thread that tokenizes keeps a 320 KiB memo of recently merged pieces (thread_local,
//    exact: an entry is used only when the vocabulary and every byte match).
//  - `encode` finds special tokens with a hash lookup per candidate length at each byte that can
//    start one, so it stays linear even for o200k_harmony's 1,104 specials.
//  - Compile cost: with the compiled target (tokenmaxx::token_compiled) this header parses only
//    standard headers; header-only builds also include the implementation (detail/encoding_impl.hpp).
//
// Example:
//   std::shared_ptr<const tokenmaxx::encoding> enc = tokenmaxx::get_encoding("o200k_base");
//   std::vector<tokenmaxx::rank_t> ids = enc->encode_ordinary("hello world");
//   std::size_t n = enc->count("hello world");                 // == ids.size()
//   std::string bytes = enc->decode(ids);                       // "hello world"
//   auto ids2 = enc->encode("<|endoftext|>", tokenmaxx::special_set::all());
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/errors.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"
#include "tokenmaxx/token/rank.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx {

namespace token_detail {
struct special_index;
struct encoding_access;
}  // namespace token_detail

enum class utf8_policy {
  strict,   // invalid UTF-8 throws invalid_utf8_error with its byte offset
  replace,  // each invalid sequence becomes U+FFFD first, as Python's errors="replace"
};

// A set of special-token names, or "all of them" (tiktoken's "all").
class special_set {
 public:
  special_set() = default;
  special_set(std::initializer_list<std::string_view> names) : names_(names.begin(), names.end()) {}
  explicit special_set(std::vector<std::string> names) : names_(std::move(names)) {}
  static special_set all() {
    special_set s;
    s.all_ = true;
    return s;
  }
  static special_set none() { return {}; }
  bool is_all() const noexcept { return all_; }
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  bool all_ = false;
  std::vector<std::string> names_;
};

class encoding {
 public:
  // A custom encoding over `vocab`, split by `pre` (a family, or pretokenizer::from_pattern(pat_str)).
  // Throws `error` when a special token is empty or collides with a rank, or `explicit_n_vocab`
  // disagrees.
  encoding(std::string name, pretokenizer pre, std::shared_ptr<const vocabulary> vocab,
           std::vector<std::pair<std::string, rank_t>> special_tokens,
           std::optional<std::size_t> explicit_n_vocab = std::nullopt);

  const std::string& name() const noexcept { return name_; }
  pretokenizer_family family() const noexcept { return pretokenizer_.family(); }
  const tokenmaxx::pretokenizer& get_pretokenizer() const noexcept { return pretokenizer_; }
  const vocabulary& vocab() const noexcept { return *vocab_; }
  rank_t max_token_value() const noexcept { return max_token_value_; }
  std::size_t n_vocab() const noexcept { return std::size_t(max_token_value_) + 1; }
  // The special tokens as given to the constructor: (text, id), in order.
  const std::vector<std::pair<std::string, rank_t>>& special_tokens() const noexcept;
  std::optional<rank_t> special_token_id(std::string_view text) const;
  // tiktoken's eot_token: the id of <|endoftext|>, if the encoding has it.
  std::optional<rank_t> eot_token() const { return special_token_id("<|endoftext|>"); }

  // Token ids of `text` with special-token text treated as plain text.
  std::vector<rank_t> encode_ordinary(std::string_view text, utf8_policy policy = utf8_policy::strict) const;
  // Appends the tokens of `text` to `out`.
  void encode_ordinary_into(std::string_view text, std::vector<rank_t>& out,
                            utf8_policy policy = utf8_policy::strict) const;

  // tiktoken's encode: special tokens in `allowed` become their ids (names that are not special
  // tokens of this encoding are ignored). If the text contains any string of `disallowed` (by
  // default: every special token not allowed; like tiktoken, an explicit set may also hold other
  // strings), it throws disallowed_special_error naming the leftmost one.
  std::vector<rank_t> encode(std::string_view text, const special_set& allowed = special_set::none(),
                             const special_set& disallowed = special_set::all(),
                             utf8_policy policy = utf8_policy::strict) const;

  // encode() that also sets `last_piece_tokens` to how many of the returned tokens came from the
  // text's last pretokenized piece (0 when the text is empty or ends with an allowed special
  // token): the starting point of tiktoken's encode_with_unstable and _encode_bytes.
  std::vector<rank_t> encode_tracking_last_piece(std::string_view text, const special_set& allowed,
                                                 const special_set& disallowed, std::size_t& last_piece_tokens,
                                                 utf8_policy policy = utf8_policy::strict) const;

  // Number of tokens of encode_ordinary(text), computed without building the vector.
  std::size_t count(std::string_view text, utf8_policy policy = utf8_policy::strict) const;

  // count(text) when it is at most `limit`; otherwise limit + 1. It stops at the first piece
  // that passes the limit, and skips merging a piece when even its fewest possible tokens
  // (its length over the longest token's) would pass it, so a huge piece costs no merge.
  std::size_t count_until(std::string_view text, std::size_t limit, utf8_policy policy = utf8_policy::strict) const;

  // The tokens of one piece of bytes (any bytes, not only UTF-8): the piece's own rank if it is a
  // token, else its byte-pair merge (tiktoken's _encode_single_piece). Throws `error` if a byte
  // has no token.
  std::vector<rank_t> encode_piece(std::string_view piece) const;

  // Bytes of a token sequence (special tokens decode to their text). Unknown ids throw
  // invalid_token_error.
  std::string decode(std::span<const rank_t> tokens) const;
  std::string_view token_bytes(rank_t r) const;

  // The [begin, end) byte ranges of the pretokenized pieces of valid UTF-8 `text`, in order. A
  // scanner's pieces tile the text; a compiled pattern's skip text no alternative matches, as
  // tiktoken does. Throws invalid_utf8_error on invalid input.
  std::vector<std::pair<std::size_t, std::size_t>> pieces(std::string_view text) const;

 private:
  friend struct token_detail::encoding_access;
  encoding() = default;

  std::string name_;
  tokenmaxx::pretokenizer pretokenizer_ = pretokenizer_family::gpt2;
  std::shared_ptr<const vocabulary> vocab_;
  std::shared_ptr<const token_detail::special_index> specials_;  // the special tokens and their lookups
  rank_t max_token_value_ = 0;
};

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/encoding_impl.hpp"
#endif

// tokenmaxx/token/hf_tokenizer.hpp: byte-level BPE from a Hugging Face tokenizer.json (Qwen, DeepSeek, ...).
//
// Many open models ship their tokenizer as a Hugging Face `tokenizer.json`: a byte-level BPE model
// (vocabulary and merges list), a pre-tokenizer of regex splits and added (special) tokens. An
// `hf_tokenizer` loads one and counts/encodes exactly as the `tokenizers` library's
// `encode(text, add_special_tokens=False)` does. It is not an `encoding` because its merge rule
// differs from tiktoken's: `tokenizers` applies the merges in the order of the merges list (the
// lowest-ranked listed pair first, leftmost on ties), not by the rank of the merged bytes.
//
// Guarantees:
//  - Exact for what it accepts: model BPE over the ByteLevel alphabet (all 256 bytes in the
//    vocabulary) without dropout or subword affixes, `ignore_merges` either way; normalizer none
//    (or an empty Sequence); pre-tokenizers ByteLevel (its GPT-2 regex, add_prefix_space) and Split
//    (Regex or String pattern, behaviour Isolated or Removed, not inverted) alone or in a Sequence,
//    each applied to every piece of the previous one; added tokens matched leftmost-longest in the
//    text without lstrip/rstrip/single_word, with the ids `tokenizers` gives them (a file whose
//    ids it would renumber is refused). Split patterns are Oniguruma patterns (what
//    `tokenizers` compiles them with) and run through PCRE2 with their meaning (pretokenizer.hpp
//    says where the Unicode versions differ).
//  - Anything else in the file is refused with `error` (`try_` twin: InvalidArgument) naming the
//    feature ("normalizer NFKC", "model WordPiece", "Split behavior MergedWithPrevious", ...),
//    never silently ignored; the post-processor and decoder are not used (ids of the text only).
//  - Merging is O(n log n) per piece; the pre-tokenizer's regex searches are bounded as in
//    pretokenizer.hpp (ResourceExhausted / `error` past the bound).
//  - Thread safety: immutable after loading; every member is safe to call concurrently.
//
// Example:
//   absl::StatusOr<tokenmaxx::hf_tokenizer> tok = tokenmaxx::try_load_hf_tokenizer("tokenizer.json");
//   if (!tok.ok()) return tok.status();                   // NotFound, InvalidArgument (unsupported)
//   std::vector<tokenmaxx::rank_t> ids = tok->encode("Hello, world");
//   std::size_t n = tok->count("Hello, world");            // == ids.size()
//   std::string text = tok->decode(ids);
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tokenmaxx/token/errors.hpp"
#include "tokenmaxx/token/rank.hpp"

namespace tokenmaxx {

namespace token_detail {
struct hf_model;
struct hf_access;
}  // namespace token_detail

class hf_tokenizer {
 public:
  // Parses tokenizer.json contents; `source` names it in errors. Throws `error` (unsupported
  // feature, malformed JSON) naming the problem.
  static hf_tokenizer parse(std::string_view json, std::string_view source = "<memory>");
  // Reads and parses a file. Throws vocab_error when it cannot be read, `error` as parse().
  static hf_tokenizer load_file(const std::string& path);

  // `tokenizers`' encode(text, add_special_tokens=False).ids: added tokens in the text become
  // their ids. Throws invalid_utf8_error on invalid UTF-8.
  std::vector<rank_t> encode(std::string_view text) const;
  // The same with added-token text tokenized as plain text.
  std::vector<rank_t> encode_ordinary(std::string_view text) const;
  // encode(text).size() without building the vector.
  std::size_t count(std::string_view text) const;
  // The bytes of the tokens (added tokens as their text). Throws invalid_token_error.
  std::string decode(std::span<const rank_t> tokens) const;

  std::optional<rank_t> token_to_id(std::string_view token_bytes) const;
  std::size_t vocab_size() const;  // model vocabulary plus added tokens
  // The added tokens (content, id), as listed in the file.
  const std::vector<std::pair<std::string, rank_t>>& added_tokens() const;

 private:
  friend struct token_detail::hf_access;
  std::shared_ptr<const token_detail::hf_model> model_;
};

absl::StatusOr<hf_tokenizer> try_parse_hf_tokenizer(std::string_view json, std::string_view source = "<memory>");
absl::StatusOr<hf_tokenizer> try_load_hf_tokenizer(const std::string& path);
absl::StatusOr<std::vector<rank_t>> try_encode(const hf_tokenizer& tok, std::string_view text);
absl::StatusOr<std::size_t> try_count(const hf_tokenizer& tok, std::string_view text);

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/hf_tokenizer_impl.hpp"
#endif

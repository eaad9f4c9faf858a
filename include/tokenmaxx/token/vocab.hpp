// tokenmaxx/token/vocab.hpp: BPE vocabularies ("rank files") in flat storage.
//
// A `vocabulary` maps token bytes to ranks and back. It is read from the `.tiktoken` format, one
// `base64(token bytes) SPACE rank` per line, into contiguous storage (one byte buffer, one offset
// per rank, an open-addressing index) with no string object per token.
//
// Guarantees:
//  - A known file (the rows of `known_vocab_files`, generated from data/vocab_files.tsv) is accepted
//    only when its SHA-256 equals the pinned hash; a mismatch is an error that names the file, the
//    expected and the actual hash. Malformed lines are errors that name the line.
//  - Files are found in $TOKENMAXX_VOCAB_DIR, then in the vocabularies embedded at build time
//    (when the program links tokenmaxx::embedded_vocab), then in the per-user cache directory
//    ($TOKENMAXX_CACHE_DIR, else $XDG_CACHE_HOME/tokenmaxx, else ~/.cache/tokenmaxx). The library
//    never touches the network; `scripts/fetch_vocab.py` fills the cache once for users who have one.
//  - The static loaders throw `vocab_error` / `unknown_name_error` (tiktoken-parity API); their
//    `try_` twins in nothrow.hpp return absl::Status instead (see docs/ERRORS.md).
//  - A loaded `vocabulary` is immutable and safe to share between threads; lookups allocate nothing.
//
// Example:
//   tokenmaxx::vocabulary vocab = tokenmaxx::vocabulary::load_known("cl100k_base.tiktoken");
//   tokenmaxx::rank_t r = vocab.find("hello");      // no_rank when absent
//   std::optional<std::string_view> bytes = vocab.bytes_of(r);
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/detail/embedded_vocab_hook.hpp"
#include "tokenmaxx/token/detail/rank_table.hpp"
#include "tokenmaxx/token/rank.hpp"

#ifndef TOKENMAXX_TOKEN_INLINE
#ifdef TOKENMAXX_TOKEN_COMPILED
#define TOKENMAXX_TOKEN_INLINE
#else
#define TOKENMAXX_TOKEN_INLINE inline
#endif
#endif

namespace tokenmaxx {

namespace token_detail {
struct vocabulary_access;
}  // namespace token_detail

// An official rank file: its pinned SHA-256 and where tiktoken downloads it from.
struct known_vocab_file {
  std::string_view file_name;
  std::string_view sha256;
  std::string_view url;
};

inline constexpr known_vocab_file known_vocab_files[] = {
#define TOKENMAXX_KNOWN_VOCAB_FILE(name, sha256, url) {name, sha256, url},
#include "tokenmaxx/token/detail/known_vocab_files.inc"
#undef TOKENMAXX_KNOWN_VOCAB_FILE
};

constexpr const known_vocab_file* find_known_vocab_file(std::string_view file_name) noexcept {
  for (const auto& k : known_vocab_files)
    if (k.file_name == file_name) return &k;
  return nullptr;
}

// The per-user cache directory for rank files.
std::string vocab_cache_dir();
// Where rank files are looked up, in order ($TOKENMAXX_VOCAB_DIR when set, then the cache; the
// embedded data, when linked, is consulted just before the cache).
std::vector<std::string> vocab_search_dirs();

class vocabulary {
 public:
  // The largest rank a rank file may use (the official files stop near 200,000).
  static constexpr rank_t max_rank_limit = (1u << 24) - 1;

  vocabulary() = default;

  // Parses rank-file contents. `source` names the file in error messages. Throws vocab_error.
  static vocabulary parse(std::string_view contents, std::string_view source = "<memory>");
  // A vocabulary from (token bytes, rank) pairs held in memory, e.g. a custom rank table.
  static vocabulary from_ranks(const std::vector<std::pair<std::string, rank_t>>& ranks,
                               std::string_view source = "<ranks>");
  // Reads and parses a rank file; when `expected_sha256` is given the file must match it.
  static vocabulary load_file(const std::string& path, std::optional<std::string_view> expected_sha256 = std::nullopt);
  // Finds one of the official rank files (see vocab_search_dirs) and verifies its pinned hash.
  // Throws unknown_name_error for a name that is not in known_vocab_files, vocab_error otherwise.
  static vocabulary load_known(std::string_view file_name);

  rank_t find(std::string_view bytes) const noexcept { return table_.find(bytes); }
  std::optional<std::string_view> bytes_of(rank_t r) const noexcept { return table_.bytes_of(r); }
  std::size_t size() const noexcept { return table_.size(); }
  rank_t max_rank() const noexcept { return table_.max_rank(); }
  const std::string& source() const noexcept { return source_; }
  const token_detail::rank_table& table() const noexcept { return table_; }

 private:
  friend struct token_detail::vocabulary_access;
  std::string source_;
  token_detail::rank_table table_;
};

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/vocab_impl.hpp"
#endif

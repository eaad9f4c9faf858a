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
//  - Vendor files (`vendor_vocab_files`: Llama's, Mistral's) are never embedded or fetched: they
//    are found in $TOKENMAXX_VOCAB_DIR, then inside the vendor's Python package in the folders of
//    $TOKENMAXX_SITE_PACKAGES (':'-separated; else $VIRTUAL_ENV's site-packages); when missing, the
//    error names the package to `pip install`.
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
#include "tokenmaxx/token/detail/linkage.hpp"
#include "tokenmaxx/token/detail/rank_table.hpp"
#include "tokenmaxx/token/rank.hpp"


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
#define TOKENMAXX_VENDOR_VOCAB_FILE(name, sha256, distribution, package_path, format)
#include "tokenmaxx/token/detail/known_vocab_files.inc"
#undef TOKENMAXX_VENDOR_VOCAB_FILE
#undef TOKENMAXX_KNOWN_VOCAB_FILE
};

// A rank file that a model vendor's PyPI package ships (Llama, Mistral): its pinned SHA-256, the
// distribution to install and the file's path inside site-packages. tokenmaxx never redistributes
// these; it reads them from TOKENMAXX_VOCAB_DIR or from the installed package.
struct vendor_vocab_file {
  std::string_view file_name;
  std::string_view sha256;
  std::string_view distribution;  // what `pip install` needs, e.g. "llama-models"
  std::string_view package_path;  // relative to a site-packages folder
  std::string_view format;        // "tiktoken" or "tekken" (mistral-common's JSON)
};

inline constexpr vendor_vocab_file vendor_vocab_files[] = {
#define TOKENMAXX_KNOWN_VOCAB_FILE(name, sha256, url)
#define TOKENMAXX_VENDOR_VOCAB_FILE(name, sha256, distribution, package_path, format) \
  {name, sha256, distribution, package_path, format},
#include "tokenmaxx/token/detail/known_vocab_files.inc"
#undef TOKENMAXX_VENDOR_VOCAB_FILE
#undef TOKENMAXX_KNOWN_VOCAB_FILE
};

constexpr const vendor_vocab_file* find_vendor_vocab_file(std::string_view file_name) noexcept {
  for (const auto& k : vendor_vocab_files)
    if (k.file_name == file_name) return &k;
  return nullptr;
}

constexpr const known_vocab_file* find_known_vocab_file(std::string_view file_name) noexcept {
  for (const auto& k : known_vocab_files)
    if (k.file_name == file_name) return &k;
  return nullptr;
}

// The per-user cache directory for rank files.
std::string vocab_cache_dir();
// The site-packages folders searched for vendor files: $TOKENMAXX_SITE_PACKAGES (':'-separated),
// else those of $VIRTUAL_ENV (lib/python3.*/site-packages).
std::vector<std::string> vendor_search_dirs();
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
  // Finds one of the official rank files (see vocab_search_dirs) or a vendor file (in
  // $TOKENMAXX_VOCAB_DIR, then in its package under vendor_search_dirs()) and verifies its pinned
  // hash. Throws unknown_name_error for a name in neither table, vocab_error otherwise (a vendor
  // file that is nowhere names the PyPI package to install).
  static vocabulary load_known(std::string_view file_name);
  // Reads a vendor file from `path` (its format, its pinned hash). Throws like load_known.
  static vocabulary load_vendor_file(std::string_view file_name, const std::string& path);
  // Parses mistral-common's tekken JSON: the first default_vocab_size - default_num_special_tokens
  // ranks, each offset by default_num_special_tokens (Tekkenizer's ids). Throws vocab_error.
  static vocabulary parse_tekken(std::string_view json, std::string_view source = "<memory>");

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

// tokenmaxx/vocab.hpp
//
// BPE vocabularies ("rank files"): the `.tiktoken` format, one `base64(token bytes) SPACE rank`
// per line, loaded into flat contiguous storage (one byte buffer, one offset per rank, an
// open-addressing index) with no string object per token.
//
// Guarantees:
//  - A known file (r50k_base, p50k_base, cl100k_base, o200k_base) is accepted only when its
//    SHA-256 equals the hash tiktoken pins; a mismatch is a `vocab_error` that names the file, the
//    expected and the actual hash. Malformed lines are errors that name the line.
//  - Files are found in $TOKENMAXX_VOCAB_DIR, then in the vocabularies embedded at build time
//    (when the program links tokenmaxx::embedded_vocab), then in the per-user cache directory
//    ($TOKENMAXX_CACHE_DIR, else $XDG_CACHE_HOME/tokenmaxx, else ~/.cache/tokenmaxx). The library
//    never touches the network; `scripts/fetch_vocab.py` fills the cache once for users who have one.
//  - A loaded `vocabulary` is immutable and safe to share between threads.
//
//   auto vocab = tokenmaxx::vocabulary::load_known("cl100k_base.tiktoken");
//   tokenmaxx::rank_t r = vocab.find("hello");      // kNoRank when absent
//   std::string_view bytes = *vocab.bytes_of(r);
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/detail/rank_table.hpp"
#include "tokenmaxx/detail/sha256.hpp"
#include "tokenmaxx/errors.hpp"

namespace tokenmaxx::detail {
// Where load_known finds embedded rank files: null unless a translation unit compiled with
// TOKENMAXX_EMBEDDED_VOCAB (which tokenmaxx::embedded_vocab sets on its users) registered the
// lookup during static initialization. A run-time hook instead of an #ifdef inside load_known
// keeps every inline function identical in every translation unit, so a program in which only
// some parts link the embedded data has no ODR violation. (Static initializers elsewhere that
// load a vocabulary may run before the registration.)
using embedded_vocab_lookup = std::string_view (*)(std::string_view file_name) noexcept;
inline std::atomic<embedded_vocab_lookup> embedded_vocab_provider{nullptr};
#ifdef TOKENMAXX_EMBEDDED_VOCAB
// Defined by the optional compiled target tokenmaxx::embedded_vocab; empty for unknown names.
std::string_view embedded_vocab_file(std::string_view file_name) noexcept;
inline const bool embedded_vocab_registered =
    (embedded_vocab_provider.store(&embedded_vocab_file, std::memory_order_release), true);
#endif
}  // namespace tokenmaxx::detail

namespace tokenmaxx {

using rank_t = detail::rank_t;
inline constexpr rank_t kNoRank = detail::kNoRank;

// The official rank files, their pinned SHA-256 (as tiktoken pins them) and where tiktoken
// downloads them from.
struct known_vocab_file {
  std::string_view file_name;
  std::string_view sha256;
  std::string_view url;
};
inline constexpr known_vocab_file kKnownVocabFiles[] = {
    {"r50k_base.tiktoken", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
     "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken"},
    {"p50k_base.tiktoken", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
     "https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken"},
    {"cl100k_base.tiktoken", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
     "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"},
    {"o200k_base.tiktoken", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
     "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"},
};

inline const known_vocab_file* find_known_vocab_file(std::string_view file_name) {
  for (const auto& k : kKnownVocabFiles)
    if (k.file_name == file_name) return &k;
  return nullptr;
}

// The per-user cache directory for rank files.
inline std::filesystem::path vocab_cache_dir() {
  if (const char* d = std::getenv("TOKENMAXX_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "tokenmaxx";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "tokenmaxx";
  return std::filesystem::temp_directory_path() / "tokenmaxx-cache";
}

// Where rank files are looked up, in order.
inline std::vector<std::filesystem::path> vocab_search_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* d = std::getenv("TOKENMAXX_VOCAB_DIR"); d && *d) dirs.emplace_back(d);
  dirs.push_back(vocab_cache_dir());
  return dirs;
}

namespace detail {

inline int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict standard base64 (with padding) into `out`; false on any malformed input.
inline bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.empty() || in.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const unsigned char c = static_cast<unsigned char>(in[i + k]);
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return false;  // data after padding
        v[k] = base64_value(c);
        if (v[k] < 0) return false;
      }
    }
    const std::uint32_t w = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) | (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
    out.push_back(char(w >> 16));
    if (pad < 2) out.push_back(char((w >> 8) & 0xFF));
    if (pad < 1) out.push_back(char(w & 0xFF));
  }
  return true;
}

}  // namespace detail

class vocabulary {
 public:
  // The largest rank a rank file may use (the official files stop near 200,000).
  static constexpr rank_t kMaxRank = (1u << 24) - 1;

  vocabulary() = default;

  // Parses rank-file contents. `source` names the file in error messages.
  static vocabulary parse(std::string_view contents, std::string_view source = "<memory>") {
    vocabulary v;
    v.source_ = std::string(source);
    std::string token;
    std::size_t line_no = 0, pos = 0;
    auto fail = [&](const std::string& why) {
      throw vocab_error("rank file " + std::string(source) + " line " + std::to_string(line_no) + ": " + why);
    };
    while (pos < contents.size()) {
      std::size_t eol = contents.find('\n', pos);
      if (eol == std::string_view::npos) eol = contents.size();
      std::string_view line = contents.substr(pos, eol - pos);
      pos = eol + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      const std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos || line.find(' ', sp + 1) != std::string_view::npos)
        fail("expected 'base64 rank'");
      const std::string_view b64 = line.substr(0, sp), num = line.substr(sp + 1);
      if (!detail::base64_decode(b64, token)) fail("invalid base64 token");
      if (num.empty() || num.size() > 10) fail("invalid rank");
      std::uint64_t rank = 0;
      for (char c : num) {
        if (c < '0' || c > '9') fail("invalid rank");
        rank = rank * 10 + std::uint64_t(c - '0');
      }
      // Ranks index flat arrays, so a corrupt file must not be able to demand gigabytes.
      if (rank > kMaxRank) fail("rank " + std::to_string(rank) + " out of range (at most " + std::to_string(kMaxRank) + ")");
      v.table_.add(token, static_cast<rank_t>(rank));
    }
    if (line_no == 0) throw vocab_error("rank file " + std::string(source) + " is empty");
    if (const rank_t dup = v.table_.finalize(); dup != kNoRank)
      throw vocab_error("rank file " + std::string(source) + ": duplicate rank " + std::to_string(dup));
    if (v.table_.size() != v.count_distinct_tokens())
      throw vocab_error("rank file " + std::string(source) + " maps the same token bytes to two ranks");
    return v;
  }

  // A vocabulary from (token bytes, rank) pairs held in memory, e.g. a custom rank table.
  static vocabulary from_ranks(const std::vector<std::pair<std::string, rank_t>>& ranks,
                               std::string_view source = "<ranks>") {
    vocabulary v;
    v.source_ = std::string(source);
    for (const auto& [bytes, rank] : ranks) {
      if (bytes.empty()) throw vocab_error(std::string(source) + ": empty token for rank " + std::to_string(rank));
      if (rank > kMaxRank) throw vocab_error(std::string(source) + ": rank " + std::to_string(rank) + " out of range");
      v.table_.add(bytes, rank);
    }
    if (ranks.empty()) throw vocab_error(std::string(source) + " is empty");
    if (const rank_t dup = v.table_.finalize(); dup != kNoRank)
      throw vocab_error(std::string(source) + ": duplicate rank " + std::to_string(dup));
    if (v.table_.size() != v.count_distinct_tokens())
      throw vocab_error(std::string(source) + " maps the same token bytes to two ranks");
    return v;
  }

  // Reads and parses a rank file; when `expected_sha256` is given the file must match it.
  static vocabulary load_file(const std::filesystem::path& path,
                              std::optional<std::string_view> expected_sha256 = std::nullopt) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw vocab_error("cannot open rank file " + path.string());
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string contents = std::move(buf).str();
    if (expected_sha256) verify_sha256(contents, *expected_sha256, path.string());
    return parse(contents, path.string());
  }

  // Finds one of the official rank files (see vocab_search_dirs) and verifies its pinned hash.
  static vocabulary load_known(std::string_view file_name) {
    const known_vocab_file* known = find_known_vocab_file(file_name);
    if (!known) throw unknown_name_error("unknown rank file " + std::string(file_name));
    std::string tried;
    const auto dirs = vocab_search_dirs();
    for (std::size_t k = 0; k < dirs.size(); ++k) {
      const bool is_cache = k + 1 == dirs.size();
      if (const auto lookup = detail::embedded_vocab_provider.load(std::memory_order_acquire); is_cache && lookup) {
        if (auto data = lookup(file_name); !data.empty()) {
          verify_sha256(data, known->sha256, "embedded " + std::string(file_name));
          return parse(data, "embedded " + std::string(file_name));
        }
      }
      const auto path = dirs[k] / std::string(file_name);
      std::error_code ec;
      if (std::filesystem::is_regular_file(path, ec)) return load_file(path, known->sha256);
      tried += (tried.empty() ? "" : ", ") + path.string();
    }
    throw vocab_error("rank file " + std::string(file_name) + " not found (looked in " + tried +
                      "); set TOKENMAXX_VOCAB_DIR or run scripts/fetch_vocab.py");
  }

  static void verify_sha256(std::string_view contents, std::string_view expected, const std::string& source) {
    const std::string actual = detail::sha256_hex(contents);
    if (actual != expected)
      throw vocab_error("rank file " + source + " failed its integrity check: expected SHA-256 " +
                        std::string(expected) + ", actual " + actual);
  }

  rank_t find(std::string_view bytes) const { return table_.find(bytes); }
  std::optional<std::string_view> bytes_of(rank_t r) const { return table_.bytes_of(r); }
  std::size_t size() const { return table_.size(); }
  rank_t max_rank() const { return table_.max_rank(); }
  const std::string& source() const { return source_; }
  const detail::rank_table& table() const { return table_; }

 private:
  std::size_t count_distinct_tokens() const {
    std::size_t n = 0;
    for (rank_t r = 0; r <= table_.max_rank(); ++r) {
      auto b = table_.bytes_of(r);
      if (b && table_.find(*b) == r) ++n;
    }
    return n;
  }

  std::string source_;
  detail::rank_table table_;
};

}  // namespace tokenmaxx

// Internal to the tokenizer; include <tokenmaxx/token/vocab.hpp> instead.
//
// The out-of-line part of vocab.hpp: rank-file parsing, hash pinning and file lookup. Header-only
// builds include it from vocab.hpp; the compiled target (tokenmaxx::token_compiled) compiles it
// once, so services that link it do not parse <filesystem> and OpenSSL in every translation unit.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx {
namespace token_detail {

constexpr int base64_value(unsigned char c) noexcept {
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
    for (std::size_t k = 0; k < 4; ++k) {
      const auto c = static_cast<unsigned char>(in[i + k]);
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return false;  // data after padding
        v[k] = base64_value(c);
        if (v[k] < 0) return false;
      }
    }
    const std::uint32_t w = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) |
                            (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
    out.push_back(static_cast<char>(w >> 16));
    if (pad < 2) out.push_back(static_cast<char>((w >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(w & 0xFF));
  }
  return true;
}

struct vocabulary_access {
  static std::string& source(vocabulary& v) { return v.source_; }
  static rank_table& table(vocabulary& v) { return v.table_; }

  // Ranks must be distinct and each token's bytes must map to one rank.
  static std::optional<std::string> finish(vocabulary& v, std::string_view source) {
    if (const rank_t dup = v.table_.finalize(); dup != no_rank)
      return std::string(source) + ": duplicate rank " + std::to_string(dup);
    std::size_t distinct = 0;
    for (rank_t r = 0; r <= v.table_.max_rank(); ++r) {
      auto b = v.table_.bytes_of(r);
      if (b && v.table_.find(*b) == r) ++distinct;
    }
    if (v.table_.size() != distinct) return std::string(source) + " maps the same token bytes to two ranks";
    return std::nullopt;
  }
};

TOKENMAXX_TOKEN_INLINE outcome<vocabulary> parse_vocabulary(std::string_view contents, std::string_view source) {
  using out = outcome<vocabulary>;
  vocabulary v;
  vocabulary_access::source(v) = std::string(source);
  rank_table& table = vocabulary_access::table(v);
  std::string token;
  std::size_t line_no = 0, token_lines = 0, pos = 0;
  const auto bad_line = [&](const std::string& why) {
    return out::fail(failure_kind::corrupt_data,
                     "rank file " + std::string(source) + " line " + std::to_string(line_no) + ": " + why);
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
      return bad_line("expected 'base64 rank'");
    const std::string_view b64 = line.substr(0, sp), num = line.substr(sp + 1);
    if (!base64_decode(b64, token)) return bad_line("invalid base64 token");
    if (num.empty() || num.size() > 10) return bad_line("invalid rank");
    std::uint64_t rank = 0;
    for (char c : num) {
      if (c < '0' || c > '9') return bad_line("invalid rank");
      rank = rank * 10 + std::uint64_t(c - '0');
    }
    // Ranks index flat arrays, so a corrupt file must not be able to demand gigabytes.
    if (rank > vocabulary::max_rank_limit)
      return bad_line("rank " + std::to_string(rank) + " out of range (at most " +
                      std::to_string(vocabulary::max_rank_limit) + ")");
    table.add(token, static_cast<rank_t>(rank));
    ++token_lines;
  }
  // Blank lines alone are as empty as no bytes at all: such a vocabulary could encode nothing.
  if (token_lines == 0) return out::fail(failure_kind::corrupt_data, "rank file " + std::string(source) + " is empty (no token line)");
  if (auto why = vocabulary_access::finish(v, "rank file " + std::string(source)))
    return out::fail(failure_kind::corrupt_data, *why);
  return out::ok(std::move(v));
}

TOKENMAXX_TOKEN_INLINE outcome<vocabulary> vocabulary_from_ranks(const std::vector<std::pair<std::string, rank_t>>& ranks,
                                                               std::string_view source) {
  using out = outcome<vocabulary>;
  vocabulary v;
  vocabulary_access::source(v) = std::string(source);
  if (ranks.empty()) return out::fail(failure_kind::invalid_vocabulary, std::string(source) + " is empty");
  for (const auto& [bytes, rank] : ranks) {
    if (bytes.empty())
      return out::fail(failure_kind::invalid_vocabulary,
                       std::string(source) + ": empty token for rank " + std::to_string(rank));
    if (rank > vocabulary::max_rank_limit)
      return out::fail(failure_kind::invalid_vocabulary,
                       std::string(source) + ": rank " + std::to_string(rank) + " out of range");
    vocabulary_access::table(v).add(bytes, rank);
  }
  if (auto why = vocabulary_access::finish(v, source)) return out::fail(failure_kind::invalid_vocabulary, *why);
  return out::ok(std::move(v));
}

// A failure when `contents` does not hash to `expected`.
inline std::optional<failure> check_sha256(std::string_view contents, std::string_view expected, const std::string& source) {
  const std::string actual = base::sha256_hex(contents);
  if (actual.empty()) return failure{failure_kind::internal, "rank file " + source + ": OpenSSL SHA-256 failed"};
  if (actual != expected)
    return failure{failure_kind::corrupt_data, "rank file " + source + " failed its integrity check: expected SHA-256 " +
                                                   std::string(expected) + ", actual " + actual};
  return std::nullopt;
}

TOKENMAXX_TOKEN_INLINE outcome<vocabulary> load_vocabulary_file(const std::string& path,
                                                              std::optional<std::string_view> expected_sha256) {
  using out = outcome<vocabulary>;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out::fail(failure_kind::file_not_found, "cannot open rank file " + path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return out::fail(failure_kind::file_not_found, "cannot read rank file " + path);
  if (expected_sha256)
    if (auto f = check_sha256(contents, *expected_sha256, path)) return {std::nullopt, std::move(f)};
  return parse_vocabulary(contents, path);
}

// vendor_vocab_impl.hpp: files that a vendor's Python package ships.
TOKENMAXX_TOKEN_INLINE outcome<vocabulary> load_vendor_vocabulary(const vendor_vocab_file& file);

TOKENMAXX_TOKEN_INLINE outcome<vocabulary> load_known_vocabulary(std::string_view file_name) {
  using out = outcome<vocabulary>;
  const known_vocab_file* known = find_known_vocab_file(file_name);
  if (!known) {
    if (const vendor_vocab_file* vendor = find_vendor_vocab_file(file_name)) return load_vendor_vocabulary(*vendor);
    std::string names;
    for (const auto& k : known_vocab_files) names += (names.empty() ? "" : ", ") + std::string(k.file_name);
    for (const auto& k : vendor_vocab_files) names += ", " + std::string(k.file_name);
    return out::fail(failure_kind::unknown_name, "unknown rank file " + std::string(file_name) + "; known: " + names);
  }
  std::string tried;
  const std::vector<std::string> dirs = vocab_search_dirs();
  for (std::size_t k = 0; k < dirs.size(); ++k) {
    const bool is_cache = k + 1 == dirs.size();
    if (const auto lookup = embedded_vocab_provider.load(std::memory_order_acquire); is_cache && lookup) {
      if (auto data = lookup(file_name); !data.empty()) {
        const std::string source = "embedded " + std::string(file_name);
        if (auto f = check_sha256(data, known->sha256, source)) return {std::nullopt, std::move(f)};
        return parse_vocabulary(data, source);
      }
    }
    const std::filesystem::path path = std::filesystem::path(dirs[k]) / std::string(file_name);
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return load_vocabulary_file(path.string(), known->sha256);
    tried += (tried.empty() ? "" : ", ") + path.string();
  }
  return out::fail(failure_kind::file_not_found, "rank file " + std::string(file_name) + " not found (looked in " +
                                                     tried + "); set TOKENMAXX_VOCAB_DIR or run scripts/fetch_vocab.py");
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE std::string vocab_cache_dir() {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("TOKENMAXX_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return (fs::path(d) / "tokenmaxx").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "tokenmaxx").string();
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  return ((ec ? fs::path("/tmp") : tmp) / "tokenmaxx-cache").string();
}

TOKENMAXX_TOKEN_INLINE std::vector<std::string> vocab_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("TOKENMAXX_VOCAB_DIR"); d && *d) dirs.emplace_back(d);
  dirs.push_back(vocab_cache_dir());
  return dirs;
}

TOKENMAXX_TOKEN_INLINE vocabulary vocabulary::parse(std::string_view contents, std::string_view source) {
  return token_detail::value_or_raise(token_detail::parse_vocabulary(contents, source));
}
TOKENMAXX_TOKEN_INLINE vocabulary vocabulary::from_ranks(const std::vector<std::pair<std::string, rank_t>>& ranks,
                                                         std::string_view source) {
  return token_detail::value_or_raise(token_detail::vocabulary_from_ranks(ranks, source));
}
TOKENMAXX_TOKEN_INLINE vocabulary vocabulary::load_file(const std::string& path,
                                                        std::optional<std::string_view> expected_sha256) {
  return token_detail::value_or_raise(token_detail::load_vocabulary_file(path, expected_sha256));
}
TOKENMAXX_TOKEN_INLINE vocabulary vocabulary::load_known(std::string_view file_name) {
  return token_detail::value_or_raise(token_detail::load_known_vocabulary(file_name));
}

}  // namespace tokenmaxx

#include "tokenmaxx/token/detail/vendor_vocab_impl.hpp"

// Internal: checksums, UTF-8 validation and little-endian helpers for the ledger. Not public API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tokenmaxx/detail/sha256.hpp"
#include "tokenmaxx/detail/utf8.hpp"

namespace tokenmaxx::detail {

using sha256_digest = std::array<unsigned char, 32>;

// SHA-256 through OpenSSL's EVP interface (shared with the vocabulary loader). Returns false only
// if OpenSSL itself fails.
inline bool ledger_sha256(std::string_view data, sha256_digest& out) noexcept { return try_sha256(data, out); }

inline std::string ledger_hex(const sha256_digest& d) { return to_hex(d.data(), d.size()); }

// Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF), as the tokenizer validates it.
inline bool ledger_valid_utf8(std::string_view s) noexcept { return first_invalid_utf8(s) == std::string_view::npos; }

// Key strings (tenant, model, provider) must be valid UTF-8 without control characters, at most
// 256 bytes; tenant and model must be non-empty.
inline constexpr std::size_t ledger_max_key_bytes = 256;

inline absl::Status ledger_check_key(std::string_view what, std::string_view s, bool allow_empty) {
  if (s.empty() && !allow_empty) return absl::InvalidArgumentError(std::string(what) + " must not be empty");
  if (s.size() > ledger_max_key_bytes)
    return absl::InvalidArgumentError(std::string(what) + " is longer than 256 bytes");
  if (!ledger_valid_utf8(s)) return absl::InvalidArgumentError(std::string(what) + " is not valid UTF-8");
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return absl::InvalidArgumentError(std::string(what) + " contains a control character");
  return absl::OkStatus();
}

inline void ledger_put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
inline void ledger_put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline void ledger_put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Bounds-checked little-endian reader.
class ledger_reader {
 public:
  explicit ledger_reader(std::string_view s) : s_(s) {}
  bool u8(std::uint8_t& v) { return get(v, 1); }
  bool u16(std::uint16_t& v) { return get(v, 2); }
  bool u32(std::uint32_t& v) { return get(v, 4); }
  bool u64(std::uint64_t& v) { return get(v, 8); }
  bool bytes(std::size_t n, std::string& v) {
    if (s_.size() - pos_ < n) return false;
    v.assign(s_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t remaining() const { return s_.size() - pos_; }

 private:
  template <class T>
  bool get(T& v, std::size_t n) {
    if (s_.size() - pos_ < n) return false;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i) x |= std::uint64_t(static_cast<unsigned char>(s_[pos_ + i])) << (8 * i);
    v = static_cast<T>(x);
    pos_ += n;
    return true;
  }
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace tokenmaxx::detail

// Internal to usage/; include <tokenmaxx/usage/ledger.hpp> instead.
// Validation and hashing of the ledger's key strings (tenant, model, provider).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "tokenmaxx/base/utf8.hpp"

namespace tokenmaxx::usage_detail {

// Key strings (tenant, model, provider) must be valid UTF-8 without control characters, at most
// 256 bytes; tenant and model must be non-empty.
inline constexpr std::size_t max_key_bytes = 256;

inline absl::Status check_key(std::string_view what, std::string_view s, bool allow_empty) {
  if (s.empty() && !allow_empty) return absl::InvalidArgumentError(std::string(what) + " must not be empty");
  if (s.size() > max_key_bytes) return absl::InvalidArgumentError(std::string(what) + " is longer than 256 bytes");
  if (!base::is_valid_utf8(s)) return absl::InvalidArgumentError(std::string(what) + " is not valid UTF-8");
  for (char ch : s)
    if (const auto c = static_cast<unsigned char>(ch); c < 0x20 || c == 0x7F) return absl::InvalidArgumentError(std::string(what) + " contains a control character");
  return absl::OkStatus();
}

inline std::uint64_t key_hash(std::string_view a, std::string_view b) noexcept {
  return static_cast<std::uint64_t>(absl::HashOf(a, b));
}

}  // namespace tokenmaxx::usage_detail

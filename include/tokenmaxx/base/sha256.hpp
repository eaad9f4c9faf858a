// tokenmaxx/base/sha256.hpp: SHA-256 and hex, through OpenSSL's EVP interface.
//
// The one SHA-256 of the library: vocabulary pinning, snapshot checksums and report fingerprints
// all use it. The project never hand-writes cryptography; every digest is OpenSSL's.
//
// Guarantees:
//  - `try_sha256` never throws and returns false only when OpenSSL itself fails; callers on a
//    Status path turn that into an error. `sha256_hex` reports the same failure by returning an
//    empty string, which never equals a real 64-digit digest.
//  - Pure functions over their arguments; safe to call from any thread.
//
// Example:
//   std::string h = tokenmaxx::base::sha256_hex("abc");
//   // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tokenmaxx::base {

using sha256_digest = std::array<std::uint8_t, 32>;

// False only when OpenSSL itself fails.
inline bool try_sha256(std::string_view data, sha256_digest& digest) noexcept {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) == 1 && len == 32;
}

// Lower-case hexadecimal digits of `bytes`.
inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string out(2 * bytes.size(), '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = hex_digits[bytes[i] >> 4];
    out[2 * i + 1] = hex_digits[bytes[i] & 15];
  }
  return out;
}

// The SHA-256 of `data` as 64 hex digits; "" if OpenSSL failed.
inline std::string sha256_hex(std::string_view data) {
  sha256_digest d{};
  if (!try_sha256(data, d)) return {};
  return to_hex(d);
}

}  // namespace tokenmaxx::base

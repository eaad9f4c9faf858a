// SHA-256 through OpenSSL's EVP interface (the project never hand-writes cryptography).
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tokenmaxx::detail {

// False only when OpenSSL itself fails.
inline bool try_sha256(std::string_view data, std::array<std::uint8_t, 32>& digest) noexcept {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) == 1 && len == 32;
}

inline std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint8_t, 32> digest{};
  if (!try_sha256(data, digest)) throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
  return digest;
}

inline std::string to_hex(const std::uint8_t* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

inline std::string sha256_hex(std::string_view data) {
  const auto d = sha256(data);
  return to_hex(d.data(), d.size());
}

}  // namespace tokenmaxx::detail

// tokenmaxx/base/hmac.hpp: keyed hashing through OpenSSL: HMAC-SHA256, HKDF-SHA256, wiped secrets.
//
// Thin RAII wrappers over OpenSSL's EVP_MAC and EVP_KDF. No cryptography is implemented here;
// every primitive is OpenSSL's. Used by the privacy layer's pseudonyms and the ledger's optional
// snapshot authentication.
//
// Guarantees:
//  - Every failure of OpenSSL is an absl::Status carrying OpenSSL's own error text; nothing throws.
//  - `secret_bytes` wipes its contents with OPENSSL_cleanse when destroyed or overwritten.
//  - An `hmac_sha256` is keyed once; `mac()` duplicates the keyed context per call, so concurrent
//    calls on one const object are safe.
//
// Example:
//   std::array<unsigned char, 32> key{1, 2, 3};
//   auto mac = tokenmaxx::base::hmac_sha256::create(key);
//   std::array<unsigned char, 32> tag;
//   absl::Status st = mac->mac("message", tag);
#pragma once

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/detail/openssl.hpp"

namespace tokenmaxx::base {

using evp_mac_ptr = base_detail::openssl_ptr<EVP_MAC, EVP_MAC_free>;
using evp_mac_ctx_ptr = base_detail::openssl_ptr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using evp_kdf_ptr = base_detail::openssl_ptr<EVP_KDF, EVP_KDF_free>;
using evp_kdf_ctx_ptr = base_detail::openssl_ptr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using base_detail::openssl_error_text;

// A fixed-size secret that is wiped with OPENSSL_cleanse when destroyed or overwritten.
template <std::size_t N>
class secret_bytes {
 public:
  secret_bytes() noexcept { bytes_.fill(0); }
  secret_bytes(const secret_bytes& o) noexcept : bytes_(o.bytes_) {}
  secret_bytes& operator=(const secret_bytes& o) noexcept {
    if (this != &o) bytes_ = o.bytes_;
    return *this;
  }
  ~secret_bytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  unsigned char* data() noexcept { return bytes_.data(); }
  const unsigned char* data() const noexcept { return bytes_.data(); }
  static constexpr std::size_t size() noexcept { return N; }

 private:
  std::array<unsigned char, N> bytes_;
};

// HKDF-SHA256 (RFC 5869) through EVP_KDF: extract-and-expand `ikm` with `salt` and `info` into out.
inline absl::Status hkdf_sha256(std::span<const unsigned char> ikm, std::string_view salt,
                                std::string_view info, std::span<unsigned char> out) {
  evp_kdf_ptr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return absl::InternalError("OpenSSL HKDF unavailable: " + openssl_error_text());
  evp_kdf_ctx_ptr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return absl::InternalError("EVP_KDF_CTX_new failed: " + openssl_error_text());
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return absl::InternalError("HKDF-SHA256 derivation failed: " + openssl_error_text());
  }
  return absl::OkStatus();
}

// An HMAC-SHA256 context keyed once; `mac()` duplicates it per call, so concurrent calls on one
// const object are safe (EVP_MAC_CTX_dup only reads the template).
class hmac_sha256 {
 public:
  static absl::StatusOr<hmac_sha256> create(std::span<const unsigned char> key) {
    evp_mac_ptr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac) return absl::InternalError("OpenSSL HMAC unavailable: " + openssl_error_text());
    evp_mac_ctx_ptr ctx(EVP_MAC_CTX_new(mac.get()));
    if (!ctx) return absl::InternalError("EVP_MAC_CTX_new failed: " + openssl_error_text());
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) {
      return absl::InternalError("HMAC-SHA256 key setup failed: " + openssl_error_text());
    }
    hmac_sha256 out;
    out.template_ = std::move(ctx);
    return out;
  }

  // HMAC-SHA256(key, message), full 32 bytes.
  absl::Status mac(std::string_view message, std::array<unsigned char, 32>& out) const {
    evp_mac_ctx_ptr ctx(EVP_MAC_CTX_dup(template_.get()));
    if (!ctx) return absl::InternalError("EVP_MAC_CTX_dup failed: " + openssl_error_text());
    std::size_t len = 0;
    if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
      return absl::InternalError("HMAC-SHA256 failed: " + openssl_error_text());
    }
    return absl::OkStatus();
  }

 private:
  hmac_sha256() = default;
  evp_mac_ctx_ptr template_;
};

}  // namespace tokenmaxx::base

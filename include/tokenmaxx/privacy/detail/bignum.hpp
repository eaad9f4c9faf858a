// Internal to the privacy layer; include <tokenmaxx/privacy.hpp> instead.
// RAII wrappers over OpenSSL BIGNUM, for the discrete Gaussian sampler's exact arithmetic.
#pragma once

#include <openssl/bn.h>

#include <cstdint>
#include <memory>
#include <new>

#include "tokenmaxx/base/status.hpp"

namespace tokenmaxx::privacy_detail {

struct bn_deleter {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct bn_ctx_deleter {
  void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, bn_ctx_deleter>;

inline bn_ptr bn_new() {
  bn_ptr p(BN_new());
  if (!p) base::raise(std::bad_alloc());
  return p;
}

inline bn_ptr bn_from_u64(std::uint64_t v) {
  bn_ptr p = bn_new();
  if (BN_set_word(p.get(), v) != 1) base::raise(std::bad_alloc());
  return p;
}

}  // namespace tokenmaxx::privacy_detail

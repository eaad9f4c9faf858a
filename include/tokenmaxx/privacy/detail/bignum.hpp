// Internal to the privacy layer; include <tokenmaxx/privacy/aggregator.hpp> instead.
// RAII wrappers over OpenSSL BIGNUM, for the discrete Gaussian sampler's exact arithmetic.
#pragma once

#include <openssl/bn.h>

#include <cstdint>
#include <memory>
#include <new>

#include "tokenmaxx/base/detail/openssl.hpp"
#include "tokenmaxx/base/status.hpp"

namespace tokenmaxx::privacy_detail {

using bn_ptr = base_detail::openssl_ptr<BIGNUM, BN_free>;
using bn_ctx_ptr = base_detail::openssl_ptr<BN_CTX, BN_CTX_free>;

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

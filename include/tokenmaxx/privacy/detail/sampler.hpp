// Internal to the privacy layer; include <tokenmaxx/privacy/aggregator.hpp> instead.
// Exact samplers for differential privacy noise.
//
// The algorithms are those of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
// Privacy" (NeurIPS 2020), Algorithms 1-3. They use only integer and rational arithmetic and uniform
// random bits, so their output distributions are exactly the stated ones (no floating point, no
// rounding leaks):
//
//   bernoulli_exp(n, d)       Bernoulli(exp(-n/d)) for a non-negative rational n/d
//   discrete_laplace(t, s)    P(x) proportional to exp(-|x| * s / t) on the integers (scale t/s)
//   discrete_gaussian(a, b)   P(x) proportional to exp(-x^2 / (2 sigma^2)) with sigma^2 = a/b
//
// Laplace works in absl::uint128 (scale numerator t < 2^62, so t * K never overflows for any K a
// run can reach); the Gaussian's acceptance test works in OpenSSL BIGNUMs, so sigma^2 may be any
// rational whose floor fits in 120 bits.
//
// Failure of the randomness: `random_bits` remembers the first error of its source. From then on it
// hands out zero bits, and every sampling loop below checks `failed()` so that it ends at once; the
// caller reads `status()` after drawing and discards whatever was drawn. Nothing throws.
//
// Not thread safe: one `random_bits` (and one sampler) per thread.
#pragma once

#include <openssl/bn.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/privacy/detail/bignum.hpp"
#include "tokenmaxx/privacy/detail/byte_source.hpp"

namespace tokenmaxx::privacy_detail {

// Buffers bytes from a byte_source and hands out uniform words, bits and bounded integers.
class random_bits {
 public:
  explicit random_bits(byte_source& src) : src_(src) {}

  // OK until the source fails once; then the first error, for good.
  const absl::Status& status() const noexcept { return status_; }
  bool failed() const noexcept { return !status_.ok(); }

  std::uint64_t next_u64() {
    if (pos_ + 8 > buf_.size()) refill();
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < 8; ++i) w |= std::uint64_t{buf_[pos_ + i]} << (8 * i);
    pos_ += 8;
    return w;
  }

  bool next_bit() {
    if (bits_left_ == 0) {
      bit_word_ = next_u64();
      bits_left_ = 64;
    }
    const bool b = (bit_word_ & 1u) != 0;
    bit_word_ >>= 1;
    --bits_left_;
    return b;
  }

  void fill(std::span<unsigned char> out) {
    for (unsigned char& c : out) {
      if (pos_ >= buf_.size()) refill();
      c = buf_[pos_++];
    }
  }

  // Uniform on [0, n) for n >= 1 (n = 0 is treated as 1). Rejection sampling from the smallest power
  // of two >= n.
  absl::uint128 uniform_below(absl::uint128 n) {
    if (n <= 1) return 0;
    const absl::uint128 m = n - 1;
    const int bits = absl::Uint128High64(m) != 0 ? 128 - std::countl_zero(absl::Uint128High64(m))
                                                 : 64 - std::countl_zero(absl::Uint128Low64(m));
    if (bits == 0) return 0;
    for (;;) {
      absl::uint128 x;
      if (bits <= 64) {
        std::uint64_t w = next_u64();
        if (bits < 64) w &= (std::uint64_t{1} << bits) - 1;
        x = w;
      } else {
        std::uint64_t hi = next_u64();
        const std::uint64_t lo = next_u64();
        if (bits < 128) hi &= (std::uint64_t{1} << (bits - 64)) - 1;
        x = absl::MakeUint128(hi, lo);
      }
      if (x < n) return x;
      if (failed()) return 0;
    }
  }

 private:
  void refill() {
    pos_ = 0;
    if (!failed()) status_ = src_.fill(std::span<unsigned char>(buf_.data(), buf_.size()));
    if (failed()) buf_.fill(0);
  }

  byte_source& src_;
  absl::Status status_;
  std::array<unsigned char, 512> buf_{};
  std::size_t pos_ = 512;
  std::uint64_t bit_word_ = 0;
  int bits_left_ = 0;
};

// Bernoulli(n / d) for 0 <= n <= d, d > 0.
inline bool bernoulli_rational(random_bits& rb, absl::uint128 n, absl::uint128 d) {
  if (n >= d) return true;
  if (n == 0) return false;
  return rb.uniform_below(d) < n;
}

// Bernoulli(exp(-n/d)) for 0 <= n <= d (CKS Algorithm 1, gamma in [0, 1]).
inline bool bernoulli_exp_unit(random_bits& rb, absl::uint128 n, absl::uint128 d) {
  std::uint64_t k = 1;
  for (;;) {
    // d * k cannot overflow: callers keep d < 2^64 and k < 2^64 (reaching k = K has probability 1/K!).
    if (!bernoulli_rational(rb, n, d * k) || rb.failed()) break;
    ++k;
  }
  return (k & 1u) == 1u && !rb.failed();  // false once failed, so callers' "while true" loops end
}

// Bernoulli(exp(-n/d)) for any non-negative rational n/d with d in [1, 2^64) (CKS Algorithm 1).
inline bool bernoulli_exp(random_bits& rb, absl::uint128 n, absl::uint128 d) {
  while (n > d) {
    if (!bernoulli_exp_unit(rb, 1, 1)) return false;
    n -= d;
  }
  return bernoulli_exp_unit(rb, n, d);
}

// Discrete Laplace with scale t/s: P(x) = (1-q)/(1+q) q^|x|, q = exp(-s/t) (CKS Algorithm 2).
// Requires 1 <= t < 2^62 and s >= 1.
inline std::int64_t discrete_laplace(random_bits& rb, std::uint64_t t, std::uint64_t s) {
  for (;;) {
    if (rb.failed()) return 0;
    const absl::uint128 u = rb.uniform_below(t);
    if (!bernoulli_exp(rb, u, t)) continue;
    std::uint64_t v = 0;
    while (bernoulli_exp_unit(rb, 1, 1)) ++v;
    const absl::uint128 x = u + absl::uint128(t) * v;
    const absl::uint128 y128 = x / s;
    const bool negative = rb.next_bit();
    if (negative && y128 == 0) continue;
    // |y| >= 2^63 needs v > 2 (one in e^2 per extra unit of t), i.e. probability below e^-2^61 / t.
    const std::int64_t y = absl::Uint128High64(y128) != 0 ||
                                   absl::Uint128Low64(y128) >
                                       static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                               ? std::numeric_limits<std::int64_t>::max()
                               : static_cast<std::int64_t>(absl::Uint128Low64(y128));
    return negative ? -y : y;
  }
}

// Uniform BIGNUM on [0, m), m > 0.
inline void bn_uniform_below(random_bits& rb, const BIGNUM* m, BIGNUM* out) {
  const int bits = BN_num_bits(m);
  const int nbytes = (bits + 7) / 8;
  std::vector<unsigned char> buf(static_cast<std::size_t>(nbytes));
  const int top_bits = bits - 8 * (nbytes - 1);
  const unsigned char mask = static_cast<unsigned char>((1u << top_bits) - 1u);
  for (;;) {
    rb.fill(buf);
    buf[0] &= mask;
    if (BN_bin2bn(buf.data(), nbytes, out) == nullptr) base::raise(std::bad_alloc());
    if (BN_cmp(out, m) < 0 || rb.failed()) return;
  }
}

// Exact discrete Gaussian sampler for sigma^2 = a/b (CKS Algorithm 3), with the rational arithmetic of
// the acceptance test done in BIGNUMs. Create once per noise scale, then call sample() many times.
class discrete_gaussian_sampler {
 public:
  // sigma^2 = a / b with a, b >= 1 and floor(a/b) < 2^120; anything else is InvalidArgument.
  static absl::StatusOr<discrete_gaussian_sampler> create(bn_ptr a, bn_ptr b) {
    if (!a || !b || BN_is_zero(a.get()) || BN_is_zero(b.get()) || BN_is_negative(a.get()) || BN_is_negative(b.get())) {
      return absl::InvalidArgumentError("discrete Gaussian needs sigma^2 = a/b with a, b >= 1");
    }
    discrete_gaussian_sampler g(std::move(a), std::move(b));
    bn_ptr q = bn_new(), r = bn_new();
    BN_div(q.get(), r.get(), g.a_.get(), g.b_.get(), g.ctx_.get());
    if (BN_num_bits(q.get()) > 120) return absl::InvalidArgumentError("discrete Gaussian: sigma^2 must be below 2^120");
    std::array<unsigned char, 16> be{};
    BN_bn2binpad(q.get(), be.data(), 16);
    std::uint64_t hi = 0, lo = 0;
    for (std::size_t i = 0; i < 8; ++i) hi = (hi << 8) | be[i];
    for (std::size_t i = 8; i < 16; ++i) lo = (lo << 8) | be[i];
    g.t_ = isqrt(absl::MakeUint128(hi, lo)) + 1;  // t = floor(sigma) + 1
    bn_ptr t = bn_from_u64(g.t_);
    BN_mul(g.bt_.get(), g.b_.get(), t.get(), g.ctx_.get());        // b t
    BN_mul(g.den_.get(), g.bt_.get(), t.get(), g.ctx_.get());      // b t^2
    BN_mul(g.den_.get(), g.den_.get(), g.a_.get(), g.ctx_.get());  // a b t^2
    BN_lshift1(g.den_.get(), g.den_.get());                        // 2 a b t^2
    return g;
  }

  // One draw; 0 once `rb` has failed (the caller checks rb.status()).
  std::int64_t sample(random_bits& rb) {
    for (;;) {
      const std::int64_t y = discrete_laplace(rb, t_, 1);
      if (rb.failed()) return 0;
      const std::uint64_t abs_y = y < 0 ? 0 - static_cast<std::uint64_t>(y) : static_cast<std::uint64_t>(y);
      // gamma = (|y| b t - a)^2 / (2 a b t^2)
      BN_set_word(y_.get(), abs_y);
      BN_mul(diff_.get(), y_.get(), bt_.get(), ctx_.get());
      BN_sub(diff_.get(), diff_.get(), a_.get());
      BN_sqr(num_.get(), diff_.get(), ctx_.get());
      if (bn_bernoulli_exp(rb, num_.get(), den_.get())) return y;
    }
  }

  std::uint64_t laplace_proposal_scale() const noexcept { return t_; }

 private:
  discrete_gaussian_sampler(bn_ptr a, bn_ptr b)
      : a_(std::move(a)), b_(std::move(b)), ctx_(BN_CTX_new()), bt_(bn_new()), den_(bn_new()), diff_(bn_new()),
        num_(bn_new()), y_(bn_new()), quo_(bn_new()), rem_(bn_new()), dk_(bn_new()), u_(bn_new()), kbn_(bn_new()) {
    if (!ctx_) base::raise(std::bad_alloc());
  }

  static std::uint64_t isqrt(absl::uint128 v) {
    if (v == 0) return 0;
    long double approx = std::sqrt(static_cast<long double>(v));
    std::uint64_t x = approx >= 18446744073709551615.0L ? ~std::uint64_t{0} : static_cast<std::uint64_t>(approx);
    while (x > 0 && absl::uint128(x) * x > v) --x;
    while (x < ~std::uint64_t{0} && absl::uint128(x + 1) * (x + 1) <= v) ++x;
    return x;
  }

  // Bernoulli(exp(-n/d)) with BIGNUM n >= 0, d > 0.
  bool bn_bernoulli_exp(random_bits& rb, const BIGNUM* n, const BIGNUM* d) {
    BN_div(quo_.get(), rem_.get(), n, d, ctx_.get());
    if (BN_num_bits(quo_.get()) > 63) {
      // floor(gamma) >= 2^63: survive only if 2^63 Bernoulli(1/e) trials all succeed. Run them until
      // the first failure, which comes after a handful of trials with probability 1 - e^-(2^63).
      while (bernoulli_exp_unit(rb, 1, 1)) {
      }
      return false;
    }
    const std::uint64_t whole = BN_get_word(quo_.get());
    for (std::uint64_t i = 0; i < whole; ++i) {
      if (!bernoulli_exp_unit(rb, 1, 1)) return false;
    }
    if (BN_is_zero(rem_.get())) return true;
    // Bernoulli(exp(-r/d)), r < d: CKS Algorithm 1 with Bernoulli(r / (d k)).
    std::uint64_t k = 1;
    for (;;) {
      BN_set_word(kbn_.get(), k);
      BN_mul(dk_.get(), d, kbn_.get(), ctx_.get());
      bn_uniform_below(rb, dk_.get(), u_.get());
      if (BN_cmp(u_.get(), rem_.get()) >= 0 || rb.failed()) break;
      ++k;
    }
    return (k & 1u) == 1u;
  }

  bn_ptr a_, b_;
  bn_ctx_ptr ctx_;
  std::uint64_t t_ = 1;
  bn_ptr bt_, den_, diff_, num_, y_, quo_, rem_, dk_, u_, kbn_;
};

}  // namespace tokenmaxx::privacy_detail

// tokenmaxx/privacy/random.hpp: where the randomness for differential-privacy noise comes from.
//
// Every noisy number tokenmaxx releases is drawn by exact integer samplers (detail/dp_sampler.hpp)
// that consume uniform random bytes from a `random_source`. Two sources exist:
//
//   * `secure_random`: OpenSSL's CSPRNG (RAND_bytes, seeded from the operating system). It is the
//     default everywhere: a release that is not handed a source uses a fresh `secure_random`.
//   * `insecure_seeded_rng_for_tests`: a deterministic std::mt19937_64 stream for reproducible tests
//     and benchmarks. Its noise is predictable from the seed, so it gives NO privacy; it exists only
//     so that statistical tests are repeatable, and its name says so wherever it is used.
//
// Guarantees: `fill()` either fills the whole span or throws `std::runtime_error` (OpenSSL failure);
// it never returns partially filled or zero bytes silently.
//
// Thread safety: a `random_source` object is not safe for concurrent use; give each thread (or
// each release) its own. `secure_random` objects are cheap to construct.
//
// Example:
//   tokenmaxx::secure_random rng;                                  // what production code uses
//   auto report = aggregator->release(options, rng);               // same as release(options)
//   tokenmaxx::insecure_seeded_rng_for_tests test_rng(42);          // tests only: no privacy
//   auto reproducible = aggregator->release(options, test_rng);
#pragma once

#include <openssl/rand.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <stdexcept>
#include <string>

#include "tokenmaxx/base/status.hpp"
#include "tokenmaxx/base/hmac.hpp"

namespace tokenmaxx {

// A source of uniformly random bytes.
class random_source {
 public:
  virtual ~random_source() = default;
  // Fills all of `out` with uniform random bytes, or throws std::runtime_error.
  virtual void fill(std::span<unsigned char> out) = 0;
  // True only for the cryptographically secure source; recorded in the audit log.
  virtual bool is_secure() const noexcept = 0;
};

// OpenSSL RAND_bytes: the cryptographically secure default.
class secure_random final : public random_source {
 public:
  void fill(std::span<unsigned char> out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      const std::size_t chunk = std::min<std::size_t>(out.size() - done, 1u << 30);
      if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1) {
        base::raise(std::runtime_error("tokenmaxx: OpenSSL RAND_bytes failed: " +
                                 base::openssl_error_text()));
      }
      done += chunk;
    }
  }
  bool is_secure() const noexcept override { return true; }
};

// Deterministic, seeded, NOT secure: for tests and benchmarks only (see the header overview).
class insecure_seeded_rng_for_tests final : public random_source {
 public:
  explicit insecure_seeded_rng_for_tests(std::uint64_t seed) : engine_(seed) {}
  void fill(std::span<unsigned char> out) override {
    std::size_t i = 0;
    while (i < out.size()) {
      std::uint64_t w = engine_();
      for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
        out[i] = static_cast<unsigned char>(w & 0xff);
        w >>= 8;
      }
    }
  }
  bool is_secure() const noexcept override { return false; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace tokenmaxx

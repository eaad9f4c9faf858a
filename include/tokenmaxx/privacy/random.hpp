// tokenmaxx/privacy/random.hpp: the randomness behind every noisy number: OpenSSL's CSPRNG.
//
// Differential privacy is only as good as its noise: whoever can predict the noise can subtract it
// and recover exact totals. So a release draws its noise from a fresh `secure_random` (OpenSSL's
// RAND_bytes, seeded by the operating system), and no production API accepts another source:
// `adoption_aggregator::release` takes no generator argument. Reproducible noise for statistical
// tests exists only in the test build (tests/privacy/support, not installed), so a program built
// against the installed headers cannot choose, seed or replay its noise.
//
// Guarantees:
//  - `fill()` fills all of its span with bytes from RAND_bytes, or returns absl::InternalError
//    carrying OpenSSL's error text; it never reports a partial or zero fill as success and never
//    throws. A release whose randomness fails returns that error and spends nothing.
//  - Thread safety: `secure_random` holds no state; any number of threads may call `fill()` on one
//    object or on separate ones (OpenSSL's RAND_bytes is thread safe).
//
// Example:
//   tokenmaxx::secure_random rng;
//   std::array<unsigned char, 32> nonce{};
//   absl::Status filled = rng.fill(nonce);
//   if (!filled.ok()) return filled;                 // Internal: OpenSSL's RAND_bytes failed
#pragma once

#include <openssl/rand.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "tokenmaxx/base/detail/openssl.hpp"
#include "tokenmaxx/privacy/detail/byte_source.hpp"

namespace tokenmaxx {

class secure_random final : public privacy_detail::byte_source {
 public:
  absl::Status fill(std::span<unsigned char> out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      const std::size_t chunk = std::min<std::size_t>(out.size() - done, std::size_t{1} << 30);
      if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1) {
        return absl::InternalError("secure_random: OpenSSL RAND_bytes failed: " + base_detail::openssl_error_text());
      }
      done += chunk;
    }
    return absl::OkStatus();
  }
};

}  // namespace tokenmaxx

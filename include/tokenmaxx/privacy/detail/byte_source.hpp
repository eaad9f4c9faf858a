// Internal to the privacy layer; include <tokenmaxx/privacy/random.hpp> instead.
// Where the samplers' random bytes come from. In an installed build the only implementation is
// `secure_random` (OpenSSL's CSPRNG); the seeded and failing sources of the test build live in
// tests/privacy/support and are never installed.
#pragma once

#include <span>

#include "absl/status/status.h"

namespace tokenmaxx::privacy_detail {

class byte_source {
 public:
  virtual ~byte_source() = default;
  // Fills all of `out` with uniform random bytes, or returns the failure; never a partial fill
  // reported as success.
  virtual absl::Status fill(std::span<unsigned char> out) = 0;
};

}  // namespace tokenmaxx::privacy_detail

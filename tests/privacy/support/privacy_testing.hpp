// The test build of the privacy layer (target tokenmaxx_privacy_testing; never installed):
//  - seeded_source: deterministic std::mt19937_64 bytes, so statistical tests are repeatable. Its
//    noise is predictable from the seed: it gives NO privacy, and releases made with it say so
//    (secure_randomness = false in the report and the audit log).
//  - failing_source: serves a number of bytes, then fails like a broken CSPRNG would.
//  - test_access: releases with one of these sources, and the true bounded totals, for tests.
#pragma once

#ifndef TOKENMAXX_PRIVACY_TESTING
#error "privacy_testing.hpp belongs to the test build: link tokenmaxx_privacy_testing"
#endif

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/privacy/aggregator.hpp"
#include "tokenmaxx/privacy/detail/byte_source.hpp"

namespace tokenmaxx::privacy_testing {

class seeded_source final : public privacy_detail::byte_source {
 public:
  explicit seeded_source(std::uint64_t seed) : engine_(seed) {}
  absl::Status fill(std::span<unsigned char> out) override {
    std::size_t i = 0;
    while (i < out.size()) {
      std::uint64_t w = engine_();
      for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
        out[i] = static_cast<unsigned char>(w & 0xff);
        w >>= 8;
      }
    }
    return absl::OkStatus();
  }

 private:
  std::mt19937_64 engine_;
};

// Serves `good_bytes` seeded bytes (in whole fills), then fails every fill.
class failing_source final : public privacy_detail::byte_source {
 public:
  explicit failing_source(std::size_t good_bytes, std::uint64_t seed = 1) : left_(good_bytes), inner_(seed) {}
  absl::Status fill(std::span<unsigned char> out) override {
    ++calls_;
    if (out.size() > left_) return absl::InternalError("secure_random: OpenSSL RAND_bytes failed: (injected by the test)");
    left_ -= out.size();
    return inner_.fill(out);
  }
  int calls() const { return calls_; }

 private:
  std::size_t left_;
  seeded_source inner_;
  int calls_ = 0;
};

}  // namespace tokenmaxx::privacy_testing

namespace tokenmaxx::privacy_detail {

struct test_access {
  // A release whose noise comes from `source` (marked secure_randomness = false).
  static absl::StatusOr<adoption_report> release(adoption_aggregator& a, const release_options& r, byte_source& source) {
    return a.release_from(r, source, /*secure=*/false);
  }
  static absl::StatusOr<adoption_report> release_seeded(adoption_aggregator& a, const release_options& r, std::uint64_t seed) {
    privacy_testing::seeded_source source(seed);
    return release(a, r, source);
  }

  // True (noise-free) bounded totals per group, keyed by group values.
  static std::map<std::vector<std::string>, bounded_totals> true_bounded_totals(const adoption_aggregator& a) {
    adoption_aggregator::snapshot s = a.take_snapshot();
    std::vector<bool> eligible(s.groups.size(), true);
    std::vector<bounded_totals> t = bound_contributions(s.entries, s.encoded, eligible, a.limits());
    std::map<std::vector<std::string>, bounded_totals> out;
    for (std::size_t i = 0; i < t.size(); ++i) out[s.groups[i]] = t[i];
    return out;
  }
};

}  // namespace tokenmaxx::privacy_detail

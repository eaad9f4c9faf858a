// tokenmaxx/privacy/pseudonym.hpp: keyed pseudonyms for person identifiers, rotated per period.
//
// A `pseudonymizer` turns a raw person identifier (an e-mail address, an employee number) into a
// 128-bit `pseudonym`: the first 16 bytes of HMAC-SHA256(period key, identifier), computed by
// OpenSSL. The period key is derived from a secret `master_key` with HKDF-SHA256 (RFC 5869) using
// the period label ("2025-W14") as context. The aggregator (aggregator.hpp) pseudonymizes every
// event on arrival and uses pseudonyms only as join keys to count each person once.
//
// Guarantees:
//  - Within one period the same identifier always maps to the same pseudonym; across periods the
//    pseudonyms of one person are unrelated without the master key. Linking across periods needs
//    the explicit opt-in `key_rotation::stable` (say so in your privacy notice).
//  - Without the master key a pseudonym cannot be recomputed from an identifier: a keyed MAC, not a
//    plain hash, as EDPB and ENISA guidance on pseudonymisation asks.
//  - The raw identifier is only read, never copied or stored; keys are wiped with OPENSSL_cleanse
//    on destruction; a pseudonym is not printable and no tokenmaxx output (report, text table, audit
//    log) contains one. Failures (OpenSSL, empty identifiers) are absl::Status; nothing throws.
//  - Thread safety: a `pseudonymizer` is immutable after construction; `pseudonymize()` may be
//    called concurrently from any number of threads. `master_key` is a value type.
//
// Example:
//   absl::StatusOr<tokenmaxx::master_key> key = tokenmaxx::master_key::generate();  // keep it secret
//   if (!key.ok()) return key.status();
//   absl::StatusOr<tokenmaxx::pseudonymizer> week = tokenmaxx::pseudonymizer::create(*key, "2025-W14");
//   if (!week.ok()) return week.status();
//   absl::StatusOr<tokenmaxx::pseudonym> p = week->pseudonymize("alice@example.com");
//   // Same id, same week: same pseudonym. Week "2025-W15": an unrelated one.
//   // Stable across weeks only on request: pseudonymizer::create(*key, "", key_rotation::stable).
#pragma once

#include <openssl/rand.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/hmac.hpp"

namespace tokenmaxx {

// A 256-bit secret from which period keys are derived. Wiped on destruction.
class master_key {
 public:
  static constexpr std::size_t size = 32;

  // A fresh key from OpenSSL's CSPRNG.
  static absl::StatusOr<master_key> generate() {
    master_key k;
    if (RAND_bytes(k.bytes_.data(), static_cast<int>(size)) != 1) {
      return absl::InternalError("master_key::generate: RAND_bytes failed: " +
                                 base::openssl_error_text());
    }
    return k;
  }

  // A key loaded from secret storage: exactly 32 bytes, not all equal (catches an unset buffer).
  static absl::StatusOr<master_key> from_bytes(std::span<const unsigned char> bytes) {
    if (bytes.size() != size) {
      return absl::InvalidArgumentError("master_key::from_bytes: expected 32 bytes, got " +
                                        std::to_string(bytes.size()));
    }
    bool all_same = true;
    for (unsigned char c : bytes) all_same = all_same && c == bytes[0];
    if (all_same) {
      return absl::InvalidArgumentError(
          "master_key::from_bytes: all 32 bytes are equal; this is not a secret key");
    }
    master_key k;
    std::memcpy(k.bytes_.data(), bytes.data(), size);
    return k;
  }

  std::span<const unsigned char> bytes() const noexcept { return {bytes_.data(), size}; }

 private:
  master_key() = default;
  base::secret_bytes<size> bytes_;
};

// Whether pseudonyms change from one period to the next.
enum class key_rotation {
  per_period,  // default: unlinkable across periods
  stable,      // opt-in: one key for all periods, pseudonyms link a person across periods
};

// An opaque 128-bit keyed pseudonym. Comparable and hashable; deliberately not printable.
class pseudonym {
 public:
  pseudonym() = default;
  explicit pseudonym(const std::array<unsigned char, 16>& b) : bytes_(b) {}
  const std::array<unsigned char, 16>& bytes() const noexcept { return bytes_; }
  friend bool operator==(const pseudonym& a, const pseudonym& b) noexcept {
    std::uint64_t a0, a1, b0, b1;  // two word compares instead of a memcmp call (hot in hash maps)
    std::memcpy(&a0, a.bytes_.data(), 8);
    std::memcpy(&a1, a.bytes_.data() + 8, 8);
    std::memcpy(&b0, b.bytes_.data(), 8);
    std::memcpy(&b1, b.bytes_.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  friend auto operator<=>(const pseudonym&, const pseudonym&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const pseudonym& p) {
    return H::combine_contiguous(std::move(h), p.bytes_.data(), p.bytes_.size());
  }

 private:
  std::array<unsigned char, 16> bytes_{};
};

class pseudonymizer {
 public:
  // `period` names the period ("2025-W14"); it must be non-empty unless rotation is `stable`.
  static absl::StatusOr<pseudonymizer> create(const master_key& key, std::string_view period,
                                              key_rotation rotation = key_rotation::per_period) {
    if (rotation == key_rotation::per_period && period.empty()) {
      return absl::InvalidArgumentError(
          "pseudonymizer: an empty period label with per-period rotation would make every period "
          "share one key; pass the period (e.g. \"2025-W14\") or choose key_rotation::stable");
    }
    const std::string info = rotation == key_rotation::stable
                                 ? std::string("tokenmaxx pseudonym key: stable")
                                 : "tokenmaxx pseudonym key: period " + std::string(period);
    base::secret_bytes<32> period_key;
    absl::Status st = base::hkdf_sha256(key.bytes(), "tokenmaxx/pseudonym/v1", info,
                                          std::span<unsigned char>(period_key.data(), 32));
    if (!st.ok()) return st;
    absl::StatusOr<base::hmac_sha256> mac =
        base::hmac_sha256::create(std::span<const unsigned char>(period_key.data(), 32));
    if (!mac.ok()) return mac.status();
    return pseudonymizer(std::move(*mac), rotation,
                         rotation == key_rotation::stable ? std::string() : std::string(period));
  }

  // The pseudonym of `person_id` for this period. Empty identifiers are refused (they would merge
  // every record without an id into one "person").
  absl::StatusOr<pseudonym> pseudonymize(std::string_view person_id) const {
    if (person_id.empty()) {
      return absl::InvalidArgumentError("pseudonymize: empty person identifier");
    }
    std::array<unsigned char, 32> full;
    absl::Status st = mac_.mac(person_id, full);
    if (!st.ok()) return st;
    std::array<unsigned char, 16> truncated;
    std::memcpy(truncated.data(), full.data(), truncated.size());
    OPENSSL_cleanse(full.data(), full.size());
    return pseudonym(truncated);
  }

  key_rotation rotation() const noexcept { return rotation_; }
  // The period label the key was derived for; empty for key_rotation::stable.
  const std::string& period() const noexcept { return period_; }

 private:
  pseudonymizer(base::hmac_sha256 mac, key_rotation r, std::string period)
      : mac_(std::move(mac)), rotation_(r), period_(std::move(period)) {}
  base::hmac_sha256 mac_;
  key_rotation rotation_;
  std::string period_;
};

}  // namespace tokenmaxx

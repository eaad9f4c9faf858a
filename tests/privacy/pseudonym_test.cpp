// Pseudonyms: a known-answer check against HKDF/HMAC built independently from OpenSSL's one-shot
// HMAC(), stability within a period, unlinkability across rotations, opt-in stable keys, errors.
#include <gtest/gtest.h>

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"

namespace {

using tokenmaxx::key_rotation;
using tokenmaxx::pseudonym;
using tokenmaxx::pseudonymizer;

pseudonym P(const pseudonymizer& p, std::string_view id) {
  auto r = p.pseudonymize(id);
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

// RFC 5869 HKDF-SHA256 for a 32-byte output, written out with one-shot HMAC() calls.
std::vector<unsigned char> reference_hkdf(std::span<const unsigned char> ikm, std::string_view salt, std::string_view info) {
  unsigned char prk[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()), ikm.data(), ikm.size(), prk, &len);
  std::string t1(info);
  t1.push_back('\x01');
  unsigned char okm[32];
  HMAC(EVP_sha256(), prk, 32, reinterpret_cast<const unsigned char*>(t1.data()), t1.size(), okm, &len);
  return {okm, okm + 32};
}

TEST(PrivacyPseudonym, KnownAnswerMatchesRfc5869AndHmac) {
  const tokenmaxx::master_key key = privacy_test::test_key(3);
  auto ps = pseudonymizer::create(key, "2025-W15");
  ASSERT_TRUE(ps.ok());
  const auto period_key = reference_hkdf(key.bytes(), "tokenmaxx/pseudonym/v1", "tokenmaxx pseudonym key: period 2025-W15");
  const std::string id = "alice@example.com";
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), period_key.data(), 32, reinterpret_cast<const unsigned char*>(id.data()), id.size(), mac, &len);
  ASSERT_EQ(len, 32u);
  std::array<unsigned char, 16> expected;
  std::memcpy(expected.data(), mac, 16);
  EXPECT_EQ(P(*ps, id).bytes(), expected);

  // Not a plain hash of the identifier.
  unsigned char plain[32];
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), plain);
  EXPECT_NE(std::memcmp(P(*ps, id).bytes().data(), plain, 16), 0);
}

TEST(PrivacyPseudonym, StableWithinPeriodDistinctAcrossPeople) {
  auto ps = pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  ASSERT_TRUE(ps.ok());
  EXPECT_EQ(P(*ps, "alice"), P(*ps, "alice"));
  auto again = pseudonymizer::create(privacy_test::test_key(), "2025-W15");  // e.g. after a restart
  EXPECT_EQ(P(*ps, "alice"), P(*again, "alice"));
  EXPECT_NE(P(*ps, "alice"), P(*ps, "Alice"));
  absl::flat_hash_set<pseudonym> seen;
  for (int i = 0; i < 20'000; ++i) seen.insert(P(*ps, "person-" + std::to_string(i)));
  EXPECT_EQ(seen.size(), 20'000u);
}

TEST(PrivacyPseudonym, RotationMakesPeriodsUnlinkable) {
  auto w15 = pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  auto w16 = pseudonymizer::create(privacy_test::test_key(), "2025-W16");
  ASSERT_TRUE(w15.ok() && w16.ok());
  const int n = 20'000;
  absl::flat_hash_set<pseudonym> week15;
  for (int i = 0; i < n; ++i) week15.insert(P(*w15, "person-" + std::to_string(i)));
  // No person keeps a pseudonym, nor maps onto anyone else's from the other week.
  long agreeing_bits = 0;
  for (int i = 0; i < n; ++i) {
    const std::string id = "person-" + std::to_string(i);
    const pseudonym a = P(*w15, id), b = P(*w16, id);
    EXPECT_FALSE(week15.contains(b)) << "a week-16 pseudonym equals a week-15 one";
    for (std::size_t k = 0; k < 16; ++k) agreeing_bits += 8 - std::popcount(static_cast<unsigned>(a.bytes()[k] ^ b.bytes()[k]));
  }
  // Same person across weeks: bits agree like independent coins (mean 0.5, 5.3 sd bound).
  const double total = n * 128.0;
  EXPECT_NEAR(agreeing_bits / total, 0.5, 5.3 * std::sqrt(0.25 / total));
}

TEST(PrivacyPseudonym, StableRotationLinksOnlyWhenAskedFor) {
  auto s1 = pseudonymizer::create(privacy_test::test_key(), "2025-W15", key_rotation::stable);
  auto s2 = pseudonymizer::create(privacy_test::test_key(), "2025-W16", key_rotation::stable);
  auto rotated = pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  ASSERT_TRUE(s1.ok() && s2.ok() && rotated.ok());
  EXPECT_EQ(P(*s1, "bob"), P(*s2, "bob"));
  EXPECT_NE(P(*s1, "bob"), P(*rotated, "bob"));
  EXPECT_EQ(s1->period(), "");
  EXPECT_EQ(rotated->period(), "2025-W15");
}

TEST(PrivacyPseudonym, DifferentMasterKeysGiveDifferentPseudonyms) {
  auto a = pseudonymizer::create(privacy_test::test_key(1), "2025-W15");
  auto b = pseudonymizer::create(privacy_test::test_key(2), "2025-W15");
  EXPECT_NE(P(*a, "carol"), P(*b, "carol"));
  auto g1 = tokenmaxx::master_key::generate();
  auto g2 = tokenmaxx::master_key::generate();
  ASSERT_TRUE(g1.ok() && g2.ok());
  EXPECT_FALSE(std::equal(g1->bytes().begin(), g1->bytes().end(), g2->bytes().begin()));
}

TEST(PrivacyPseudonym, BadInputIsRefusedClearly) {
  std::array<unsigned char, 31> short_key{};
  short_key[0] = 1;
  auto k1 = tokenmaxx::master_key::from_bytes(short_key);
  EXPECT_EQ(k1.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(k1.status().message().find("32 bytes"), std::string_view::npos);
  std::array<unsigned char, 32> zeros{};
  EXPECT_EQ(tokenmaxx::master_key::from_bytes(zeros).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pseudonymizer::create(privacy_test::test_key(), "").status().code(), absl::StatusCode::kInvalidArgument);
  auto ps = pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  EXPECT_EQ(ps->pseudonymize("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace

// random.hpp: the CSPRNG fills every byte and reports failure as a Status (no exception); the test
// build's sources behave as the tests rely on (seeded: deterministic per seed; failing: fails after
// its quota, and a release drawing from it returns the error and spends nothing).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <type_traits>
#include <vector>

#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy/random.hpp"

namespace {

using tokenmaxx::privacy_testing::failing_source;
using tokenmaxx::privacy_testing::seeded_source;

TEST(PrivacyRandom, SecureRandomFillsEveryByteAndReportsAStatus) {
  static_assert(std::is_same_v<decltype(tokenmaxx::secure_random().fill(std::span<unsigned char>())), absl::Status>);
  tokenmaxx::secure_random rng;
  std::vector<unsigned char> buf(4096, 0);
  ASSERT_TRUE(rng.fill(buf).ok());
  std::set<unsigned char> distinct(buf.begin(), buf.end());
  EXPECT_GT(distinct.size(), 200u);  // 4096 uniform bytes miss more than 56 values with prob < 1e-20
  EXPECT_LT(std::count(buf.begin(), buf.end(), 0), 64);  // expected 16
  std::vector<unsigned char> again(4096, 0);
  ASSERT_TRUE(rng.fill(again).ok());
  EXPECT_NE(buf, again);
  EXPECT_TRUE(rng.fill(std::span<unsigned char>()).ok());
}

TEST(PrivacyRandom, SeededSourceIsDeterministicAndSeedDependent) {
  seeded_source a(7), b(7), c(8);
  std::array<unsigned char, 64> x{}, y{}, z{};
  ASSERT_TRUE(a.fill(x).ok() && b.fill(y).ok() && c.fill(z).ok());
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(PrivacyRandom, FailingSourceFailsAfterItsQuota) {
  failing_source f(100);
  std::array<unsigned char, 64> buf{};
  EXPECT_TRUE(f.fill(buf).ok());
  const absl::Status st = f.fill(buf);
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(f.calls(), 2);
}

TEST(PrivacyRandom, ReleaseWithFailingRandomnessReturnsTheErrorAndSpendsNothing) {
  auto s = privacy_test::make();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(privacy_test::add(*s.agg, "p" + std::to_string(i), "t", "w", 100).ok());
  for (std::size_t good : {0, 512, 4096}) {
    failing_source f(good);
    // 400 listed groups: each needs at least one draw, far more than `good` bytes provide.
    std::vector<std::vector<std::string>> groups = {{"t", "w"}};
    for (int g = 0; g < 400; ++g) groups.push_back({"team" + std::to_string(g), "w"});
    tokenmaxx::release_options o = privacy_test::public_options(groups);
    o.requests = o.cost = true;
    absl::StatusOr<tokenmaxx::adoption_report> r = privacy_test::test_access::release(*s.agg, o, f);  // must not throw
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
    EXPECT_NE(r.status().message().find("RAND_bytes"), std::string_view::npos) << r.status();
    EXPECT_EQ(s.accountant->spent(privacy_test::week_start()).epsilon_millionths, 0);
  }
  // Only the 'created' header: a failed release writes no spend record.
  EXPECT_EQ(s.log->records().size(), 1u);
}

}  // namespace

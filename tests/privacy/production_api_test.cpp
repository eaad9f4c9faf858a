// What a program built against the installed headers can do, checked at compile time: it cannot
// hand release() a source of randomness (seeded, replayed or one that lies about being secure), it
// cannot read true totals through a test hook, and it cannot count one person's events. Built
// without the test build (tokenmaxx_privacy_testing), as a service would be.
#include <gtest/gtest.h>

#include "scratch_log.hpp"
#include "tokenmaxx/privacy.hpp"

#ifdef TOKENMAXX_PRIVACY_TESTING
#error "production_api_test must be built without the test build of the privacy layer"
#endif

namespace probe {
// Converts to a reference of any type: if release() had any overload taking a second argument (a
// generator, a random_source, a seed), this would bind to it.
struct anything {
  template <class T>
  operator T&() const;
};
template <class A>
concept release_takes_a_second_argument = requires(A& a, const tokenmaxx::release_options& o, anything x) { a.release(o, x); };
template <class A>
concept counts_events = requires(const A& a) { a.events_ingested(); };
}  // namespace probe

static_assert(!probe::release_takes_a_second_argument<tokenmaxx::adoption_aggregator>,
              "release() must not accept a caller's randomness");
static_assert(!probe::counts_events<tokenmaxx::adoption_aggregator>, "no exact per-event counter on the release side");

// These names must not be declared in a production build: declaring a namespace of the same name
// fails to compile if a class of that name exists.
namespace tokenmaxx {
namespace insecure_seeded_rng_for_tests {}
namespace random_source {}
namespace privacy_detail {
namespace privacy_test_access {}
namespace test_access {}
}  // namespace privacy_detail
}  // namespace tokenmaxx

namespace {

TEST(PrivacyProductionApi, ReleasesUseTheCsprngAndSayWhere) {
  scratch::scratch_log log;
  auto acc = tokenmaxx::privacy_accountant::open({.audit_log_path = log.path(), .epsilon_per_period = 10});
  ASSERT_TRUE(acc.ok()) << acc.status();
  const auto monday = std::chrono::sys_days(std::chrono::year(2025) / 4 / 7);
  auto agg = tokenmaxx::adoption_aggregator::create({.dimensions = {"team"},
                                                     .period = "2025-W15",
                                                     .window_start = monday,
                                                     .window_end = monday + std::chrono::weeks(1),
                                                     .bounds = {},
                                                     .min_group_size = 5,
                                                     .accountant = *acc},
                                                    *tokenmaxx::pseudonymizer::create(*tokenmaxx::master_key::generate(), "2025-W15"));
  ASSERT_TRUE(agg.ok());
  for (int i = 0; i < 20; ++i) {
    std::array<std::string_view, 1> g{"search"};
    const std::string id = "p" + std::to_string(i);
    ASSERT_TRUE((*agg)->add({.person_id = id, .group = g, .tokens = 100, .time = monday + std::chrono::hours(1)}).ok());
  }
  tokenmaxx::release_options o;
  o.public_groups = std::vector<std::vector<std::string>>{{"search"}};
  auto r = (*agg)->release(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->privacy.secure_randomness);
  EXPECT_EQ(tokenmaxx::to_json(*r)["privacy"]["secure_randomness"], true);
  EXPECT_NE(log.contents().find("\"secure_randomness\":true"), std::string::npos) << log.contents();
}

}  // namespace

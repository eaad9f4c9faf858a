// accountant.hpp: exact integer accounting; budgets keyed by time (a relabelled or overlapping
// window draws on the same budget, a window across two periods is charged to both); the budget
// survives restarts (replayed from the log) and a log that does not verify is refused; every record
// is synced to disk before spend() returns; a failed write refuses the spend and every later one;
// the log holds fixed fields only.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy/accountant.hpp"

// fsync as the accountant sees it in this test program: counted, the file size at each call
// remembered, and made to fail on request. Calls from the header-only accountant bind to this
// definition; it forwards to the kernel.
namespace {
std::atomic<int> fsync_calls{0};
std::atomic<long long> size_at_last_fsync{-1};
std::atomic<bool> fail_fsync{false};
}  // namespace

extern "C" int fsync(int fd) {
  fsync_calls.fetch_add(1);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size_at_last_fsync.store(st.st_size);
  if (fail_fsync.load()) {
    errno = EIO;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_fsync, fd));
}

namespace {

using privacy_test::scratch_log;
using privacy_test::week_start;
using tokenmaxx::privacy_accountant;
using tokenmaxx::privacy_cost;
using clock_type = std::chrono::system_clock;

privacy_cost cost(double eps, double delta = 0) {
  auto c = privacy_cost::from(eps, delta);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

tokenmaxx::spend_request week(privacy_cost c, int weeks_after = 0) {
  const auto start = week_start() + std::chrono::weeks(weeks_after);
  return {start, start + std::chrono::weeks(1), c, {}};
}

absl::StatusOr<std::shared_ptr<privacy_accountant>> open(const scratch_log& log, double eps = 1.0, double delta = 0) {
  return privacy_accountant::open({.audit_log_path = log.path(), .epsilon_per_period = eps, .delta_per_period = delta});
}

TEST(PrivacyAccountant, CostConversionIsExactAndValidated) {
  EXPECT_EQ(cost(0.1).epsilon_millionths, 100'000);
  EXPECT_EQ(cost(1.0, 1e-9).delta_atto, 1'000'000'000);
  EXPECT_EQ(cost(1.0, 0).delta_atto, 0);
  for (double bad : {0.0, -0.5, 1e-7, std::nan(""), static_cast<double>(INFINITY), 2000.0}) {
    EXPECT_EQ(privacy_cost::from(bad, 0).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  for (double bad : {-1e-9, 1.0, std::nan("")}) {
    EXPECT_EQ(privacy_cost::from(1, bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(PrivacyAccountant, OpenNeedsALogAndValidOptions) {
  // The audit log is not optional: it is where the budget lives.
  privacy_accountant::options no_log;
  no_log.epsilon_per_period = 1.0;
  EXPECT_EQ(privacy_accountant::open(no_log).status().code(), absl::StatusCode::kInvalidArgument);
  scratch_log log;
  EXPECT_EQ(open(log, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(privacy_accountant::open({.audit_log_path = log.path(), .epsilon_per_period = 1, .period_length = std::chrono::seconds(5)})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(privacy_accountant::open({.audit_log_path = "/nonexistent-dir/x/audit.jsonl", .epsilon_per_period = 1}).status().code(),
            absl::StatusCode::kNotFound);
  auto acc = open(log);
  ASSERT_TRUE(acc.ok()) << acc.status();
  EXPECT_EQ((*acc)->audit_log_path(), log.path());
  EXPECT_EQ((*acc)->budget(), cost(1.0));
}

TEST(PrivacyAccountant, TenTenthsMakeExactlyOne) {
  // 0.1 added ten times in double is 0.9999999999999999; integer accounting is exact.
  scratch_log log;
  auto acc = *open(log);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(acc->spend(week(cost(0.1))).ok()) << i;
  auto st = acc->spend(week(cost(0.000001)));
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("period starting 2025-04-07T00:00:00Z"), std::string_view::npos) << st;
  EXPECT_NE(st.message().find("remaining epsilon 0"), std::string_view::npos) << st;
  EXPECT_EQ(acc->spent(week_start()).epsilon_millionths, 1'000'000);
  EXPECT_EQ(acc->remaining(week_start() + std::chrono::days(6)).epsilon_millionths, 0);
}

TEST(PrivacyAccountant, DeltaIsBudgetedToo) {
  scratch_log a, b;
  auto acc = *open(a, 10, 1e-6);
  EXPECT_TRUE(acc->spend(week(cost(1, 6e-7))).ok());
  EXPECT_EQ(acc->spend(week(cost(1, 6e-7))).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(acc->spend(week(cost(1, 4e-7))).ok());
  EXPECT_EQ(acc->spent(week_start()).delta_atto, 1'000'000'000'000);
  auto pure = *open(b, 10);
  EXPECT_EQ(pure->spend(week(cost(1, 1e-12))).code(), absl::StatusCode::kResourceExhausted);
}

TEST(PrivacyAccountant, BudgetIsKeyedByTimeNotByLabel) {
  // The attack: the same week released under three labels, and a day inside it, on one accountant.
  auto s = privacy_test::make(1.0, 0.0);
  auto relabelled = privacy_test::make_aggregator(s.accountant, {}, 5, "week 15");
  auto one_day = privacy_test::make_aggregator(s.accountant, {}, 5, "2025-04-08", week_start() + std::chrono::days(1),
                                               week_start() + std::chrono::days(2));
  auto next_week = privacy_test::make_aggregator(s.accountant, {}, 5, "2025-W16", week_start() + std::chrono::weeks(1),
                                                 week_start() + std::chrono::weeks(2));
  const tokenmaxx::release_options o = privacy_test::public_options({{"t", "w"}}, 1.0);
  EXPECT_TRUE(s.agg->release(o).ok());
  EXPECT_EQ(relabelled->release(o).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(one_day->release(o).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(next_week->release(o).ok());
  EXPECT_EQ(s.accountant->spent(week_start()).epsilon_millionths, 1'000'000);
}

TEST(PrivacyAccountant, WindowAcrossTwoPeriodsIsChargedToBoth) {
  scratch_log log;
  auto acc = *open(log, 1.0);
  const auto sunday = week_start() + std::chrono::days(6), tuesday = week_start() + std::chrono::days(8);
  auto periods = acc->periods_overlapping(sunday, tuesday);
  ASSERT_TRUE(periods.ok());
  ASSERT_EQ(periods->size(), 2u);
  EXPECT_EQ((*periods)[0], (tokenmaxx::budget_period{week_start(), week_start() + std::chrono::weeks(1)}));
  EXPECT_EQ((*periods)[1].start, week_start() + std::chrono::weeks(1));
  EXPECT_EQ(acc->period_containing(sunday), (*periods)[0]);
  // A window ending exactly at a period boundary does not reach the next period.
  EXPECT_EQ(acc->periods_overlapping(week_start(), week_start() + std::chrono::weeks(1))->size(), 1u);

  ASSERT_TRUE(acc->spend({week_start() + std::chrono::weeks(1), week_start() + std::chrono::weeks(2), cost(0.7), {}}).ok());
  // 0.4 fits the first week but not the second: refused as a whole, nothing charged anywhere.
  EXPECT_EQ(acc->spend({sunday, tuesday, cost(0.4), {}}).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(acc->spent(sunday).epsilon_millionths, 0);
  ASSERT_TRUE(acc->spend({sunday, tuesday, cost(0.3), {}}).ok());
  EXPECT_EQ(acc->spent(sunday).epsilon_millionths, 300'000);
  EXPECT_EQ(acc->spent(tuesday).epsilon_millionths, 1'000'000);

  EXPECT_EQ(acc->spend({tuesday, sunday, cost(0.1), {}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc->spend({sunday, sunday, cost(0.1), {}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc->spend({sunday, sunday + std::chrono::weeks(10'500), cost(0.1), {}}).code(), absl::StatusCode::kInvalidArgument);  // out of range
  EXPECT_EQ(acc->spend({clock_type::time_point::min(), sunday, cost(0.1), {}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc->spend({sunday, tuesday, privacy_cost{}, {}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc->spend({sunday, tuesday, privacy_cost{-5, 0}, {}}).code(), absl::StatusCode::kInvalidArgument);
}

// A query far outside any spendable range (the clock's ends) answers for no period that holds a spend;
// it used to fall back to the origin's period and report that period's spend.
TEST(PrivacyAccountant, TimesOutOfRangeAreNotTheOriginPeriod) {
  scratch_log log;
  auto acc = *open(log, 1.0);
  // The default origin, Monday 1970-01-05: the period a failed subtraction used to fall back to.
  const tokenmaxx::budget_period origin = acc->period_containing(std::chrono::sys_days(std::chrono::year(1970) / 1 / 5));
  ASSERT_TRUE(acc->spend({origin.start, origin.end, cost(0.25), {}}).ok());
  ASSERT_EQ(acc->spent(origin.start).epsilon_millionths, 250'000);
  for (const auto t : {std::chrono::system_clock::time_point::min(), std::chrono::system_clock::time_point::max()}) {
    EXPECT_EQ(acc->spent(t).epsilon_millionths, 0);
    EXPECT_EQ(acc->remaining(t).epsilon_millionths, 1'000'000);
    const tokenmaxx::budget_period p = acc->period_containing(t);
    EXPECT_NE(p, origin);
    EXPECT_LE(p.start, p.end);
  }
}

TEST(PrivacyAccountant, CalendarIsConfigurable) {
  scratch_log log;
  auto acc = *privacy_accountant::open({.audit_log_path = log.path(),
                                        .epsilon_per_period = 1.0,
                                        .period_length = std::chrono::days(1),
                                        .period_origin = std::chrono::sys_days(std::chrono::year(2025) / 1 / 1)});
  const auto day = [](int d) { return week_start() + std::chrono::days(d); };
  ASSERT_TRUE(acc->spend({day(0), day(1), cost(1.0), {}}).ok());
  EXPECT_TRUE(acc->spend({day(1), day(2), cost(1.0), {}}).ok());  // daily budgets: the next day is fresh
  const absl::Status too_long = acc->spend({day(3), day(3) + std::chrono::days(10'001), cost(0.1), {}});
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("more than 10000 budget periods"), std::string_view::npos) << too_long;
  EXPECT_EQ(acc->spend({day(0) + std::chrono::hours(12), day(0) + std::chrono::hours(13), cost(0.1), {}}).code(),
            absl::StatusCode::kResourceExhausted);
  // Before the origin works too (floor division).
  EXPECT_EQ(acc->period_containing(std::chrono::sys_days(std::chrono::year(2024) / 12 / 31) + std::chrono::hours(1)).start,
            clock_type::time_point(std::chrono::sys_days(std::chrono::year(2024) / 12 / 31)));
}

TEST(PrivacyAccountant, RestartsReplayTheLogSoTheBudgetCannotBeSpentTwice) {
  // The attack: a re-run job with the same audit log spends the week again.
  scratch_log log;
  int granted = 0;
  for (int run = 0; run < 4; ++run) {
    auto acc = open(log, 1.0);
    ASSERT_TRUE(acc.ok()) << acc.status();
    EXPECT_EQ((*acc)->spent(week_start()).epsilon_millionths, run == 0 ? 0 : 1'000'000);
    granted += (*acc)->spend(week(cost(1.0))).ok();
  }
  EXPECT_EQ(granted, 1);
  const auto recs = log.records();
  ASSERT_EQ(recs.size(), 8u);  // created, release, then (opened, refused) x 3
  EXPECT_EQ(recs[0]["event"], "created");
  EXPECT_EQ(recs[1]["event"], "release");
  EXPECT_EQ(recs[2]["event"], "opened");
  EXPECT_EQ(recs[3]["event"], "refused");
  // The budget of a log is fixed: reopening it with another budget is refused.
  auto bigger = open(log, 5.0);
  EXPECT_EQ(bigger.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(bigger.status().message().find("start a new log"), std::string_view::npos) << bigger.status();
}

TEST(PrivacyAccountant, OneAccountantPerLog) {
  scratch_log log;
  auto first = open(log);
  ASSERT_TRUE(first.ok());
  auto second = open(log);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use"), std::string_view::npos) << second.status();
  first->reset();
  EXPECT_TRUE(open(log).ok());
}

// Rewrites the log file from `lines`, recomputing the SHA-256 chain when `rechain`.
void write_log(const scratch_log& log, std::vector<std::string> lines, bool rechain) {
  if (rechain) {
    std::string prev(64, '0');
    for (std::string& line : lines) {
      nlohmann::json j = nlohmann::json::parse(line);
      j["prev"] = prev;
      line = j.dump();
      prev = tokenmaxx::base::sha256_hex(line);
    }
  }
  std::ofstream out(log.path(), std::ios::binary | std::ios::trunc);
  for (const std::string& l : lines) out << l << '\n';
}

std::vector<std::string> raw_lines(const scratch_log& log) {
  std::vector<std::string> out;
  std::istringstream in(log.contents());
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

TEST(PrivacyAccountant, LogThatDoesNotVerifyIsRefused) {
  scratch_log log;
  {
    auto acc = *open(log, 1.0);
    ASSERT_TRUE(acc->spend(week(cost(0.25))).ok());
    ASSERT_TRUE(acc->spend(week(cost(0.5))).ok());
    ASSERT_FALSE(acc->spend(week(cost(0.5))).ok());
    ASSERT_TRUE(acc->spend(week(cost(0.125))).ok());
  }
  const std::vector<std::string> good = raw_lines(log);
  ASSERT_EQ(good.size(), 5u);
  const auto reopen_code = [&](const std::vector<std::string>& lines, bool rechain, const std::string& tail = "") {
    write_log(log, lines, rechain);
    if (!tail.empty()) std::ofstream(log.path(), std::ios::binary | std::ios::app) << tail;
    return open(log, 1.0).status();
  };
  ASSERT_TRUE(reopen_code(good, false).ok());  // the untouched log replays (and gains an 'opened' line)
  EXPECT_EQ((*open(log, 1.0))->spent(week_start()).epsilon_millionths, 875'000);

  struct tamper {
    const char* what;
    std::vector<std::string> lines;
    bool rechain;
    std::string tail;
  };
  std::vector<tamper> cases;
  auto edited = good;
  edited[1].replace(edited[1].find("\"epsilon_millionths\":250000"), 27, "\"epsilon_millionths\":150000");
  cases.push_back({"a digit changed", edited, false, ""});
  cases.push_back({"a spend removed", {good[0], good[2], good[3], good[4]}, false, ""});
  cases.push_back({"two records swapped", {good[0], good[2], good[1], good[3], good[4]}, false, ""});
  cases.push_back({"an incomplete last line", good, false, "{\"seq\":5,\"prev\""});
  cases.push_back({"garbage appended", good, false, "not json\n"});
  // Forgeries that recompute the chain but not the arithmetic.
  cases.push_back({"a spend removed, chain recomputed", {good[0], good[2], good[3], good[4]}, true, ""});
  cases.push_back({"a refusal turned into a release", [&] {
                     auto l = good;
                     auto j = nlohmann::json::parse(l[3]);
                     j["event"] = "release";
                     l[3] = j.dump();
                     return l;
                   }(),
                   true, ""});
  cases.push_back({"a total lowered, chain recomputed", edited, true, ""});
  for (const tamper& t : cases) {
    std::vector<std::string> lines = t.lines;
    if (t.rechain) {  // sequence numbers follow the lines, as a forger would make them
      for (std::size_t i = 0; i < lines.size(); ++i) {
        auto j = nlohmann::json::parse(lines[i]);
        j["seq"] = i;
        lines[i] = j.dump();
      }
    }
    const absl::Status st = reopen_code(lines, t.rechain, t.tail);
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << t.what << ": " << st;
    EXPECT_NE(st.message().find("does not verify at line"), std::string_view::npos) << st;
  }
}

TEST(PrivacyAccountant, EveryRecordIsOnDiskBeforeSpendReturns) {
  scratch_log log;
  auto acc = *open(log);
  for (int i = 0; i < 3; ++i) {
    const int before = fsync_calls.load();
    ASSERT_TRUE(acc->spend(week(cost(0.1), i)).ok());
    EXPECT_GT(fsync_calls.load(), before) << "spend returned without syncing its record";
    EXPECT_EQ(size_at_last_fsync.load(), static_cast<long long>(std::filesystem::file_size(log.path())))
        << "the last sync happened before the record was complete";
  }
  const int before = fsync_calls.load();
  EXPECT_FALSE(acc->spend(week(cost(1.0))).ok());
  EXPECT_GT(fsync_calls.load(), before) << "refusals are synced too";
}

TEST(PrivacyAccountant, FailedSyncRefusesTheSpendAndEveryLaterOne) {
  scratch_log log;
  {
    auto acc = *open(log);
    ASSERT_TRUE(acc->spend(week(cost(0.25))).ok());
    const auto size = std::filesystem::file_size(log.path());
    fail_fsync.store(true);
    const absl::Status st = acc->spend(week(cost(0.25)));
    fail_fsync.store(false);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
    EXPECT_NE(st.message().find("audit log"), std::string_view::npos);
    EXPECT_EQ(acc->spent(week_start()).epsilon_millionths, 250'000);
    EXPECT_EQ(std::filesystem::file_size(log.path()), size) << "the unsynced record is cut off again";
    EXPECT_EQ(acc->spend(week(cost(0.25))).code(), absl::StatusCode::kUnavailable) << "a broken log stays refused";
  }
  auto reopened = open(log);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->spent(week_start()).epsilon_millionths, 250'000);
}

TEST(PrivacyAccountant, RecordsHoldFixedFieldsOnly) {
  scratch_log log;
  auto acc = *open(log, 1.0, 1e-6);
  tokenmaxx::spend_request r = week(cost(0.5, 1e-7));
  r.release.mechanism = tokenmaxx::noise_mechanism::gaussian;
  r.release.metrics = {tokenmaxx::adoption_metric::active_people, tokenmaxx::adoption_metric::tokens};
  r.release.public_groups = true;
  r.release.min_group_size = 5;
  r.release.groups_released = 3;
  r.release.groups_suppressed = 1;
  r.release.report_sha256.fill(0xab);
  ASSERT_TRUE(acc->spend(r).ok());
  ASSERT_FALSE(acc->spend(week(cost(0.7))).ok());
  const auto recs = log.records();
  ASSERT_EQ(recs.size(), 3u);
  const std::set<std::string> fixed = {"seq", "prev", "event", "time", "window_unix_ns", "window", "epsilon_millionths",
                                       "delta_atto", "epsilon", "delta", "periods", "mechanism", "metrics",
                                       "group_selection", "min_group_size", "groups_released", "groups_suppressed",
                                       "report_sha256", "secure_randomness"};
  for (const auto& rec : {recs[1], recs[2]}) {
    std::set<std::string> keys;
    for (const auto& [k, v] : rec.items()) keys.insert(k);
    EXPECT_EQ(keys, fixed);
  }
  const auto& rel = recs[1];
  EXPECT_EQ(rel["event"], "release");
  EXPECT_EQ(rel["window"][0], "2025-04-07T00:00:00Z");
  EXPECT_EQ(rel["epsilon_millionths"], 500'000);
  EXPECT_EQ(rel["delta_atto"], 100'000'000'000);
  EXPECT_EQ(rel["periods"][0]["start"], "2025-04-07T00:00:00Z");
  EXPECT_EQ(rel["periods"][0]["epsilon_spent_millionths"], 500'000);
  EXPECT_EQ(rel["mechanism"], "discrete_gaussian");
  EXPECT_EQ(rel["metrics"], nlohmann::json({"active_people", "tokens"}));
  EXPECT_EQ(rel["group_selection"], "public_list");
  EXPECT_EQ(rel["groups_released"], 3);
  std::string ab;
  for (int i = 0; i < 32; ++i) ab += "ab";
  EXPECT_EQ(rel["report_sha256"], ab);
  EXPECT_EQ(rel["secure_randomness"], true);
  EXPECT_EQ(recs[2]["event"], "refused");
  EXPECT_EQ(recs[2]["periods"][0]["epsilon_spent_millionths"], 500'000);
  EXPECT_EQ(recs[0]["time"].get<std::string>().size(), 20u);  // 2026-01-01T00:00:00Z
}

}  // namespace

// The privacy accountant: exact integer accounting, refusal with a clear error, per-period budgets,
// and the JSON-lines audit log (stream and file, append-only, refusal when it cannot be written).
#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy/accountant.hpp"

namespace {

using tokenmaxx::audit_log;
using tokenmaxx::privacy_accountant;
using tokenmaxx::privacy_cost;

privacy_cost cost(double eps, double delta = 0) {
  auto c = privacy_cost::from(eps, delta);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

std::vector<nlohmann::json> lines(const std::string& s) {
  std::vector<nlohmann::json> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(PrivacyBudget, CostConversionIsExactAndValidated) {
  EXPECT_EQ(cost(0.1).epsilon_millionths, 100'000);
  EXPECT_EQ(cost(1.0, 1e-9).delta_atto, 1'000'000'000);
  EXPECT_EQ(cost(1.0, 0).delta_atto, 0);
  for (double bad : {0.0, -0.5, 1e-7, std::nan(""), static_cast<double>(INFINITY), 2000.0}) {
    EXPECT_EQ(privacy_cost::from(bad, 0).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  for (double bad : {-1e-9, 1.0, std::nan("")}) {
    EXPECT_EQ(privacy_cost::from(1, bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(privacy_accountant::create({.epsilon_per_period = 0}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PrivacyBudget, TenTenthsMakeExactlyOne) {
  // 0.1 added ten times in double is 0.9999999999999999; integer accounting is exact.
  auto acc = *privacy_accountant::create({.epsilon_per_period = 1.0});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(acc->spend("w", cost(0.1)).ok()) << i;
  auto st = acc->spend("w", cost(0.000001));
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("period 'w'"), std::string_view::npos) << st;
  EXPECT_NE(st.message().find("remaining epsilon 0"), std::string_view::npos) << st;
  EXPECT_EQ(acc->spent("w").epsilon_millionths, 1'000'000);
  EXPECT_EQ(acc->remaining("w").epsilon_millionths, 0);
}

TEST(PrivacyBudget, DeltaIsBudgetedToo) {
  auto acc = *privacy_accountant::create({.epsilon_per_period = 10, .delta_per_period = 1e-6});
  EXPECT_TRUE(acc->spend("w", cost(1, 6e-7)).ok());
  EXPECT_EQ(acc->spend("w", cost(1, 6e-7)).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(acc->spend("w", cost(1, 4e-7)).ok());
  EXPECT_EQ(acc->spent("w").delta_atto, 1'000'000'000'000);
  auto pure = *privacy_accountant::create({.epsilon_per_period = 10});
  EXPECT_EQ(pure->spend("w", cost(1, 1e-12)).code(), absl::StatusCode::kResourceExhausted);
}

TEST(PrivacyBudget, PeriodsHaveSeparateBudgets) {
  auto acc = *privacy_accountant::create({.epsilon_per_period = 1.0});
  EXPECT_TRUE(acc->spend("2025-W15", cost(1.0)).ok());
  EXPECT_FALSE(acc->spend("2025-W15", cost(0.5)).ok());
  EXPECT_TRUE(acc->spend("2025-W16", cost(0.5)).ok());
  EXPECT_EQ(acc->spent("2025-W16").epsilon_millionths, 500'000);
  EXPECT_EQ(acc->spent("never").epsilon_millionths, 0);
  EXPECT_EQ(acc->spend("", cost(0.1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc->spend("w", privacy_cost{}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc->spend("w", privacy_cost{-5, 0}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PrivacyBudget, AuditLogRecordsSpendsAndRefusalsInOrder) {
  std::ostringstream out;
  audit_log log(out);
  auto acc = *privacy_accountant::create({.epsilon_per_period = 1.0, .delta_per_period = 1e-6, .log = &log});
  ASSERT_TRUE(acc->spend("2025-W15", cost(0.7, 1e-7), {{"kind", "test"}, {"groups_released", 3}}).ok());
  ASSERT_FALSE(acc->spend("2025-W15", cost(0.7)).ok());
  const auto recs = lines(out.str());
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["event"], "release");
  EXPECT_EQ(recs[0]["period"], "2025-W15");
  EXPECT_DOUBLE_EQ(recs[0]["epsilon"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(recs[0]["delta"].get<double>(), 1e-7);
  EXPECT_DOUBLE_EQ(recs[0]["period_epsilon_spent"].get<double>(), 0.7);
  EXPECT_EQ(recs[0]["release"]["groups_released"], 3);
  EXPECT_EQ(recs[1]["event"], "refused");
  EXPECT_DOUBLE_EQ(recs[1]["period_epsilon_spent"].get<double>(), 0.7);
  EXPECT_EQ(recs[0]["time"].get<std::string>().size(), 20u);  // 2026-01-01T00:00:00Z
}

TEST(PrivacyBudget, AuditFileIsAppendedNotOverwritten) {
  const std::string path = (std::filesystem::temp_directory_path() / ("tokenmaxx_audit_" + std::to_string(::getpid()) + ".jsonl")).string();
  std::filesystem::remove(path);
  for (int round = 0; round < 2; ++round) {
    auto log = audit_log::open_file(path);
    ASSERT_TRUE(log.ok()) << log.status();
    auto acc = *privacy_accountant::create({.epsilon_per_period = 1.0, .log = log->get()});
    ASSERT_TRUE(acc->spend("w", cost(0.5)).ok());
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(lines(ss.str()).size(), 2u);
  std::filesystem::remove(path);
  EXPECT_EQ(audit_log::open_file("/nonexistent-dir/x/audit.jsonl").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PrivacyBudget, UnwritableAuditLogRefusesTheSpend) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  audit_log log(out);
  auto acc = *privacy_accountant::create({.epsilon_per_period = 1.0, .log = &log});
  auto st = acc->spend("w", cost(0.5));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("audit log"), std::string_view::npos);
  EXPECT_EQ(acc->spent("w").epsilon_millionths, 0);
}

}  // namespace

// report.hpp: the report value and its ranking, which orders released rows only, by noisy value,
// ties by group, and never lists a suppressed row or a row without the metric.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenmaxx/privacy/report.hpp"

namespace {

using tokenmaxx::adoption_metric;
using tokenmaxx::noisy_value;
using tokenmaxx::report_row;

report_row row(std::string team, std::int64_t active, std::optional<std::int64_t> tokens = std::nullopt) {
  report_row r;
  r.group = {std::move(team)};
  r.active_people = noisy_value{.value = active};
  if (tokens) r.tokens = noisy_value{.value = *tokens};
  return r;
}

std::vector<std::string> teams(const std::vector<const report_row*>& rows) {
  std::vector<std::string> out;
  for (const report_row* r : rows) out.push_back(r->group[0]);
  return out;
}

TEST(PrivacyReport, RankingOrdersReleasedRowsByNoisyValue) {
  tokenmaxx::adoption_report report;
  report.rows = {row("a", 10, 500), row("b", 40), row("c", 10, 900), row("d", 25, 100)};
  report_row suppressed;
  suppressed.group = {"e"};
  suppressed.suppressed = true;
  report.rows.push_back(suppressed);
  EXPECT_EQ(teams(report.ranking(adoption_metric::active_people)), (std::vector<std::string>{"b", "d", "a", "c"}));
  EXPECT_EQ(teams(report.ranking(adoption_metric::tokens)), (std::vector<std::string>{"c", "a", "d"}));
  EXPECT_TRUE(report.ranking(adoption_metric::cost_micros).empty());
  // The pointers are into the report's own rows.
  EXPECT_EQ(report.ranking(adoption_metric::active_people).front(), &report.rows[1]);
}

TEST(PrivacyReport, MetricAccessorAndNames) {
  report_row r = row("a", 3, 7);
  EXPECT_EQ(r.metric(adoption_metric::active_people)->value, 3);
  EXPECT_EQ(r.metric(adoption_metric::tokens)->value, 7);
  EXPECT_FALSE(r.metric(adoption_metric::requests).has_value());
  EXPECT_EQ(tokenmaxx::metric_name(adoption_metric::cost_micros), "cost_micros");
  EXPECT_EQ(tokenmaxx::mechanism_name(tokenmaxx::noise_mechanism::gaussian), "discrete_gaussian");
  EXPECT_TRUE(tokenmaxx::adoption_report{}.ranking(adoption_metric::active_people).empty());
}

}  // namespace

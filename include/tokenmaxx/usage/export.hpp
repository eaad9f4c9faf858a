// tokenmaxx/usage/export.hpp: Prometheus text exposition and OpenTelemetry (OTLP-JSON) export.
//
// `prometheus_exporter::render()` turns a *cumulative* snapshot into the Prometheus text format:
//   tokenmaxx_tokens_total{tenant="acme",model="gpt-4o",token_type="input"} 1200
//   tokenmaxx_requests_total{...}, tokenmaxx_errors_total{...},
//   tokenmaxx_cost_micros_total{...} (priced tokens only), tokenmaxx_unpriced_tokens_total{...}
// Label values are escaped per the exposition format (backslash, double quote, newline). Series are
// capped: at most `max_keys` (tenant, model) pairs get their own labels; the exporter remembers which
// pairs it admitted (first come, first served in (tenant, model) order, so each series stays monotonic
// across scrapes) and sums
// every other pair into tenant="__overflow__",model="__overflow__". Rows with all-zero token counts
// still emit requests/errors.
//
// `to_otlp_json()` turns a *delta* snapshot into an OTLP/JSON `ExportMetricsServiceRequest` with the
// OpenTelemetry GenAI metric `gen_ai.client.token.usage` (unit `{token}`, histogram, delta temporality):
// one data point per (tenant, model, token type) with non-zero tokens, attributes
// `gen_ai.token.type`, `gen_ai.request.model`, `gen_ai.provider.name` (when known),
// `gen_ai.operation.name` ("chat" by default) and `tokenmaxx.tenant`; `sum` = tokens, `count` = the
// row's requests (the number of calls aggregated; at least 1), one bucket (no explicit bounds). The snapshot's
// [start_time, end_time) become startTimeUnixNano / timeUnixNano.
//
// Neither format has a person dimension: labels are tenant, model, provider and token type only.
//
// Errors: InvalidArgument when the snapshot kind is wrong (Prometheus counters need cumulative input;
// OTLP delta temporality needs delta input).
//
// Thread safety: prometheus_exporter is not synchronised (one scraper at a time); to_otlp_json is pure.
//
// Example:
//   tokenmaxx::prometheus_exporter prom({.max_keys = 1000});
//   absl::StatusOr<std::string> text = prom.render(ledger.snapshot());      // serve on /metrics
//   absl::StatusOr<std::string> otlp = tokenmaxx::to_otlp_json(ledger.snapshot_and_reset(now_ns));
//   // POST *otlp to an OTLP/HTTP collector at /v1/metrics with Content-Type: application/json
#pragma once

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/version.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"

namespace tokenmaxx {

// Escapes a label value for the Prometheus text format.
inline std::string prometheus_escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

struct prometheus_options {
  std::size_t max_keys = 1000;  // (tenant, model) pairs with their own series, excluding overflow
};

class prometheus_exporter {
 public:
  explicit prometheus_exporter(prometheus_options options = {}) : options_(options) {}

  absl::StatusOr<std::string> render(const usage_snapshot& cumulative) {
    if (cumulative.kind != snapshot_kind::cumulative)
      return absl::InvalidArgumentError("prometheus: counters need a cumulative snapshot");
    usage_row overflow;
    overflow.tenant = std::string(overflow_key);
    overflow.model = std::string(overflow_key);
    bool any_overflow = false;
    // Deterministic order: admission (when over the cap) and output go by (tenant, model).
    std::vector<const usage_row*> sorted;
    sorted.reserve(cumulative.rows.size());
    for (const usage_row& r : cumulative.rows) sorted.push_back(&r);
    std::sort(sorted.begin(), sorted.end(), [](const usage_row* a, const usage_row* b) {
      return std::tie(a->tenant, a->model) < std::tie(b->tenant, b->model);
    });
    std::vector<const usage_row*> rows;
    rows.reserve(sorted.size());
    for (const usage_row* rp : sorted) {
      const usage_row& r = *rp;
      const bool is_overflow_row = r.tenant == overflow_key && r.model == overflow_key;
      std::pair<std::string, std::string> key(r.tenant, r.model);
      bool admitted = !is_overflow_row && admitted_.contains(key);
      if (!admitted && !is_overflow_row && admitted_.size() < options_.max_keys) {
        admitted_.insert(std::move(key));
        admitted = true;
      }
      if (admitted) {
        rows.push_back(&r);
      } else {
        usage_row copy = r;
        copy.provider.clear();
        (void)usage_detail::add_row(overflow, copy);  // providers cleared: cannot fail
        any_overflow = true;
      }
    }
    if (any_overflow) rows.push_back(&overflow);

    std::string out;
    out.reserve(rows.size() * 700 + 1024);
    auto labels = [](const usage_row& r) {
      return "tenant=\"" + prometheus_escape(r.tenant) + "\",model=\"" + prometheus_escape(r.model) + "\"";
    };
    out += "# HELP tokenmaxx_tokens_total LLM tokens recorded, by tenant, model and token type.\n";
    out += "# TYPE tokenmaxx_tokens_total counter\n";
    for (const usage_row* r : rows) {
      const std::string l = labels(*r);
      for (token_type t : all_token_types) {
        out += "tokenmaxx_tokens_total{" + l + ",token_type=\"";
        out += token_type_name(t);
        out += "\"} " + std::to_string(r->tokens_of(t)) + "\n";
      }
    }
    auto simple = [&](std::string_view name, std::string_view help, auto value) {
      out += "# HELP ";
      out += name;
      out += " ";
      out += help;
      out += "\n# TYPE ";
      out += name;
      out += " counter\n";
      for (const usage_row* r : rows) {
        out += name;
        out += "{" + labels(*r) + "} " + std::to_string(value(*r)) + "\n";
      }
    };
    simple("tokenmaxx_requests_total", "LLM requests recorded.", [](const usage_row& r) { return r.requests; });
    simple("tokenmaxx_errors_total", "LLM requests that failed.", [](const usage_row& r) { return r.errors; });
    simple("tokenmaxx_cost_micros_total", "Cost of priced tokens in micro-units of currency (truncated).",
           [](const usage_row& r) { return r.cost.micros; });
    simple("tokenmaxx_unpriced_tokens_total", "Tokens without a known price (not included in cost).",
           [](const usage_row& r) { return r.cost.unpriced_tokens; });
    return out;
  }

  std::size_t admitted_keys() const noexcept { return admitted_.size(); }

 private:
  prometheus_options options_;
  absl::flat_hash_set<std::pair<std::string, std::string>> admitted_;
};

struct otlp_options {
  std::string service_name = "tokenmaxx";
  std::string operation_name = "chat";
};

inline absl::StatusOr<std::string> to_otlp_json(const usage_snapshot& delta, const otlp_options& options = {}) {
  using nlohmann::json;
  if (delta.kind != snapshot_kind::delta)
    return absl::InvalidArgumentError("otlp: delta temporality needs a delta snapshot");
  auto attr = [](std::string_view k, std::string_view v) {
    return json{{"key", std::string(k)}, {"value", {{"stringValue", std::string(v)}}}};
  };
  json points = json::array();
  for (const usage_row& r : delta.rows) {
    for (token_type t : all_token_types) {
      const std::uint64_t n = r.tokens_of(t);
      if (n == 0) continue;
      json attrs = json::array({attr("gen_ai.operation.name", options.operation_name), attr("gen_ai.request.model", r.model),
                                attr("gen_ai.token.type", token_type_name(t)), attr("tokenmaxx.tenant", r.tenant)});
      if (!r.provider.empty()) attrs.push_back(attr("gen_ai.provider.name", r.provider));
      // A histogram point with sum > 0 needs count >= 1: usage recorded without a request count is
      // reported as one measurement.
      const std::uint64_t count = std::max<std::uint64_t>(r.requests, 1);
      points.push_back({{"attributes", std::move(attrs)},
                        {"startTimeUnixNano", std::to_string(delta.start_time)},
                        {"timeUnixNano", std::to_string(delta.end_time)},
                        {"count", std::to_string(count)},
                        {"sum", static_cast<double>(n)},
                        {"bucketCounts", json::array({std::to_string(count)})},
                        {"explicitBounds", json::array()}});
    }
  }
  json metric = {{"name", "gen_ai.client.token.usage"},
                 {"description", "Number of input and output tokens used."},
                 {"unit", "{token}"},
                 {"histogram", {{"aggregationTemporality", 1 /* AGGREGATION_TEMPORALITY_DELTA */}, {"dataPoints", std::move(points)}}}};
  json doc = {{"resourceMetrics",
               json::array({{{"resource", {{"attributes", json::array({attr("service.name", options.service_name)})}}},
                             {"scopeMetrics", json::array({{{"scope", {{"name", "tokenmaxx"}, {"version", std::string(version_string)}}},
                                                            {"metrics", json::array({std::move(metric)})}}})}}})}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tokenmaxx

// tokenmaxx/usage/export.hpp: Prometheus text exposition and OpenTelemetry (OTLP/JSON) export.
//
// `prometheus_exporter::render()` turns a *cumulative* snapshot (snapshot.hpp) into the Prometheus
// text format, with `tenant` and `model` labels:
//   tokenmaxx_tokens_total{tenant="acme",model="gpt-4o",token_type="input"} 1200
//   tokenmaxx_requests_total, tokenmaxx_errors_total, tokenmaxx_unpriced_tokens_total,
//   tokenmaxx_cost_usd_total (cost of the priced tokens in currency units, as an exact decimal; the
//   currency is the price table's, USD for LiteLLM's, and names the metric),
//   tokenmaxx_saturated (a gauge, 1 for rows whose counters or cost reached 2^64 - 1).
// Series are capped: at most `max_keys` (tenant, model) pairs get their own labels; the exporter
// remembers which pairs it admitted (first come, first served in (tenant, model) order, so each
// series stays monotonic across scrapes) and sums every other pair into
// tenant="__overflow__",model="__overflow__".
//
// `to_otlp_json()` turns a *delta* snapshot into an OTLP/JSON `ExportMetricsServiceRequest`:
//  - `gen_ai.client.token.usage` (histogram, unit `{token}`, delta temporality) as the OpenTelemetry
//    GenAI semantic conventions define it: per (tenant, model) one point with `gen_ai.token.type`
//    "input" (all prompt tokens: input + cached_input + cache_creation + cache_creation_1h) and one
//    with "output" (output + reasoning), `count` = the row's requests. The ledger keeps sums, not
//    per-request values, so each point has one bucket (no explicit bounds). Rows with no request in
//    the interval have no measurement to report and get no histogram point (their tokens are in the
//    next metric).
//  - `tokenmaxx.client.token.usage` (monotonic sum, delta, `{token}`): the tokens by tokenmaxx's own
//    type in `tokenmaxx.token.type` (input, cached_input, cache_creation, cache_creation_1h, output,
//    reasoning), so cached and reasoning tokens are visible without bending the GenAI attribute.
// Both carry `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name` (LiteLLM's
// provider mapped to the semantic-convention value, e.g. "vertex_ai-language-models" ->
// "gcp.vertex_ai"; `otlp_options::unknown_provider` when the model has no price entry) and
// `tokenmaxx.tenant`. The snapshot's [start_time, end_time) become startTimeUnixNano / timeUnixNano.
//
// Guarantees:
//  - Neither format has a person dimension: labels are tenant, model, provider and token type only.
//  - Prometheus label values are escaped per the exposition format (backslash, double quote,
//    newline); metric names follow its conventions (`_total` counters, currency named, base unit).
//  - Errors: InvalidArgument when the snapshot kind is wrong (Prometheus counters need cumulative
//    input, OTLP delta temporality needs delta input), when an OTLP snapshot's times are unknown (0)
//    or reversed, or when the currency is not 1-16 lower-case letters. OTLP integers are int64:
//    a count above 2^63 - 1 (only a saturated row has one) is sent as 2^63 - 1 with
//    `tokenmaxx.saturated` = true.
//  - Thread safety: a prometheus_exporter is not synchronised (one scraper at a time); to_otlp_json
//    is a pure function.
//
// Example:
//   tokenmaxx::ledger ledger;
//   if (absl::Status st = ledger.record("acme", "gpt-4o", {.input = 1200, .output = 300, .requests = 1}); !st.ok())
//     return st;
//   tokenmaxx::prometheus_exporter prom({.max_keys = 1000});
//   absl::StatusOr<std::string> text = prom.render(ledger.snapshot());      // serve on /metrics
//   if (!text.ok()) return text.status();
//   absl::StatusOr<std::string> otlp = tokenmaxx::to_otlp_json(ledger.snapshot_and_reset());
//   if (!otlp.ok()) return otlp.status();
//   // POST *otlp to an OTLP/HTTP collector at /v1/metrics with Content-Type: application/json
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

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

// An exact cost in currency units as a decimal: micro-units plus millionths of a micro-unit, so at
// most 12 fractional digits ("0.0070025").
inline std::string currency_decimal(const cost_amount& c) {
  std::string frac = std::to_string((c.micros % 1'000'000u) * 1'000'000u + c.remainder);
  frac.insert(0, 12 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = std::to_string(c.micros / 1'000'000u);
  if (!frac.empty()) out += "." + frac;
  return out;
}

// The OpenTelemetry `gen_ai.provider.name` for a LiteLLM provider name; other names pass through.
inline std::string_view semconv_provider_name(std::string_view litellm_provider) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 21> names = {{
      {"openai", "openai"},
      {"text-completion-openai", "openai"},
      {"chatgpt", "openai"},
      {"azure", "azure.ai.openai"},
      {"azure_text", "azure.ai.openai"},
      {"azure_ai", "azure.ai.inference"},
      {"anthropic", "anthropic"},
      {"bedrock", "aws.bedrock"},
      {"bedrock_converse", "aws.bedrock"},
      {"bedrock_mantle", "aws.bedrock"},
      {"vertex_ai", "gcp.vertex_ai"},
      {"gemini", "gcp.gemini"},
      {"cohere", "cohere"},
      {"cohere_chat", "cohere"},
      {"mistral", "mistral_ai"},
      {"codestral", "mistral_ai"},
      {"groq", "groq"},
      {"deepseek", "deepseek"},
      {"perplexity", "perplexity"},
      {"xai", "x_ai"},
      {"watsonx", "ibm.watsonx.ai"},
  }};
  for (const auto& [from, to] : names)
    if (from == litellm_provider) return to;
  if (litellm_provider.starts_with("vertex_ai-")) return "gcp.vertex_ai";  // vertex_ai-language-models, ...
  return litellm_provider;
}

struct prometheus_options {
  std::size_t max_keys = 1000;  // (tenant, model) pairs with their own series, excluding overflow
  std::string currency = "usd";  // the price table's currency: names tokenmaxx_cost_<currency>_total
};

class prometheus_exporter {
 public:
  explicit prometheus_exporter(prometheus_options options = {}) : options_(std::move(options)) {}

  absl::StatusOr<std::string> render(const usage_snapshot& cumulative) {
    if (cumulative.kind != snapshot_kind::cumulative)
      return absl::InvalidArgumentError("prometheus: counters need a cumulative snapshot");
    const std::string& cur = options_.currency;
    if (cur.empty() || cur.size() > 16 || !std::all_of(cur.begin(), cur.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
      return absl::InvalidArgumentError("prometheus: currency must be 1-16 lower-case letters, e.g. \"usd\"");
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
    out.reserve(rows.size() * 900 + 1024);
    auto labels = [](const usage_row& r) {
      return "tenant=\"" + prometheus_escape(r.tenant) + "\",model=\"" + prometheus_escape(r.model) + "\"";
    };
    auto header = [&](std::string_view name, std::string_view type, std::string_view help) {
      out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
    };
    auto series = [&](std::string_view name, const usage_row& r, std::string_view extra_label, const std::string& value) {
      out.append(name).append("{").append(labels(r)).append(extra_label).append("} ").append(value).append("\n");
    };
    header("tokenmaxx_tokens_total", "counter", "LLM tokens recorded, by tenant, model and token type.");
    for (const usage_row* r : rows)
      for (token_type t : all_token_types)
        series("tokenmaxx_tokens_total", *r, ",token_type=\"" + std::string(token_type_name(t)) + "\"", std::to_string(r->tokens_of(t)));
    header("tokenmaxx_requests_total", "counter", "LLM requests recorded.");
    for (const usage_row* r : rows) series("tokenmaxx_requests_total", *r, "", std::to_string(r->requests));
    header("tokenmaxx_errors_total", "counter", "LLM requests that failed.");
    for (const usage_row* r : rows) series("tokenmaxx_errors_total", *r, "", std::to_string(r->errors));
    const std::string cost_name = "tokenmaxx_cost_" + cur + "_total";
    header(cost_name, "counter", "Cost of the priced tokens, in " + cur + " (exact decimal; unpriced tokens not included).");
    for (const usage_row* r : rows) series(cost_name, *r, "", currency_decimal(r->cost));
    header("tokenmaxx_unpriced_tokens_total", "counter", "Tokens without a known price (not included in the cost).");
    for (const usage_row* r : rows) series("tokenmaxx_unpriced_tokens_total", *r, "", std::to_string(r->cost.unpriced_tokens));
    if (std::any_of(rows.begin(), rows.end(), [](const usage_row* r) { return r->overflow || r->cost.overflow; })) {
      header("tokenmaxx_saturated", "gauge", "1 when a counter or the cost of the row reached 2^64 - 1 and stopped counting.");
      for (const usage_row* r : rows)
        if (r->overflow || r->cost.overflow) series("tokenmaxx_saturated", *r, "", "1");
    }
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
  std::string unknown_provider = "unknown";  // gen_ai.provider.name of models without a price entry
};

inline absl::StatusOr<std::string> to_otlp_json(const usage_snapshot& delta, const otlp_options& options = {}) {
  using nlohmann::json;
  if (delta.kind != snapshot_kind::delta)
    return absl::InvalidArgumentError("otlp: delta temporality needs a delta snapshot");
  if (delta.start_time <= 0 || delta.end_time <= 0 || delta.start_time > delta.end_time)
    return absl::InvalidArgumentError("otlp: the snapshot's start_time/end_time are unknown (0) or reversed: take it with a clock");
  auto attr = [](std::string_view k, std::string_view v) {
    return json{{"key", std::string(k)}, {"value", {{"stringValue", std::string(v)}}}};
  };
  auto as_int = [](std::uint64_t v, bool& clamped) {
    constexpr auto most = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (v > most) clamped = true;
    return std::to_string(std::min(v, most));
  };
  const std::string start = std::to_string(delta.start_time), end = std::to_string(delta.end_time);
  json histogram_points = json::array(), sum_points = json::array();
  for (const usage_row& r : delta.rows) {
    const std::string_view provider = r.provider.empty() ? std::string_view(options.unknown_provider) : semconv_provider_name(r.provider);
    const json common = json::array({attr("gen_ai.operation.name", options.operation_name), attr("gen_ai.request.model", r.model),
                                     attr("gen_ai.provider.name", provider), attr("tokenmaxx.tenant", r.tenant)});
    auto with = [&](std::string_view key, std::string_view value, bool saturated) {
      json a = common;
      a.push_back(attr(key, value));
      if (saturated) a.push_back({{"key", "tokenmaxx.saturated"}, {"value", {{"boolValue", true}}}});
      return a;
    };
    if (r.requests > 0) {
      bool o = r.overflow;
      const std::uint64_t input = base::saturating_add(
          base::saturating_add(base::saturating_add(r.tokens_of(token_type::input), r.tokens_of(token_type::cached_input), o),
                               r.tokens_of(token_type::cache_creation), o),
          r.tokens_of(token_type::cache_creation_1h), o);
      const std::uint64_t output = base::saturating_add(r.tokens_of(token_type::output), r.tokens_of(token_type::reasoning), o);
      for (const auto& [type, tokens] : {std::pair<std::string_view, std::uint64_t>{"input", input}, {"output", output}}) {
        bool clamped = false;
        const std::string count = as_int(r.requests, clamped);
        histogram_points.push_back({{"attributes", with("gen_ai.token.type", type, o || clamped)},
                                    {"startTimeUnixNano", start},
                                    {"timeUnixNano", end},
                                    {"count", count},
                                    {"sum", static_cast<double>(tokens)},
                                    {"bucketCounts", json::array({count})},
                                    {"explicitBounds", json::array()}});
      }
    }
    for (token_type t : all_token_types) {
      if (r.tokens_of(t) == 0) continue;
      bool clamped = r.overflow;
      const std::string value = as_int(r.tokens_of(t), clamped);
      sum_points.push_back({{"attributes", with("tokenmaxx.token.type", token_type_name(t), clamped)},
                            {"startTimeUnixNano", start},
                            {"timeUnixNano", end},
                            {"asInt", value}});
    }
  }
  constexpr int delta_temporality = 1;  // AGGREGATION_TEMPORALITY_DELTA
  json metrics = json::array();
  metrics.push_back({{"name", "gen_ai.client.token.usage"},
                     {"description", "Number of input and output tokens used."},
                     {"unit", "{token}"},
                     {"histogram", {{"aggregationTemporality", delta_temporality}, {"dataPoints", std::move(histogram_points)}}}});
  metrics.push_back({{"name", "tokenmaxx.client.token.usage"},
                     {"description", "Tokens by tokenmaxx token type (cached, cache writes and reasoning apart)."},
                     {"unit", "{token}"},
                     {"sum", {{"aggregationTemporality", delta_temporality}, {"isMonotonic", true}, {"dataPoints", std::move(sum_points)}}}});
  json doc = {{"resourceMetrics",
               json::array({{{"resource", {{"attributes", json::array({attr("service.name", options.service_name)})}}},
                             {"scopeMetrics", json::array({{{"scope", {{"name", "tokenmaxx"}, {"version", std::string(version_string)}}},
                                                            {"metrics", std::move(metrics)}}})}}})}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tokenmaxx

// tokenmaxx/usage/pricing.hpp: prices per model and token type, and exact cost arithmetic.
//
// A `price_table` maps a model name to a `model_price`: for each `token_type` an optional price in
// integer micro-units of currency per million tokens (for USD: 2'500'000 = $2.50 per 1M tokens). Cost
// is computed exactly: tokens x price is evaluated in 128-bit integers, giving whole micro-units plus a
// remainder in millionths of a micro-unit, so costs add up exactly however usage is split (per call,
// per window, per instance). A token type without a price is never costed as zero: those tokens are
// counted as `unpriced_tokens` and the cost is marked incomplete. Results beyond 2^64 - 1 micro-units
// saturate and set `overflow`.
//
// Loading: `price_table::from_litellm_json` reads the subset of LiteLLM's
// `model_prices_and_context_window.json` that covers token prices: per model object the fields
// `input_cost_per_token`, `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
// `output_cost_per_token`, `output_cost_per_reasoning_token` (currency per token, floats) and
// `litellm_provider`. Conversion: micro-units per million tokens = round-to-nearest(price x 1e12);
// prices finer than 1e-12 currency per token are rounded to that grid (ties away from zero). When
// `output_cost_per_reasoning_token` is absent, reasoning tokens are priced as output tokens (how
// providers bill them). Other fields and the `sample_spec` entry are ignored; a price field that is not a
// finite non-negative number (or above 1e15 micro-units per million tokens) is an InvalidArgument error.
//
// Thread safety: a price_table is a plain value; share it immutably (ledgers take a
// `std::shared_ptr<const price_table>`), concurrent const use is safe.
//
// Example:
//   auto table = tokenmaxx::price_table::from_litellm_json(json_text);
//   if (!table.ok()) return table.status();
//   const tokenmaxx::model_price* p = table->find("gpt-4o");
//   tokenmaxx::cost_amount c = tokenmaxx::compute_cost(p, {1000, 0, 0, 500, 0});
//   // c.micros == 7500 (1000 x $2.50/M + 500 x $10/M), c.unpriced_tokens == 0
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/usage/usage.hpp"

namespace tokenmaxx {

struct model_price {
  // Micro-units of currency per 1,000,000 tokens, indexed by token_type; nullopt = no price known.
  std::array<std::optional<std::uint64_t>, token_type_count> micros_per_million{};
  std::string provider;  // e.g. "openai"; used for gen_ai.provider.name. May be empty.

  model_price& set(token_type t, std::uint64_t micros_per_mtok) {
    micros_per_million[static_cast<std::size_t>(t)] = micros_per_mtok;
    return *this;
  }
  friend bool operator==(const model_price&, const model_price&) = default;
};

// An exact cost: `micros` whole micro-units plus `remainder` millionths of a micro-unit
// (0 <= remainder < 1'000'000). `unpriced_tokens` counts tokens that had no price.
struct cost_amount {
  std::uint64_t micros = 0;
  std::uint32_t remainder = 0;
  std::uint64_t unpriced_tokens = 0;
  bool overflow = false;
  bool complete() const noexcept { return unpriced_tokens == 0 && !overflow; }
  friend bool operator==(const cost_amount&, const cost_amount&) = default;
};

inline constexpr std::uint64_t max_micros_per_million = 1'000'000'000'000'000ULL;  // 1e15

// Cost of `tokens` (indexed by token_type) at price `p` (nullptr: model has no price, all unpriced).
inline cost_amount compute_cost(const model_price* p, const std::array<std::uint64_t, token_type_count>& tokens) noexcept {
  cost_amount out;
  absl::uint128 total = 0;
  bool unpriced_overflow = false;
  for (std::size_t i = 0; i < token_type_count; ++i) {
    if (tokens[i] == 0) continue;
    if (p != nullptr && p->micros_per_million[i].has_value()) {
      total += absl::uint128(tokens[i]) * absl::uint128(*p->micros_per_million[i]);
    } else {
      if (out.unpriced_tokens + tokens[i] < out.unpriced_tokens) unpriced_overflow = true;
      out.unpriced_tokens += tokens[i];
    }
  }
  if (unpriced_overflow) {
    out.unpriced_tokens = UINT64_MAX;
    out.overflow = true;
  }
  const absl::uint128 whole = total / absl::uint128(1'000'000u);
  if (absl::Uint128High64(whole) != 0) {
    out.micros = UINT64_MAX;
    out.remainder = 0;
    out.overflow = true;
  } else {
    out.micros = absl::Uint128Low64(whole);
    out.remainder = static_cast<std::uint32_t>(absl::Uint128Low64(total % absl::uint128(1'000'000u)));
  }
  return out;
}

class price_table {
 public:
  price_table() = default;

  // Adds or replaces the price of `model`. InvalidArgument for an empty model name or a price above
  // max_micros_per_million.
  absl::Status set(std::string_view model, model_price price) {
    if (model.empty()) return absl::InvalidArgumentError("price_table: empty model name");
    for (const auto& v : price.micros_per_million)
      if (v && *v > max_micros_per_million)
        return absl::InvalidArgumentError("price_table: price for '" + std::string(model) + "' is above 1e15 micro-units per million tokens");
    prices_[std::string(model)] = std::move(price);
    return absl::OkStatus();
  }

  // nullptr when the model has no entry.
  const model_price* find(std::string_view model) const noexcept {
    auto it = prices_.find(absl::string_view(model.data(), model.size()));
    return it == prices_.end() ? nullptr : &it->second;
  }
  std::size_t size() const noexcept { return prices_.size(); }

  // Converts one LiteLLM per-token price (currency units per token) to micro-units per million tokens.
  static absl::StatusOr<std::uint64_t> litellm_to_micros_per_million(double per_token) {
    if (!std::isfinite(per_token) || per_token < 0)
      return absl::InvalidArgumentError("price is not a finite non-negative number");
    const double scaled = per_token * 1e12;
    if (scaled > static_cast<double>(max_micros_per_million))
      return absl::InvalidArgumentError("price is above 1e15 micro-units per million tokens");
    return static_cast<std::uint64_t>(std::llround(scaled));
  }

  static absl::StatusOr<price_table> from_litellm_json(std::string_view text) {
    nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return absl::InvalidArgumentError("price_table: not valid JSON");
    if (!doc.is_object()) return absl::InvalidArgumentError("price_table: top level must be a JSON object keyed by model");
    static constexpr std::array<std::pair<std::string_view, token_type>, 5> fields = {{
        {"input_cost_per_token", token_type::input},
        {"cache_read_input_token_cost", token_type::cached_input},
        {"cache_creation_input_token_cost", token_type::cache_creation},
        {"output_cost_per_token", token_type::output},
        {"output_cost_per_reasoning_token", token_type::reasoning},
    }};
    price_table out;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it.key() == "sample_spec" || !it.value().is_object()) continue;
      const nlohmann::json& m = it.value();
      model_price price;
      for (const auto& [name, type] : fields) {
        auto f = m.find(std::string(name));
        if (f == m.end() || f->is_null()) continue;
        if (!f->is_number())
          return absl::InvalidArgumentError("price_table: model '" + it.key() + "': field '" + std::string(name) + "' is not a number");
        auto micros = litellm_to_micros_per_million(f->get<double>());
        if (!micros.ok())
          return absl::InvalidArgumentError("price_table: model '" + it.key() + "': field '" + std::string(name) + "': " + std::string(micros.status().message()));
        price.set(type, *micros);
      }
      const std::size_t reasoning = static_cast<std::size_t>(token_type::reasoning);
      const std::size_t output = static_cast<std::size_t>(token_type::output);
      if (!price.micros_per_million[reasoning] && price.micros_per_million[output])
        price.micros_per_million[reasoning] = price.micros_per_million[output];
      if (auto pv = m.find("litellm_provider"); pv != m.end() && pv->is_string()) price.provider = pv->get<std::string>();
      if (absl::Status s = out.set(it.key(), std::move(price)); !s.ok()) return s;
    }
    return out;
  }

  static absl::StatusOr<price_table> load_litellm_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError("price_table: cannot open '" + path + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return from_litellm_json(ss.str());
  }

 private:
  absl::flat_hash_map<std::string, model_price> prices_;
};

}  // namespace tokenmaxx

// tokenmaxx/usage/pricing.hpp: prices per model and token type, and exact cost arithmetic.
//
// A `price_table` maps a model name to a `model_price`: for each `token_type` an optional price in
// integer micro-units of currency per million tokens (for USD: 2'500'000 = $2.50 per 1M tokens),
// plus optional tiers that replace those prices for requests whose prompt is larger than a
// threshold (Gemini and others bill a whole request at a higher rate above 200k prompt tokens).
// `compute_cost` turns token counts into a `cost_amount`. The ledger (ledger.hpp) picks the tier of
// each request when it is recorded and costs every tier at snapshot time.
//
// Guarantees:
//  - Exact: tokens x price is evaluated in 128-bit integers, giving whole micro-units plus a remainder
//    in millionths of a micro-unit, so costs add up exactly however usage is split. Results beyond
//    2^64 - 1 micro-units saturate and set `overflow`.
//  - Never a silent zero: a token type without a price is counted in `unpriced_tokens` and the cost
//    is incomplete. An explicit price of 0 is a price (free), except in an entry that charges in
//    another unit (per query, second, pixel, image, character, ...) and has no positive token price:
//    its zero token prices do not describe its cost, so its tokens are unpriced.
//  - `price_table::from_litellm_json` reads LiteLLM's model_prices_and_context_window.json: per
//    model the fields `input_cost_per_token`, `cache_read_input_token_cost`,
//    `cache_creation_input_token_cost`, `cache_creation_input_token_cost_above_1hr`,
//    `output_cost_per_token`, `output_cost_per_reasoning_token` (currency per token, floats), their
//    tiers `<field>_above_<N>[k]_tokens`, and `litellm_provider`. Conversion: micro-units per million
//    tokens = round-to-nearest(price x 1e12), ties away from zero. Tiers follow LiteLLM: a request is
//    in the highest tier whose threshold its prompt exceeds (for provider "xai": reaches); a field the
//    tier does not list keeps the next lower tier's price. Reasoning tokens without their own price
//    are priced as output tokens (how providers bill them). LiteLLM's service-tier, batch and
//    non-token prices (audio, image, video, per query/second) are not read.
//  - Missing cache prices: LiteLLM bills cache reads and cache writes without a price at the input
//    price (and one-hour writes at the cache-write price); tokenmaxx counts them as unpriced unless
//    `litellm_options::missing_cache_price_is_input_price` asks for LiteLLM's behaviour.
//  - Bad input is an InvalidArgument error: a price that is not a finite non-negative number or is
//    above 1e15 micro-units per million tokens, a malformed tier threshold, JSON that is not an object.
//  - Thread safety: a price_table is a plain value; share it immutably (ledgers take a
//    `std::shared_ptr<const price_table>`); concurrent const use is safe.
//
// Example:
//   absl::StatusOr<tokenmaxx::price_table> table = tokenmaxx::price_table::from_litellm_json(R"({
//     "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
//                "litellm_provider": "openai"}})");
//   if (!table.ok()) return table.status();
//   const tokenmaxx::model_price* p = table->find("gpt-4o");
//   tokenmaxx::usage call{.input = 1000, .output = 500};
//   tokenmaxx::cost_amount c = tokenmaxx::compute_cost(p, call.token_array(), p->tier_for(call.prompt_tokens()));
//   // c.micros == 7500 (1000 x $2.50/M + 500 x $10/M), c.complete()
//   if (!c.complete()) return absl::InternalError("expected a complete cost");
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/usage/usage.hpp"

namespace tokenmaxx {

// Micro-units of currency per 1,000,000 tokens, indexed by token_type; nullopt = no price known.
using token_prices = std::array<std::optional<std::uint64_t>, token_type_count>;

inline constexpr std::uint64_t max_micros_per_million = 1'000'000'000'000'000ULL;  // 1e15

// Prices that replace the base prices for a request whose prompt is above a threshold.
struct price_tier {
  std::uint64_t above_prompt_tokens = 0;
  token_prices micros_per_million{};  // complete: every price of the tier, not only what changed
  friend bool operator==(const price_tier&, const price_tier&) = default;
};

struct model_price {
  token_prices micros_per_million{};  // the base tier
  std::vector<price_tier> tiers;      // ascending above_prompt_tokens
  bool inclusive_thresholds = false;  // a tier applies from its threshold on, not only above it
  std::string provider;               // LiteLLM's provider name, e.g. "openai"; may be empty

  model_price& set(token_type t, std::uint64_t micros_per_mtok) {
    micros_per_million[static_cast<std::size_t>(t)] = micros_per_mtok;
    return *this;
  }
  std::size_t tier_count() const noexcept { return tiers.size() + 1; }
  // The tier of a request with `prompt_tokens` prompt tokens: 0 = base, i + 1 = tiers[i].
  std::size_t tier_for(std::uint64_t prompt_tokens) const noexcept {
    std::size_t tier = 0;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
      const std::uint64_t t = tiers[i].above_prompt_tokens;
      if (prompt_tokens > t || (inclusive_thresholds && prompt_tokens == t)) tier = i + 1;
    }
    return tier;
  }
  const token_prices& prices_of_tier(std::size_t tier) const noexcept {
    return tier == 0 || tier > tiers.size() ? micros_per_million : tiers[tier - 1].micros_per_million;
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

  // Exact sum; saturates and sets `overflow` instead of wrapping.
  friend cost_amount operator+(const cost_amount& a, const cost_amount& b) noexcept {
    cost_amount out;
    bool o = a.overflow || b.overflow;
    std::uint32_t rem = a.remainder + b.remainder;
    std::uint64_t carry = 0;
    if (rem >= 1'000'000u) {
      rem -= 1'000'000u;
      carry = 1;
    }
    bool micros_saturated = false;
    out.micros = base::saturating_add(base::saturating_add(a.micros, b.micros, micros_saturated), carry, micros_saturated);
    out.remainder = micros_saturated ? 0 : rem;
    out.unpriced_tokens = base::saturating_add(a.unpriced_tokens, b.unpriced_tokens, o);
    out.overflow = o || micros_saturated;
    return out;
  }
};

// Cost of `tokens` at the prices of tier `tier` of `p` (0 = base; nullptr: a model without a price,
// every token is unpriced).
inline cost_amount compute_cost(const model_price* p, const token_counts& tokens, std::size_t tier = 0) noexcept {
  const token_prices* prices = p ? &p->prices_of_tier(tier) : nullptr;
  cost_amount out;
  absl::uint128 total = 0;
  for (std::size_t i = 0; i < token_type_count; ++i) {
    if (tokens[i] == 0) continue;
    if (prices != nullptr && (*prices)[i].has_value()) {
      total += absl::uint128(tokens[i]) * absl::uint128(*(*prices)[i]);  // < 6 * 2^64 * 2^50: no wrap
    } else {
      out.unpriced_tokens = base::saturating_add(out.unpriced_tokens, tokens[i], out.overflow);
    }
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

// How a LiteLLM table is read.
struct litellm_options {
  // false (default): a missing cache-read or cache-write price leaves those tokens unpriced.
  // true: LiteLLM's billing: such tokens cost the input price, one-hour cache writes without a
  // price cost the cache-write price.
  bool missing_cache_price_is_input_price = false;
};

namespace usage_detail {

// LiteLLM's per-token fields and the token type each prices.
inline constexpr std::array<std::pair<std::string_view, token_type>, 6> litellm_token_fields = {{
    {"input_cost_per_token", token_type::input},
    {"cache_read_input_token_cost", token_type::cached_input},
    {"cache_creation_input_token_cost", token_type::cache_creation},
    {"cache_creation_input_token_cost_above_1hr", token_type::cache_creation_1h},
    {"output_cost_per_token", token_type::output},
    {"output_cost_per_reasoning_token", token_type::reasoning},
}};

// "<field>_above_<N>[k]_tokens" -> (field, N); nullopt when `key` has another shape.
inline std::optional<std::pair<std::string_view, std::uint64_t>> parse_litellm_tier_key(std::string_view key) {
  constexpr std::string_view suffix = "_tokens";
  constexpr std::string_view above = "_above_";
  if (key.size() <= suffix.size() || key.substr(key.size() - suffix.size()) != suffix) return std::nullopt;
  const std::size_t at = key.rfind(above);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view number = key.substr(at + above.size(), key.size() - suffix.size() - at - above.size());
  std::uint64_t scale = 1;
  if (!number.empty() && number.back() == 'k') {
    number.remove_suffix(1);
    scale = 1000;
  }
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || n > UINT64_MAX / scale)
    return std::nullopt;
  return std::pair{key.substr(0, at), n * scale};
}

}  // namespace usage_detail

class price_table {
 public:
  price_table() = default;

  // Adds or replaces the price of `model`. InvalidArgument for an empty model name, a price above
  // max_micros_per_million, or tiers that are not in strictly ascending threshold order.
  absl::Status set(std::string_view model, model_price price) {
    if (model.empty()) return absl::InvalidArgumentError("price_table: empty model name");
    auto too_high = [](const token_prices& prices) {
      return std::any_of(prices.begin(), prices.end(), [](const auto& v) { return v && *v > max_micros_per_million; });
    };
    bool bad = too_high(price.micros_per_million);
    for (const price_tier& t : price.tiers) bad = bad || too_high(t.micros_per_million);
    if (bad)
      return absl::InvalidArgumentError("price_table: a price for '" + std::string(model) +
                                        "' is above 1e15 micro-units per million tokens");
    for (std::size_t i = 1; i < price.tiers.size(); ++i)
      if (price.tiers[i].above_prompt_tokens <= price.tiers[i - 1].above_prompt_tokens)
        return absl::InvalidArgumentError("price_table: tiers of '" + std::string(model) + "' are not in ascending order");
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

  static absl::StatusOr<price_table> from_litellm_json(std::string_view text, const litellm_options& options = {}) {
    nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return absl::InvalidArgumentError("price_table: not valid JSON");
    if (!doc.is_object()) return absl::InvalidArgumentError("price_table: top level must be a JSON object keyed by model");
    price_table out;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it.key() == "sample_spec" || !it.value().is_object()) continue;
      absl::StatusOr<model_price> price = parse_litellm_entry(it.key(), it.value(), options);
      if (!price.ok()) return price.status();
      if (absl::Status s = out.set(it.key(), *std::move(price)); !s.ok()) return s;
    }
    return out;
  }

  static absl::StatusOr<price_table> load_litellm_file(const std::string& path, const litellm_options& options = {}) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError("price_table: cannot open '" + path + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return from_litellm_json(ss.str(), options);
  }

 private:
  static absl::StatusOr<model_price> parse_litellm_entry(const std::string& model, const nlohmann::json& m,
                                                         const litellm_options& options) {
    auto field_error = [&](std::string_view field, std::string_view what) {
      return absl::InvalidArgumentError("price_table: model '" + model + "': field '" + std::string(field) + "': " + std::string(what));
    };
    auto read_price = [&](std::string_view field, const nlohmann::json& v) -> absl::StatusOr<std::optional<std::uint64_t>> {
      if (v.is_null()) return std::optional<std::uint64_t>();
      if (!v.is_number()) return field_error(field, "is not a number");
      auto micros = litellm_to_micros_per_million(v.get<double>());
      if (!micros.ok()) return field_error(field, std::string(micros.status().message()));
      return std::optional<std::uint64_t>(*micros);
    };
    auto type_of = [](std::string_view field) -> std::optional<token_type> {
      for (const auto& [name, type] : usage_detail::litellm_token_fields)
        if (name == field) return type;
      return std::nullopt;
    };

    model_price price;
    std::vector<std::pair<std::uint64_t, token_prices>> tier_changes;  // threshold -> prices it lists
    bool bills_another_unit = false;
    for (auto f = m.begin(); f != m.end(); ++f) {
      const std::string& key = f.key();
      if (std::optional<token_type> type = type_of(key)) {
        absl::StatusOr<std::optional<std::uint64_t>> v = read_price(key, f.value());
        if (!v.ok()) return v.status();
        price.micros_per_million[static_cast<std::size_t>(*type)] = *v;
        continue;
      }
      if (auto tier = usage_detail::parse_litellm_tier_key(key)) {
        if (std::optional<token_type> type = type_of(tier->first); type && *type != token_type::reasoning) {
          absl::StatusOr<std::optional<std::uint64_t>> v = read_price(key, f.value());
          if (!v.ok()) return v.status();
          if (!v->has_value()) continue;
          auto at = std::find_if(tier_changes.begin(), tier_changes.end(), [&](const auto& c) { return c.first == tier->second; });
          if (at == tier_changes.end()) at = tier_changes.insert(tier_changes.end(), {tier->second, token_prices{}});
          at->second[static_cast<std::size_t>(*type)] = *v;
          continue;
        }
      }
      if (key.find("cost") != std::string::npos && f->is_number() && f->get<double>() > 0) bills_another_unit = true;
    }
    if (auto pv = m.find("litellm_provider"); pv != m.end() && pv->is_string()) price.provider = pv->get<std::string>();
    price.inclusive_thresholds = price.provider == "xai";

    // Tiers: each overlays the next lower one (LiteLLM walks the thresholds in ascending order).
    std::sort(tier_changes.begin(), tier_changes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    token_prices listed = price.micros_per_million;
    for (const auto& [threshold, changes] : tier_changes) {
      for (std::size_t i = 0; i < token_type_count; ++i)
        if (changes[i]) listed[i] = changes[i];
      price.tiers.push_back(price_tier{threshold, listed});
    }
    const bool explicit_reasoning = price.micros_per_million[static_cast<std::size_t>(token_type::reasoning)].has_value();
    auto complete = [&](token_prices& p) {
      auto at = [&](token_type t) -> std::optional<std::uint64_t>& { return p[static_cast<std::size_t>(t)]; };
      if (!explicit_reasoning) at(token_type::reasoning) = at(token_type::output);
      if (options.missing_cache_price_is_input_price) {
        if (!at(token_type::cached_input)) at(token_type::cached_input) = at(token_type::input);
        if (!at(token_type::cache_creation)) at(token_type::cache_creation) = at(token_type::input);
        if (!at(token_type::cache_creation_1h)) at(token_type::cache_creation_1h) = at(token_type::cache_creation);
      }
    };
    complete(price.micros_per_million);
    for (price_tier& t : price.tiers) complete(t.micros_per_million);

    // An entry that bills in another unit and has no positive token price is not priced by tokens.
    auto positive = [](const token_prices& p) {
      return std::any_of(p.begin(), p.end(), [](const auto& v) { return v && *v > 0; });
    };
    bool any_positive = positive(price.micros_per_million);
    for (const price_tier& t : price.tiers) any_positive = any_positive || positive(t.micros_per_million);
    if (bills_another_unit && !any_positive) {
      price.micros_per_million = {};
      price.tiers.clear();
    }
    return price;
  }

  absl::flat_hash_map<std::string, model_price> prices_;
};

}  // namespace tokenmaxx

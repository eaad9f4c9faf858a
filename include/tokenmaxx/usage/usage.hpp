// tokenmaxx/usage/usage.hpp: what one LLM call consumed.
//
// A `usage` value lists the tokens of one call split by `token_type`, plus the number of requests
// and failed requests it covers. The token types are disjoint: `input` counts only uncached prompt
// tokens, `cached_input` the prompt tokens read from a provider cache, `cache_creation` the prompt
// tokens written to it with the provider's default lifetime (Anthropic: 5 minutes),
// `cache_creation_1h` those written with a one-hour lifetime, `output` the visible completion
// tokens and `reasoning` the hidden reasoning tokens. OpenAI reports `prompt_tokens` including
// cached tokens and `completion_tokens` including reasoning tokens: subtract before recording (and
// check the difference is not negative: see `max_increment`). The ledger (ledger.hpp) adds usage
// values up; pricing.hpp turns token counts into cost.
//
// Guarantees:
//  - All counts are unsigned 64-bit. `validate()` accepts a usage only when every field is below
//    2^48 (`max_increment` = 2^48 - 1, about 2.8e14): a larger value is what `prompt - cached` gives
//    when it goes negative, and the ledger refuses it with InvalidArgument instead of adding it.
//  - `prompt_tokens()` (input + cached_input + cache_creation + cache_creation_1h) is the request's
//    prompt size that tiered prices (pricing.hpp) are chosen by; it saturates instead of wrapping.
//  - Thread safety: a plain value type with no shared state.
//
// Example:
//   tokenmaxx::usage u{.input = 1200, .cached_input = 800, .output = 300, .requests = 1};
//   if (absl::Status st = tokenmaxx::validate(u); !st.ok()) return st;
//   for (tokenmaxx::token_type t : tokenmaxx::all_token_types)
//     std::cout << tokenmaxx::token_type_name(t) << " " << u.tokens(t) << "\n";
//   std::uint64_t prompt = u.prompt_tokens();   // 2000
//   (void)prompt;
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "tokenmaxx/base/saturating.hpp"

namespace tokenmaxx {

enum class token_type : std::uint8_t {
  input = 0,
  cached_input = 1,
  cache_creation = 2,
  cache_creation_1h = 3,
  output = 4,
  reasoning = 5,
};

inline constexpr std::size_t token_type_count = 6;
inline constexpr std::array<token_type, token_type_count> all_token_types = {
    token_type::input,  token_type::cached_input, token_type::cache_creation, token_type::cache_creation_1h,
    token_type::output, token_type::reasoning};

// Token counts indexed by token_type.
using token_counts = std::array<std::uint64_t, token_type_count>;

// The largest value one record may add to any field: 2^48 - 1 (about 2.8e14).
inline constexpr std::uint64_t max_increment = (std::uint64_t{1} << 48) - 1;

// Stable snake_case names, used as the Prometheus `token_type` label and in JSON.
constexpr std::string_view token_type_name(token_type t) noexcept {
  switch (t) {
    case token_type::input: return "input";
    case token_type::cached_input: return "cached_input";
    case token_type::cache_creation: return "cache_creation";
    case token_type::cache_creation_1h: return "cache_creation_1h";
    case token_type::output: return "output";
    case token_type::reasoning: return "reasoning";
  }
  return "unknown";
}

struct usage {
  std::uint64_t input = 0;
  std::uint64_t cached_input = 0;
  std::uint64_t cache_creation = 0;
  std::uint64_t cache_creation_1h = 0;
  std::uint64_t output = 0;
  std::uint64_t reasoning = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;

  constexpr std::uint64_t tokens(token_type t) const noexcept {
    switch (t) {
      case token_type::input: return input;
      case token_type::cached_input: return cached_input;
      case token_type::cache_creation: return cache_creation;
      case token_type::cache_creation_1h: return cache_creation_1h;
      case token_type::output: return output;
      case token_type::reasoning: return reasoning;
    }
    return 0;
  }
  constexpr token_counts token_array() const noexcept {
    return {input, cached_input, cache_creation, cache_creation_1h, output, reasoning};
  }
  // The prompt size that selects a tiered price; saturates at 2^64 - 1.
  constexpr std::uint64_t prompt_tokens() const noexcept {
    bool overflowed = false;
    return base::saturating_add(
        base::saturating_add(base::saturating_add(input, cached_input, overflowed), cache_creation, overflowed),
        cache_creation_1h, overflowed);
  }
  // True when every field is at most max_increment (one OR and one shift: cheap on the hot path).
  constexpr bool within_limits() const noexcept {
    return ((input | cached_input | cache_creation | cache_creation_1h | output | reasoning | requests | errors) >> 48) == 0;
  }
  friend constexpr bool operator==(const usage&, const usage&) = default;
};

// A usage with `n` tokens of type `t` and nothing else.
constexpr usage usage_of(token_type t, std::uint64_t n) noexcept {
  usage u;
  switch (t) {
    case token_type::input: u.input = n; break;
    case token_type::cached_input: u.cached_input = n; break;
    case token_type::cache_creation: u.cache_creation = n; break;
    case token_type::cache_creation_1h: u.cache_creation_1h = n; break;
    case token_type::output: u.output = n; break;
    case token_type::reasoning: u.reasoning = n; break;
  }
  return u;
}

// OK when every field is at most max_increment; otherwise InvalidArgument naming the field.
inline absl::Status validate(const usage& u) {
  const std::array<std::pair<std::string_view, std::uint64_t>, 8> fields = {{
      {"input", u.input},
      {"cached_input", u.cached_input},
      {"cache_creation", u.cache_creation},
      {"cache_creation_1h", u.cache_creation_1h},
      {"output", u.output},
      {"reasoning", u.reasoning},
      {"requests", u.requests},
      {"errors", u.errors},
  }};
  for (const auto& [name, value] : fields) {
    if (value > max_increment)
      return absl::InvalidArgumentError("usage." + std::string(name) + " is " + std::to_string(value) +
                                        ", above the maximum of 2^48 - 1 per record (a negative count converted "
                                        "to unsigned?); nothing was recorded");
  }
  return absl::OkStatus();
}

}  // namespace tokenmaxx

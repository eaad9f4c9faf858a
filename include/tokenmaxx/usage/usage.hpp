// tokenmaxx/usage/usage.hpp: what one LLM call consumed.
//
// A `usage` value lists the tokens of one call (or of several calls summed) split by `token_type`, plus
// the number of requests and failed requests it covers. The token types are disjoint: `input` counts
// only uncached prompt tokens, `cached_input` the prompt tokens read from a provider cache,
// `cache_creation` the prompt tokens written to it, `output` the visible completion tokens and
// `reasoning` the hidden reasoning tokens. (OpenAI reports `prompt_tokens` including cached tokens and
// `completion_tokens` including reasoning tokens: subtract before recording.) All counts are 64-bit.
// `usage` is a plain value type with no shared state; thread safety is the ledger's business
// (see ledger.hpp).
//
// Example:
//   tokenmaxx::usage u{.input = 1200, .cached_input = 800, .output = 300, .requests = 1};
//   ledger.record(handle, u);
//   for (tokenmaxx::token_type t : tokenmaxx::all_token_types)
//     std::cout << tokenmaxx::token_type_name(t) << " " << u.tokens(t) << "\n";
//   // input 1200, cached_input 800, cache_creation 0, output 300, reasoning 0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tokenmaxx {

enum class token_type : std::uint8_t { input = 0, cached_input = 1, cache_creation = 2, output = 3, reasoning = 4 };

inline constexpr std::size_t token_type_count = 5;
inline constexpr std::array<token_type, token_type_count> all_token_types = {
    token_type::input, token_type::cached_input, token_type::cache_creation, token_type::output,
    token_type::reasoning};

// Stable snake_case names, used as the Prometheus `token_type` label and in JSON.
constexpr std::string_view token_type_name(token_type t) noexcept {
  switch (t) {
    case token_type::input: return "input";
    case token_type::cached_input: return "cached_input";
    case token_type::cache_creation: return "cache_creation";
    case token_type::output: return "output";
    case token_type::reasoning: return "reasoning";
  }
  return "unknown";
}

struct usage {
  std::uint64_t input = 0;
  std::uint64_t cached_input = 0;
  std::uint64_t cache_creation = 0;
  std::uint64_t output = 0;
  std::uint64_t reasoning = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;

  constexpr std::uint64_t tokens(token_type t) const noexcept {
    switch (t) {
      case token_type::input: return input;
      case token_type::cached_input: return cached_input;
      case token_type::cache_creation: return cache_creation;
      case token_type::output: return output;
      case token_type::reasoning: return reasoning;
    }
    return 0;
  }
  friend constexpr bool operator==(const usage&, const usage&) = default;
};

}  // namespace tokenmaxx

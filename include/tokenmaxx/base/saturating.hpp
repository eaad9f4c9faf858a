// tokenmaxx/base/saturating.hpp: saturating integer addition.
//
// The one saturating add of the library: ledger merges, cost sums and privacy totals never wrap.
//
// Guarantees:
//  - `saturating_add(a, b, overflowed)` on unsigned 64-bit values returns a + b, or UINT64_MAX
//    and sets `overflowed` when the sum does not fit (it never clears the flag).
//  - `saturating_add(a, b)` on signed 64-bit values returns a + b clamped to [INT64_MIN, INT64_MAX].
//  - constexpr, noexcept, no shared state.
//
// Example:
//   bool o = false;
//   std::uint64_t s = tokenmaxx::base::saturating_add(UINT64_MAX - 1, 5, o);  // UINT64_MAX, o == true
//   std::int64_t t = tokenmaxx::base::saturating_add(INT64_MAX, 1);           // INT64_MAX
#pragma once

#include <cstdint>
#include <limits>

namespace tokenmaxx::base {

constexpr std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b, bool& overflowed) noexcept {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    overflowed = true;
    return std::numeric_limits<std::uint64_t>::max();
  }
  return r;
}

constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  return r;
}

}  // namespace tokenmaxx::base

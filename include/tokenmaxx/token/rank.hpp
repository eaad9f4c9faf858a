// tokenmaxx/token/rank.hpp: the token id type.
//
// A `rank_t` is a token id: its rank in a BPE vocabulary (lower ranks merge first), or the id of
// a special token. `no_rank` marks "no such token" in lookups.
//
// Guarantees: plain constants, no code; safe to include anywhere.
//
// Example:
//   tokenmaxx::rank_t r = tokenmaxx::get_encoding("cl100k_base")->vocab().find("hello");
//   if (r == tokenmaxx::no_rank) { /* not a single token */ }
#pragma once

#include <cstdint>
#include <limits>

namespace tokenmaxx {

using rank_t = std::uint32_t;
inline constexpr rank_t no_rank = std::numeric_limits<rank_t>::max();

}  // namespace tokenmaxx

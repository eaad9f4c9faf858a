// A deliberately plain BPE merge (quadratic) that states tiktoken's rule directly: repeatedly
// merge the adjacent pair whose joined bytes have the lowest rank, the leftmost on ties. The fast
// merge is checked against it by the unit tests and by fuzz/token/tokenizer_fuzz.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx_test {

enum class whole_piece { look_up_first, merge_anyway };

// The tokens of `piece`. With whole_piece::look_up_first a piece that is a token is that token
// (tiktoken's encode); with merge_anyway it is merged from single bytes (tiktoken's
// byte_pair_encode). A byte without a token comes out as tokenmaxx::no_rank.
inline std::vector<tokenmaxx::rank_t> reference_merge(const tokenmaxx::vocabulary& v, std::string_view piece,
                                                      whole_piece whole = whole_piece::look_up_first) {
  if (whole == whole_piece::look_up_first)
    if (auto r = v.find(piece); r != tokenmaxx::no_rank) return {r};
  std::vector<std::pair<std::size_t, std::size_t>> parts;  // [begin, end) of each part
  for (std::size_t i = 0; i < piece.size(); ++i) parts.emplace_back(i, i + 1);
  while (parts.size() > 1) {
    tokenmaxx::rank_t best = tokenmaxx::no_rank;
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      const auto r = v.find(piece.substr(parts[i].first, parts[i + 1].second - parts[i].first));
      if (r < best) best = r, at = i;  // strict: the leftmost of equal ranks wins
    }
    if (best == tokenmaxx::no_rank) break;
    parts[at].second = parts[at + 1].second;
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(at) + 1);
  }
  std::vector<tokenmaxx::rank_t> ids;
  for (const auto& [b, e] : parts) ids.push_back(v.find(piece.substr(b, e - b)));
  return ids;
}

}  // namespace tokenmaxx_test

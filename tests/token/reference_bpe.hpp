// A deliberately plain BPE merge (strings, quadratic) that states tiktoken's rule directly; the
// fast merge is checked against it by tests and by fuzz/tokenizer_fuzz.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx_test {

inline std::vector<tokenmaxx::rank_t> reference_merge(const tokenmaxx::vocabulary& v, std::string_view piece) {
  if (auto r = v.find(piece); r != tokenmaxx::no_rank) return {r};
  std::vector<std::string> parts;
  for (char c : piece) parts.emplace_back(1, c);
  while (parts.size() > 1) {
    tokenmaxx::rank_t best = tokenmaxx::no_rank;
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      const auto r = v.find(parts[i] + parts[i + 1]);
      if (r < best) best = r, at = i;  // strict: the leftmost of equal ranks wins
    }
    if (best == tokenmaxx::no_rank) break;
    parts[at] += parts[at + 1];
    parts.erase(parts.begin() + long(at) + 1);
  }
  std::vector<tokenmaxx::rank_t> ids;
  for (const auto& p : parts) ids.push_back(v.find(p));
  return ids;
}

}  // namespace tokenmaxx_test

// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// Linear-time byte-pair encoding for long pieces (a megabyte without a split point), giving
// exactly the tokens of tiktoken's lowest-rank-first merge.
//
// The idea (published with GitHub's `bpe` crate): walk the piece left to right, always taking the
// longest token that starts at the current position, and keep it only if it forms a "valid pair"
// with the token before it: BPE, run on the two tokens' bytes, would produce exactly these two
// tokens (no merge across their boundary wins). When no prefix of the longest match is valid,
// back up one token. A bitfield of positions proven to be dead ends makes every position cost a
// bounded amount of work, so the whole piece is linear.
//
// The pair-validity check needs, for every token, the two tokens its last BPE merge joined (its
// "split") and a map from token pairs to the token they merge into. Those tables are computed from
// the vocabulary once, on the first long piece a process meets (tens of milliseconds), and shared.
// Tokens that BPE can never produce from their own bytes (possible in a hand-made vocabulary) are
// left out of the matcher, which then still finds exactly BPE's result.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tokenmaxx/token/detail/rank_table.hpp"

namespace tokenmaxx::token_detail {

// An open-addressing map from a 64-bit key (never ~0) to a 32-bit value, built once.
class u64_map {
 public:
  void reserve(std::size_t n) {
    std::size_t size = 16;
    while (size < n * 2) size <<= 1;
    keys_.assign(size, empty);
    values_.assign(size, 0);
    mask_ = size - 1;
  }
  // Inserts (key, value) unless key is present; returns the value stored for key.
  std::uint32_t insert(std::uint64_t key, std::uint32_t value) {
    for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == empty) {
        keys_[i] = key;
        values_[i] = value;
        if (++size_ * 2 > keys_.size()) grow();
        return value;
      }
    }
  }
  // The value for key, or `missing`.
  std::uint32_t find(std::uint64_t key, std::uint32_t missing) const noexcept {
    for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == empty) return missing;
    }
  }

 private:
  static constexpr std::uint64_t empty = ~std::uint64_t{0};
  static std::size_t hash(std::uint64_t k) noexcept { return static_cast<std::size_t>(mix64(k * 0x9E3779B97F4A7C15ull)); }
  void grow() {
    std::vector<std::uint64_t> keys = std::move(keys_);
    std::vector<std::uint32_t> values = std::move(values_);
    reserve(keys.size());
    size_ = 0;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] != empty) insert(keys[i], values[i]);
  }
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_ = 0, size_ = 0;
};

struct backtrack_tables {
  // Trie over the bytes of every token BPE can produce: node ids, edges (node, byte) -> child.
  u64_map edges;
  std::vector<rank_t> node_token;   // the token ending at a node, or no_rank
  std::vector<rank_t> next_prefix;  // per rank: the longest producible token that is a proper prefix
  std::vector<std::pair<rank_t, rank_t>> split;  // per rank: the tokens its last merge joined
  u64_map pair_to_token;            // (left << 32 | right) -> merged rank

  static std::uint64_t edge_key(std::uint32_t node, std::uint8_t byte) noexcept {
    return (std::uint64_t{node} << 8) | byte;
  }
  static std::uint64_t pair_key(rank_t a, rank_t b) noexcept { return (std::uint64_t{a} << 32) | b; }

  // The longest producible token that is a prefix of p[0, n), or no_rank.
  rank_t longest_prefix_token(const std::uint8_t* p, std::size_t n) const noexcept {
    std::uint32_t node = 0;
    rank_t best = no_rank;
    for (std::size_t i = 0; i < n; ++i) {
      node = edges.find(edge_key(node, p[i]), 0);
      if (node == 0) break;
      if (node_token[node] != no_rank) best = node_token[node];
    }
    return best;
  }

  // Whether BPE, given the bytes of `a` followed by the bytes of `b`, ends with exactly a, b: no
  // token across their boundary would be merged before a and b are complete.
  bool valid_pair(rank_t a, rank_t b) const noexcept {
    rank_t limit = no_rank;  // ranks at or above this were merged later than what is being undone
    for (;;) {
      const rank_t merged = pair_to_token.find(pair_key(a, b), no_rank);
      if (merged != no_rank && merged < limit) return false;
      if (a > b) {  // undo the later of the two tokens' last merges
        limit = a;
        a = split[a].second;
        if (a == limit) {
          limit = b + 1;
          b = split[b].first;
          if (b + 1 == limit) return true;
        }
      } else {
        limit = b + 1;
        b = split[b].first;
        if (b + 1 == limit) {
          limit = a;
          a = split[a].second;
          if (a == limit) return true;
        }
      }
    }
  }

  static std::shared_ptr<const backtrack_tables> build(const rank_table& table) {
    auto t = std::make_shared<backtrack_tables>();
    const std::size_t ranks = table.size() ? std::size_t(table.max_rank()) + 1 : 0;
    t->split.assign(ranks, {no_rank, no_rank});
    t->node_token.assign(1, no_rank);
    t->edges.reserve(table.size() * 3);
    t->pair_to_token.reserve(table.size());
    std::vector<std::uint32_t> parent(1, 0), node_of(ranks, 0), path;
    // Ranks in increasing order: a token's last merge joins two tokens of lower rank, which are
    // therefore already known (and, when producible, marked in the trie) when it is examined.
    for (rank_t r = 0; r < ranks; ++r) {
      const auto bytes = table.bytes_of(r);
      if (!bytes) continue;
      const auto* p = reinterpret_cast<const std::uint8_t*>(bytes->data());
      const std::size_t n = bytes->size();
      path.clear();
      std::uint32_t node = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const auto fresh = static_cast<std::uint32_t>(t->node_token.size());
        const std::uint32_t child = t->edges.insert(edge_key(node, p[i]), fresh);
        if (child == fresh) {
          t->node_token.push_back(no_rank);
          parent.push_back(node);
        }
        node = child;
        path.push_back(node);
      }
      node_of[r] = node;
      bool producible = n == 1;
      if (producible) t->split[r] = {r, r};
      // The last merge: among the producible lower-rank prefixes (longest first), the one whose
      // remainder is a producible lower-rank token forming a valid pair with it.
      for (std::size_t k = n - 1; !producible && k-- > 0;) {
        const rank_t left = t->node_token[path[k]];
        if (left == no_rank) continue;
        const rank_t right = table.find(p + k + 1, n - k - 1);
        if (right == no_rank || right >= r || t->split[right].first == no_rank) continue;
        if (!t->valid_pair(left, right)) continue;
        t->split[r] = {left, right};
        t->pair_to_token.insert(pair_key(left, right), r);
        producible = true;
      }
      if (producible) t->node_token[node] = r;  // else: never produced by merging, not matched
    }
    // next_prefix: the deepest producible token strictly above each token's node (node ids grow
    // with depth along every path, so one pass in id order sees parents first).
    std::vector<rank_t> above(t->node_token.size(), no_rank);
    for (std::size_t v = 1; v < above.size(); ++v) {
      const std::uint32_t up = parent[v];
      above[v] = (up != 0 && t->node_token[up] != no_rank) ? t->node_token[up] : above[up];
    }
    t->next_prefix.assign(ranks, no_rank);
    for (rank_t r = 0; r < ranks; ++r)
      if (t->split[r].first != no_rank) t->next_prefix[r] = above[node_of[r]];
    return t;
  }
};

// Emits the tokens of p[0, n) as BPE merges them, in O(n), and returns true; returns false
// without emitting anything when a byte has no producible token (the caller then uses the
// general merge, which reports it). `t` must be built from `table`.
template <class Emit>
bool bpe_backtrack(const rank_table& table, const backtrack_tables& t, const std::uint8_t* p, std::size_t n,
                   Emit&& emit) {
  std::vector<rank_t> tokens;
  tokens.reserve(n / 4 + 1);
  std::vector<std::uint64_t> dead((n + 64) / 64, 0);  // positions from which no valid tokenization continues
  const auto is_dead = [&](std::size_t i) { return (dead[i / 64] >> (i % 64)) & 1; };
  std::size_t pos = 0;
  rank_t next = t.longest_prefix_token(p, n);
  while (pos < n && next != no_rank) {
    rank_t token = next;
    const rank_t last = tokens.empty() ? no_rank : tokens.back();
    for (;;) {
      const std::size_t end = pos + table.bytes_of(token)->size();
      if (!is_dead(end) && (last == no_rank || t.valid_pair(last, token))) {
        tokens.push_back(token);
        pos = end;
        next = t.longest_prefix_token(p + pos, n - pos);
        break;
      }
      token = t.next_prefix[token];
      if (token == no_rank) {  // nothing starting here fits after `last`: back up over it
        if (last == no_rank) return false;
        dead[pos / 64] |= std::uint64_t{1} << (pos % 64);
        tokens.pop_back();
        pos -= table.bytes_of(last)->size();
        next = last;
        break;
      }
    }
  }
  if (pos != n) return false;
  for (rank_t r : tokens) emit(r);
  return true;
}

}  // namespace tokenmaxx::token_detail

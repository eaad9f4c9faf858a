// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
// Byte-pair merging with tiktoken's exact rule: inside one piece, repeatedly merge the adjacent
// pair whose concatenated bytes have the lowest rank (the leftmost one on ties) until no pair is
// in the vocabulary. A piece that is itself a vocabulary entry is one token, as in tiktoken.
//
// Short pieces use tiktoken's own array scan (fastest for a few dozen bytes); long pieces use a
// binary heap with lazy invalidation over a linked list of parts, which performs the same merges
// in the same order in O(n log n), so hostile inputs (1 MB without a split point) stay fast.
#pragma once

#include <algorithm>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "tokenmaxx/token/detail/bpe_backtrack.hpp"
#include "tokenmaxx/token/detail/rank_table.hpp"
#include "tokenmaxx/base/status.hpp"
#include "tokenmaxx/token/errors.hpp"

namespace tokenmaxx::token_detail {

inline constexpr std::size_t small_piece_bytes = 96;

[[noreturn]] inline void throw_unencodable_byte(std::uint8_t b) {
  base::raise(error("the vocabulary has no token for byte " + std::to_string(b)));
}

// Scratch for long pieces; one per thread, reused, so steady-state encoding allocates nothing.
struct bpe_heap_scratch {
  struct candidate {
    rank_t rank;
    std::uint32_t left;       // start of the left part
    std::uint32_t right_end;  // end of the right part when the candidate was made
    bool operator>(const candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::vector<std::uint32_t> next, prev;
  std::vector<candidate> heap;
};
inline bpe_heap_scratch& thread_bpe_scratch() {
  thread_local bpe_heap_scratch scratch;
  return scratch;
}

template <class Emit>
void bpe_merge_small(const rank_table& t, const std::uint8_t* p, std::size_t n, Emit&& emit) {
  // start[k] is the first byte of part k, part[k] its rank; rank[k] the rank of parts k and k+1
  // joined. Keeping part[] spares a vocabulary lookup per emitted token (each one a likely cache
  // miss on text the piece cache does not know).
  std::uint32_t start[small_piece_bytes + 1];
  rank_t part[small_piece_bytes + 1];
  rank_t rank[small_piece_bytes + 1];
  std::size_t m = n;  // number of parts
  for (std::size_t k = 0; k <= n; ++k) start[k] = static_cast<std::uint32_t>(k);
  for (std::size_t k = 0; k < n; ++k) part[k] = t.find(p + k, 1);
  for (std::size_t k = 0; k + 1 < n; ++k) rank[k] = t.find_pair(p + k);
  rank[n - 1] = no_rank;
  auto pair_rank = [&](std::size_t k) -> rank_t {  // parts k and k+1 joined, after a merge
    if (k + 2 > m) return no_rank;
    return t.find(p + start[k], start[k + 2] - start[k]);
  };
  while (m > 1) {
    rank_t best = no_rank;
    std::size_t at = 0;
    for (std::size_t k = 0; k + 1 < m; ++k)
      if (rank[k] < best) {
        best = rank[k];
        at = k;
      }
    if (best == no_rank) break;
    // Part `at` becomes the merged token; remove part at+1.
    part[at] = best;
    for (std::size_t k = at + 1; k < m; ++k) {
      start[k] = start[k + 1];
      part[k] = part[k + 1];
      rank[k] = rank[k + 1];
    }
    --m;
    rank[at] = pair_rank(at);
    if (at > 0) rank[at - 1] = pair_rank(at - 1);
  }
  for (std::size_t k = 0; k < m; ++k) {
    if (part[k] == no_rank) throw_unencodable_byte(p[start[k]]);
    emit(part[k]);
  }
}

template <class Emit>
void bpe_merge_large(const rank_table& t, const std::uint8_t* p, std::size_t n, Emit&& emit) {
  auto& s = thread_bpe_scratch();
  using candidate = bpe_heap_scratch::candidate;
  s.next.resize(n + 1);
  s.prev.resize(n + 1);
  s.heap.clear();
  for (std::size_t i = 0; i <= n; ++i) {
    s.next[i] = static_cast<std::uint32_t>(i + 1);
    s.prev[i] = static_cast<std::uint32_t>(i == 0 ? 0 : i - 1);
  }
  const auto n32 = static_cast<std::uint32_t>(n);
  auto push = [&](std::uint32_t left, std::uint32_t right_end) {
    const rank_t r = t.find(p + left, right_end - left);
    if (r == no_rank) return;
    s.heap.push_back({r, left, right_end});
    std::push_heap(s.heap.begin(), s.heap.end(), std::greater<>{});
  };
  for (std::uint32_t i = 0; i + 1 < n32; ++i) {
    const rank_t r = t.find_pair(p + i);
    if (r != no_rank) s.heap.push_back({r, i, i + 2});
  }
  std::make_heap(s.heap.begin(), s.heap.end(), std::greater<>{});
  constexpr std::uint32_t dead = ~std::uint32_t{0};
  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end(), std::greater<>{});
    const candidate c = s.heap.back();
    s.heap.pop_back();
    const std::uint32_t right = s.next[c.left];
    if (right == dead || right >= n32 || s.next[right] != c.right_end) continue;  // stale
    // Merge right into left.
    const std::uint32_t after = s.next[right];
    s.next[c.left] = after;
    s.next[right] = dead;
    if (after < n32) s.prev[after] = c.left;
    if (c.left > 0) push(s.prev[c.left], after);
    if (after < n32) push(c.left, s.next[after]);
  }
  for (std::uint32_t i = 0; i < n32; i = s.next[i]) {
    const rank_t r = t.find(p + i, s.next[i] - i);
    if (r == no_rank) throw_unencodable_byte(p[i]);
    emit(r);
  }
}

// Pieces at least this long use the linear backtracking merge once its tables exist (building
// them costs tens of milliseconds, once per vocabulary and process, so short pieces never trigger
// it); shorter long pieces use the heap merge.
inline constexpr std::size_t backtrack_piece_bytes = 2048;

// A long piece: linear time through the backtracking tables (building them on first need), or
// the heap merge while another thread builds them.
template <class Emit>
void bpe_merge_long(const rank_table& t, const std::uint8_t* p, std::size_t n, Emit&& emit) {
  lazy_backtrack_tables* lazy = n >= backtrack_piece_bytes ? t.backtrack() : nullptr;
  if (lazy != nullptr) {
    std::shared_ptr<const backtrack_tables> tables = lazy->ready.load(std::memory_order_acquire);
    if (!tables && !lazy->claimed.exchange(true, std::memory_order_acq_rel)) {
      tables = backtrack_tables::build(t);
      lazy->ready.store(tables, std::memory_order_release);
    }
    if (tables && bpe_backtrack(t, *tables, p, n, emit)) return;
  }
  bpe_merge_large(t, p, n, emit);
}

// A small per-thread, direct-mapped memo of merged pieces (words repeat; merging is the costly
// part on text whose words are not single tokens). An entry is used only when the vocabulary and
// every byte of the piece match, so results stay exact; it holds pieces of up to 32 bytes that
// merge into at most 8 tokens.
struct merge_memo {
  static constexpr std::size_t entry_count = 4096, max_bytes = 32, max_tokens = 8;
  struct entry {
    std::uint64_t table_id = 0;  // rank_table::id(), never reused
    std::uint8_t len = 0, ntok = 0;
    std::uint8_t bytes[max_bytes];
    rank_t tokens[max_tokens];
  };
  std::vector<entry> entries = std::vector<entry>(entry_count);
};
inline merge_memo& thread_merge_memo() {
  thread_local merge_memo memo;
  return memo;
}

// Emits the tokens of one piece, in order. Pieces of up to `memo_from_bytes` bytes bypass the
// merge memo (callers that cache short pieces themselves pass their own limit: probing and filling
// a second table for them only adds cache misses).
template <class Emit>
void bpe_encode_piece(const rank_table& t, const std::uint8_t* p, std::size_t n, Emit&& emit,
                      std::size_t memo_from_bytes = 0) {
  const rank_t whole = t.find(p, n);
  if (whole != no_rank) {
    emit(whole);
    return;
  }
  if (n > small_piece_bytes) return bpe_merge_long(t, p, n, emit);
  if (n > merge_memo::max_bytes || n <= memo_from_bytes) return bpe_merge_small(t, p, n, emit);
  auto& e = thread_merge_memo().entries[bytes_hash(p, n) & (merge_memo::entry_count - 1)];
  if (e.table_id == t.id() && e.len == n && std::memcmp(e.bytes, p, n) == 0) {
    for (std::size_t k = 0; k < e.ntok; ++k) emit(e.tokens[k]);
    return;
  }
  rank_t tokens[small_piece_bytes];
  std::size_t ntok = 0;
  bpe_merge_small(t, p, n, [&](rank_t r) { tokens[ntok++] = r; });
  for (std::size_t k = 0; k < ntok; ++k) emit(tokens[k]);
  if (ntok <= merge_memo::max_tokens) {
    e.table_id = t.id();
    e.len = static_cast<std::uint8_t>(n);
    e.ntok = static_cast<std::uint8_t>(ntok);
    std::memcpy(e.bytes, p, n);
    std::copy(tokens, tokens + ntok, e.tokens);
  }
}

}  // namespace tokenmaxx::token_detail

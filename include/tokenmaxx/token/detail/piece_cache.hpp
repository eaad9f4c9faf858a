// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// A per-thread, per-vocabulary, direct-mapped cache of short pieces and their tokens. Natural text
// repeats its words (in English prose the 4,000 most frequent pieces are 93 % of all pieces), while
// the vocabulary's hash index is megabytes large: a lookup there is a cache miss, a lookup here
// usually an L2 hit. Entries are keyed by every byte of the piece and live in a cache bound to one
// vocabulary, so results stay exact.
//
// One table of 8,192 entries of 32 bytes (256 KiB) for pieces of 1-16 bytes: one code path for
// every short piece, so the loop does not branch on the piece's length (those branches are
// unpredictable on real text). An entry keeps the piece's token count and, up to two, its tokens.
// A thread keeps caches for its four most recently used vocabularies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "tokenmaxx/token/detail/rank_table.hpp"

namespace tokenmaxx::token_detail {

class piece_cache {
 public:
  static constexpr std::size_t max_piece_bytes = 16;
  static constexpr unsigned index_bits = 13;

  struct entry {
    std::uint64_t head = 0, tail = 0;  // the piece's bytes 0-7 and 8-15, little-endian, zero-padded
    rank_t tokens[2] = {};             // its first tokens (when ntok <= 2, all of them)
    std::uint32_t len = 0;             // 0: empty (pieces are never empty)
    std::uint32_t ntok = 0;
  };
  static_assert(sizeof(entry) == 32);

  struct key {
    std::uint64_t head, tail;
    std::uint32_t len;
    std::uint32_t slot;
  };

  // The key of the piece p[0, n), 1 <= n <= 16; `end` is the end of the readable buffer. Away from
  // the buffer's end this is two unaligned loads and two masks, without a branch on n.
  static key key_of(const std::uint8_t* p, std::size_t n, const std::uint8_t* end) noexcept {
    std::uint64_t head, tail;
    if (end - p >= 16) {
      std::memcpy(&head, p, 8);
      std::memcpy(&tail, p + 8, 8);
      head &= low_bytes(n);
      tail &= low_bytes(n > 8 ? n - 8 : 0);
    } else {
      head = pack_upto8(p, n < 8 ? n : 8);
      tail = n > 8 ? pack_upto8(p + 8, n - 8) : 0;
    }
    const std::uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ ((tail + n) * 0xC2B2AE3D27D4EB4Full);
    return {head, tail, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(mix64(h) >> (64 - index_bits))};
  }

  // The cached entry of the piece, or null.
  const entry* find(const key& k) const noexcept {
    const entry& e = entries_[k.slot];
    return (e.head == k.head && e.tail == k.tail && e.len == k.len) ? &e : nullptr;
  }

  // Records the piece's token count and its first tokens (`first` holds min(ntok, 2) of them).
  void store(const key& k, std::size_t ntok, const rank_t* first) noexcept {
    entry& e = entries_[k.slot];
    e.head = k.head;
    e.tail = k.tail;
    e.tokens[0] = first[0];
    e.tokens[1] = ntok >= 2 ? first[1] : no_rank;
    e.len = k.len;
    e.ntok = static_cast<std::uint32_t>(ntok);
  }

  // This thread's cache for the vocabulary whose rank_table::id() is `table_id` (allocated at first
  // use; the four most recently used vocabularies keep theirs). The reference stays valid until
  // this thread asks for a fifth vocabulary; callers hold it for one call.
  static piece_cache& for_this_thread(std::uint64_t table_id) {
    thread_local std::array<std::pair<std::uint64_t, std::unique_ptr<piece_cache>>, 4> caches{};
    thread_local std::size_t next_victim = 0;
    for (auto& [id, cache] : caches)
      if (id == table_id && cache) return *cache;
    auto& [id, cache] = caches[next_victim];
    next_victim = (next_victim + 1) % caches.size();
    id = table_id;
    cache = std::make_unique<piece_cache>();  // fresh: entries of another vocabulary must not survive
    return *cache;
  }

 private:
  static constexpr std::uint64_t low_bytes(std::size_t n) noexcept {
    return n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
  }

  std::unique_ptr<entry[]> entries_ = std::make_unique<entry[]>(std::size_t{1} << index_bits);
};

}  // namespace tokenmaxx::token_detail

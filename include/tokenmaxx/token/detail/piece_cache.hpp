// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// A per-thread, per-vocabulary, direct-mapped cache of short pieces and their tokens. Natural text
// repeats its words (in English prose the 4,000 most frequent pieces are 93 % of all pieces), while
// the vocabulary's hash index is megabytes large: a lookup there is a cache miss, a lookup here
// usually an L2 hit. Entries are keyed by every byte of the piece and live in a cache bound to one
// vocabulary, so results stay exact.
//
// Two tables: pieces of 3-8 bytes in 16-byte entries, pieces of 9-16 bytes in 32-byte entries
// (128 KiB each). An entry keeps the piece's token count and, when it is one token (or two, for
// the long table), the tokens. A thread keeps caches for its four most recently used vocabularies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tokenmaxx/token/detail/rank_table.hpp"

namespace tokenmaxx::token_detail {

class piece_cache {
 public:
  static constexpr std::size_t min_piece_bytes = 3;   // 1-2 byte pieces use the vocabulary's direct tables
  static constexpr std::size_t max_piece_bytes = 16;
  static constexpr unsigned short_bits = 13;          // 8,192 x 16 bytes
  static constexpr unsigned long_bits = 12;           // 4,096 x 32 bytes

  struct short_entry {    // pieces of 3-8 bytes
    std::uint64_t bytes;  // the piece, little-endian, zero-padded; 0 never matches (len >= 3)
    rank_t token;         // its token when ntok == 1
    std::uint8_t len;
    std::uint8_t ntok;
    std::uint16_t unused;
  };
  struct long_entry {  // pieces of 9-16 bytes
    std::uint64_t head, tail;
    rank_t tokens[2];  // when ntok <= 2
    std::uint8_t len;
    std::uint8_t ntok;
    std::uint8_t unused[6];
  };
  static_assert(sizeof(short_entry) == 16 && sizeof(long_entry) == 32);

  struct key {
    std::uint64_t head, tail;
    std::uint32_t len;
    std::uint32_t slot;
  };

  // Only for min_piece_bytes <= n <= max_piece_bytes.
  static key key_of(const std::uint8_t* p, std::size_t n) noexcept {
    if (n <= 8) {
      const std::uint64_t head = pack_upto8(p, n);
      return {head, 0, static_cast<std::uint32_t>(n),
              static_cast<std::uint32_t>(((head ^ n) * 0x9E3779B97F4A7C15ull) >> (64 - short_bits))};
    }
    const std::uint64_t head = pack_upto8(p, 8), tail = pack_upto8(p + 8, n - 8);
    const std::uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ ((tail ^ n) * 0xC2B2AE3D27D4EB4Full);
    return {head, tail, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(h >> (64 - long_bits))};
  }

  void prefetch(const key& k) const noexcept {
    if (k.len <= 8) __builtin_prefetch(&short_[k.slot]);
    else __builtin_prefetch(&long_[k.slot]);
  }

  // Number of tokens of the piece, or 0 when it is not cached.
  std::size_t count(const key& k) const noexcept {
    if (k.len <= 8) {
      const short_entry& e = short_[k.slot];
      return (e.bytes == k.head && e.len == k.len) ? e.ntok : 0;
    }
    const long_entry& e = long_[k.slot];
    return (e.head == k.head && e.tail == k.tail && e.len == k.len) ? e.ntok : 0;
  }

  // The cached tokens of the piece when they are known (one token, or two for a long piece):
  // their number, with the tokens in `out`; 0 otherwise.
  std::size_t tokens(const key& k, rank_t (&out)[2]) const noexcept {
    if (k.len <= 8) {
      const short_entry& e = short_[k.slot];
      if (e.bytes != k.head || e.len != k.len || e.ntok != 1) return 0;
      out[0] = e.token;
      return 1;
    }
    const long_entry& e = long_[k.slot];
    if (e.head != k.head || e.tail != k.tail || e.len != k.len || e.ntok > 2) return 0;
    out[0] = e.tokens[0];
    out[1] = e.tokens[1];
    return e.ntok;
  }

  // Records the piece's token count and its first tokens (`first` holds min(ntok, 2) of them).
  void store(const key& k, std::size_t ntok, const rank_t* first) noexcept {
    const auto count = static_cast<std::uint8_t>(ntok < 255 ? ntok : 255);
    if (k.len <= 8) {
      short_[k.slot] = short_entry{k.head, first[0], static_cast<std::uint8_t>(k.len), count, 0};
    } else {
      long_entry& e = long_[k.slot];
      e.head = k.head;
      e.tail = k.tail;
      e.tokens[0] = first[0];
      e.tokens[1] = ntok >= 2 ? first[1] : no_rank;
      e.len = static_cast<std::uint8_t>(k.len);
      e.ntok = count;
    }
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
  std::unique_ptr<short_entry[]> short_ = std::make_unique<short_entry[]>(std::size_t{1} << short_bits);
  std::unique_ptr<long_entry[]> long_ = std::make_unique<long_entry[]>(std::size_t{1} << long_bits);
};

}  // namespace tokenmaxx::token_detail

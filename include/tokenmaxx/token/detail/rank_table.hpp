// Internal to the tokenizer; include <tokenmaxx/token/vocab.hpp> instead.
// Flat storage for a BPE vocabulary: every token's bytes in one buffer, an offset per rank, and
// an open-addressing hash index (load <= 0.4). A slot holds a token of up to 8 bytes inline as a
// little-endian integer, so most lookups are one hash, one 16-byte slot read and one integer
// compare; longer tokens compare their bytes. A 65,536-entry array answers two-byte lookups
// directly. Lookups allocate nothing.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tokenmaxx/token/detail/huge_pages.hpp"
#include "tokenmaxx/token/rank.hpp"

namespace tokenmaxx::token_detail {

struct backtrack_tables;

// The linear-BPE tables of a vocabulary (bpe_backtrack.hpp), built by the first thread that needs
// them and shared by every copy of the table. Threads that need them while they are being built
// use the general merge meanwhile (same tokens), so nobody waits.
struct lazy_backtrack_tables {
  std::atomic<bool> claimed{false};
  std::atomic<std::shared_ptr<const backtrack_tables>> ready;
};

// The n <= 8 bytes at p as a little-endian integer, with overlapping fixed-size loads (no
// variable-length memcpy, never reading outside [p, p + n)).
inline std::uint64_t pack_upto8(const std::uint8_t* p, std::size_t n) {
  if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return std::uint64_t(lo) | (std::uint64_t(hi) << (8 * (n - 4)));
  }
  if (n >= 2) {
    std::uint16_t lo, hi;
    std::memcpy(&lo, p, 2);
    std::memcpy(&hi, p + n - 2, 2);
    return std::uint64_t(lo) | (std::uint64_t(hi) << (8 * (n - 2)));
  }
  return n ? p[0] : 0;
}

inline std::uint64_t mix64(std::uint64_t h) {
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

// A fast non-cryptographic hash of a byte string (vocabulary lookups only).
inline std::uint64_t bytes_hash(const std::uint8_t* p, std::size_t n) {
  if (n <= 8) return mix64(pack_upto8(p, n) * 0x9E3779B97F4A7C15ull + n);
  std::uint64_t h = n * 0x9E3779B97F4A7C15ull;
  while (n > 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = std::rotl(h ^ w, 29) * 0xC2B2AE3D27D4EB4Full;
    p += 8;
    n -= 8;
  }
  std::uint64_t w;
  std::memcpy(&w, p + n - 8, 8);  // the last 8 bytes, overlapping the previous word
  return mix64(h ^ w);
}

class rank_table {
 public:
  rank_table() = default;

  // Adds a token; ranks must be unique (the vocabulary checks), byte strings too (checked
  // after finalize() by the vocabulary).
  void add(std::string_view bytes, rank_t rank) {
    entries_.push_back({static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint32_t>(bytes.size()), rank});
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }

  // Builds the rank-indexed offsets and the hash index once all tokens are added. Returns a rank
  // that was added twice, or no_rank when all ranks are distinct.
  rank_t finalize() {
    max_rank_ = 0;
    max_token_len_ = 0;
    for (const auto& e : entries_) {
      max_rank_ = std::max(max_rank_, e.rank);
      max_token_len_ = std::max<std::size_t>(max_token_len_, e.len);
    }
    by_rank_.assign(entries_.empty() ? 0 : std::size_t(max_rank_) + 1, span_entry{0, 0});
    for (const auto& e : entries_) {
      if (by_rank_[e.rank].len != 0) return e.rank;
      by_rank_[e.rank] = span_entry{e.offset, e.len};
    }
    slots_.assign(std::bit_ceil(std::max<std::size_t>(16, entries_.size() * 5 / 2)), slot{0, no_rank, 0});
    mask_ = slots_.size() - 1;
    for (const auto& e : entries_) {
      if (e.len == 0) continue;
      const std::uint8_t* p = bytes_.data() + e.offset;
      const std::uint64_t h = bytes_hash(p, e.len);
      std::size_t i = h & mask_;
      while (slots_[i].len != 0) i = (i + 1) & mask_;
      slots_[i] = slot{e.len <= 8 ? pack_upto8(p, e.len) : h, e.rank, e.len};
    }
    byte_rank_.fill(no_rank);
    pair_rank_.assign(65536, no_rank);
    for (const auto& e : entries_) {
      if (e.len == 1) byte_rank_[bytes_[e.offset]] = e.rank;
      if (e.len == 2) pair_rank_[bytes_[e.offset] | (std::size_t(bytes_[e.offset + 1]) << 8)] = e.rank;
    }
    count_ = entries_.size();
    backtrack_ = std::make_shared<lazy_backtrack_tables>();
    static std::atomic<std::uint64_t> next_id{1};
    id_ = next_id.fetch_add(1, std::memory_order_relaxed);
    entries_.clear();
    entries_.shrink_to_fit();
    return no_rank;
  }

  rank_t find(const std::uint8_t* p, std::size_t n) const {
    if (n <= 2) {
      if (n == 2) return pair_rank_[p[0] | (std::size_t(p[1]) << 8)];
      return n == 1 ? byte_rank_[p[0]] : no_rank;
    }
    if (n > max_token_len_) return no_rank;
    const std::uint64_t h = bytes_hash(p, n);
    if (n <= 8) {
      const std::uint64_t key = pack_upto8(p, n);
      for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
        const slot& s = slots_[i];
        if (s.len == n && s.key == key) return s.rank;
        if (s.len == 0) return no_rank;
      }
    }
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const slot& s = slots_[i];
      if (s.len == n && s.key == h && std::memcmp(bytes_.data() + by_rank_[s.rank].offset, p, n) == 0) return s.rank;
      if (s.len == 0) return no_rank;
    }
  }
  rank_t find(std::string_view s) const { return find(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

  // Rank of the two bytes p[0], p[1].
  rank_t find_pair(const std::uint8_t* p) const { return pair_rank_[p[0] | (std::size_t(p[1]) << 8)]; }

  // Bytes of a rank, or nullopt when the rank is not in the vocabulary.
  std::optional<std::string_view> bytes_of(rank_t r) const {
    if (r >= by_rank_.size() || by_rank_[r].len == 0) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(bytes_.data()) + by_rank_[r].offset, by_rank_[r].len);
  }

  std::size_t size() const { return count_; }
  lazy_backtrack_tables* backtrack() const noexcept { return backtrack_.get(); }
  // Distinct for every finalized table in the process (copies share it: same contents).
  std::uint64_t id() const { return id_; }
  rank_t max_rank() const { return max_rank_; }
  std::size_t max_token_length() const { return max_token_len_; }

 private:
  struct entry {
    std::uint32_t offset, len;
    rank_t rank;
  };
  struct span_entry {
    std::uint32_t offset, len;
  };
  struct slot {
    std::uint64_t key;  // the bytes themselves (len <= 8) or the full hash (len > 8)
    rank_t rank;
    std::uint32_t len;  // 0: empty slot
  };
  static constexpr std::array<rank_t, 256> make_no_ranks() {
    std::array<rank_t, 256> a{};
    a.fill(no_rank);
    return a;
  }

  std::vector<std::uint8_t, huge_page_allocator<std::uint8_t>> bytes_;
  std::vector<entry> entries_;
  std::vector<span_entry, huge_page_allocator<span_entry>> by_rank_;
  std::vector<slot, huge_page_allocator<slot>> slots_;
  std::vector<rank_t> pair_rank_;
  std::size_t mask_ = 0;
  std::size_t count_ = 0;
  std::uint64_t id_ = 0;
  rank_t max_rank_ = 0;
  std::size_t max_token_len_ = 0;
  std::array<rank_t, 256> byte_rank_ = make_no_ranks();
  std::shared_ptr<lazy_backtrack_tables> backtrack_;
};

}  // namespace tokenmaxx::token_detail

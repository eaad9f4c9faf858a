// Flat storage for a BPE vocabulary: every token's bytes in one buffer, an offset per rank, and
// an open-addressing hash table (load <= 0.4) whose slots pack a 32-bit hash tag with the rank, so
// a probe is one 8-byte load and a lookup allocates nothing.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tokenmaxx::detail {

using rank_t = std::uint32_t;
inline constexpr rank_t kNoRank = std::numeric_limits<rank_t>::max();

inline std::uint64_t load_le_upto8(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, n < 8 ? n : 8);
  return v;
}

// A fast non-cryptographic hash of short byte strings (vocabulary lookups only).
inline std::uint64_t bytes_hash(const std::uint8_t* p, std::size_t n) {
  constexpr std::uint64_t k1 = 0x9E3779B97F4A7C15ull, k2 = 0xC2B2AE3D27D4EB4Full;
  std::uint64_t h = n * k1;
  while (n > 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * k2;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  h = (h ^ load_le_upto8(p, n)) * k1;
  h ^= h >> 32;
  h *= k2;
  h ^= h >> 29;
  return h;
}

class rank_table {
 public:
  rank_table() = default;

  // Adds a token; ranks may arrive in any order but must be unique, as must the byte strings
  // (the caller checks duplicates through find()).
  void add(std::string_view bytes, rank_t rank) {
    entries_.push_back({static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint32_t>(bytes.size()), rank});
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }

  // Builds the rank-indexed offsets and the hash index once all tokens are added.
  void finalize() {
    max_rank_ = 0;
    max_token_len_ = 0;
    for (const auto& e : entries_) {
      max_rank_ = std::max(max_rank_, e.rank);
      max_token_len_ = std::max<std::size_t>(max_token_len_, e.len);
    }
    by_rank_.assign(entries_.empty() ? 0 : std::size_t(max_rank_) + 1, span_entry{0, 0});
    for (const auto& e : entries_) by_rank_[e.rank] = span_entry{e.offset, e.len};
    const std::size_t want = std::max<std::size_t>(16, entries_.size() * 5 / 2);
    slots_.assign(std::bit_ceil(want), kEmptySlot);
    mask_ = slots_.size() - 1;
    for (const auto& e : entries_) {
      const std::uint64_t h = bytes_hash(bytes_.data() + e.offset, e.len);
      std::size_t i = h & mask_;
      while (slots_[i] != kEmptySlot) i = (i + 1) & mask_;
      slots_[i] = (h & 0xFFFFFFFF00000000ull) | e.rank;
    }
    byte_rank_.fill(kNoRank);
    for (const auto& e : entries_)
      if (e.len == 1) byte_rank_[bytes_[e.offset]] = e.rank;
    count_ = entries_.size();
    entries_.clear();
    entries_.shrink_to_fit();
  }

  rank_t find(const std::uint8_t* p, std::size_t n) const {
    if (n == 1) return byte_rank_[*p];
    if (n > max_token_len_ || slots_.empty()) return kNoRank;
    const std::uint64_t h = bytes_hash(p, n);
    const std::uint64_t tag = h & 0xFFFFFFFF00000000ull;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const std::uint64_t slot = slots_[i];
      if (slot == kEmptySlot) return kNoRank;
      if ((slot & 0xFFFFFFFF00000000ull) == tag) {
        const rank_t r = static_cast<rank_t>(slot);
        const span_entry e = by_rank_[r];
        if (e.len == n && std::memcmp(bytes_.data() + e.offset, p, n) == 0) return r;
      }
    }
  }
  rank_t find(std::string_view s) const {
    return find(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }

  // Bytes of a rank, or nullopt when the rank is not in the vocabulary.
  std::optional<std::string_view> bytes_of(rank_t r) const {
    if (r >= by_rank_.size() || by_rank_[r].len == 0) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(bytes_.data()) + by_rank_[r].offset, by_rank_[r].len);
  }

  std::size_t size() const { return count_; }
  rank_t max_rank() const { return max_rank_; }
  std::size_t max_token_length() const { return max_token_len_; }
  bool has_all_single_bytes() const {
    return std::all_of(byte_rank_.begin(), byte_rank_.end(), [](rank_t r) { return r != kNoRank; });
  }

 private:
  struct entry {
    std::uint32_t offset, len;
    rank_t rank;
  };
  struct span_entry {
    std::uint32_t offset, len;
  };
  static constexpr std::uint64_t kEmptySlot = ~std::uint64_t{0};

  std::vector<std::uint8_t> bytes_;
  std::vector<entry> entries_;
  std::vector<span_entry> by_rank_;
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  std::size_t count_ = 0;
  rank_t max_rank_ = 0;
  std::size_t max_token_len_ = 0;
  std::array<rank_t, 256> byte_rank_ = make_no_ranks();
  static constexpr std::array<rank_t, 256> make_no_ranks() {
    std::array<rank_t, 256> a{};
    a.fill(kNoRank);
    return a;
  }
};

}  // namespace tokenmaxx::detail

// Internal to the usage subsystem; include <tokenmaxx/usage/ledger.hpp> instead.
// Striped single-writer counter cells for tokenmaxx::ledger.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <thread>

namespace tokenmaxx::usage_detail {

// Fields of one counter cell: the five token types, then requests and errors.
inline constexpr std::size_t field_count = 7;
inline constexpr std::size_t field_requests = 5;
inline constexpr std::size_t field_errors = 6;

using counter_values = std::array<std::uint64_t, field_count>;

// One cell: 7 x 8 bytes, aligned and padded to 128 bytes (two cache lines) so that the adjacent-line
// prefetcher does not make neighbouring cells share traffic.
struct alignas(128) counter_cell {
  std::atomic<std::uint64_t> v[field_count] = {};
};
static_assert(sizeof(counter_cell) == 128);

// ---- thread slots -------------------------------------------------------------------------------
//
// A writer thread owns one slot in [0, slot_count()) while it lives; the slot is returned when
// the thread exits and may then be reused by a new thread. Slot ownership is what makes a cell
// single-writer: only the thread holding slot s ever writes a cell assigned to s, so it can add with a
// relaxed load + relaxed store (no locked instruction). Handing a slot to a new thread goes through the
// bitmap with release/acquire, so the new owner sees the old owner's last values.

inline constexpr std::uint32_t no_slot = 0xFFFFFFFEu;
inline constexpr std::uint32_t unassigned_slot = 0xFFFFFFFFu;

// Slots: a power of two >= 2 x the CPU count, between 8 and 64. Computed once per process.
inline std::uint32_t slot_count() noexcept {
  static const std::uint32_t n = [] {
    unsigned hw = std::thread::hardware_concurrency();
    if (hw == 0) hw = 4;
    return static_cast<std::uint32_t>(std::clamp(std::bit_ceil(2 * hw), 8u, 64u));
  }();
  return n;
}

// Constant-initialised, trivially destructible: safe to touch from threads exiting during shutdown.
inline std::atomic<std::uint64_t> slot_bitmap{0};

inline std::uint32_t acquire_slot() noexcept {
  const std::uint32_t n = slot_count();
  std::uint64_t bits = slot_bitmap.load(std::memory_order_acquire);
  for (;;) {
    const std::uint64_t free = ~bits & (n == 64 ? ~0ull : ((1ull << n) - 1));
    if (free == 0) return no_slot;
    const std::uint32_t s = static_cast<std::uint32_t>(std::countr_zero(free));
    if (slot_bitmap.compare_exchange_weak(bits, bits | (1ull << s), std::memory_order_acq_rel, std::memory_order_acquire))
      return s;
  }
}

struct slot_holder {
  std::uint32_t slot = unassigned_slot;
  ~slot_holder() {
    if (slot < 64) slot_bitmap.fetch_and(~(1ull << slot), std::memory_order_release);
    slot = no_slot;  // records from later thread_local destructors take the shared RMW path
  }
};

// This thread's slot, or no_slot when all slots are taken (then the thread uses the shared
// read-modify-write cell: still exact, just not contention-free).
inline std::uint32_t thread_slot() noexcept {
  thread_local slot_holder holder;
  if (holder.slot == unassigned_slot) [[unlikely]] holder.slot = acquire_slot();
  return holder.slot;
}

// ---- per-key counters ---------------------------------------------------------------------------
//
// A key starts as one base cell. The first slot-holding thread to write the key becomes the base
// cell's owner (one CAS, once per key) and adds to it with plain relaxed load/store. When another
// thread writes the key, the key becomes "contended": a padded array of slot_count() cells is
// allocated once and published with a CAS (LongAdder-style growth; cold keys never pay for it).
// Thread with slot s then writes cell s (single writer). Threads without a slot (more live writers than
// slots) use a shared cell with fetch_add. Readers sum all cells.
//
// Counters are cumulative and never reset: snapshot-and-reset is done by the collector with a
// per-key baseline (see claim_delta), so writers never race with a reset.
class striped_counters {
 public:
  striped_counters() = default;
  striped_counters(const striped_counters&) = delete;
  striped_counters& operator=(const striped_counters&) = delete;
  ~striped_counters() { delete[] meta_.stripes.load(std::memory_order_acquire); }

  void add_one(std::size_t field, std::uint64_t d) noexcept {
    if (d == 0) return;
    bool exclusive;
    std::atomic<std::uint64_t>* c = pick(exclusive);
    bump(c[field], d, exclusive);
  }

  void add(const counter_values& d) noexcept {
    bool exclusive;
    std::atomic<std::uint64_t>* c = pick(exclusive);
    for (std::size_t i = 0; i < field_count; ++i)
      if (d[i] != 0) bump(c[i], d[i], exclusive);
  }

  // Cumulative sum of all cells. Each cell field is monotonic, so the result never goes backwards
  // between two calls on the same thread; exact once writers are quiescent.
  counter_values sum() const noexcept {
    counter_values out{};
    for (std::size_t i = 0; i < field_count; ++i) out[i] = base_.v[i].load(std::memory_order_relaxed);
    if (meta_.shared_used.load(std::memory_order_acquire))
      for (std::size_t i = 0; i < field_count; ++i) out[i] += shared_.v[i].load(std::memory_order_relaxed);
    if (const counter_cell* s = meta_.stripes.load(std::memory_order_acquire)) {
      const std::uint32_t n = slot_count();
      for (std::uint32_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < field_count; ++i) out[i] += s[k].v[i].load(std::memory_order_relaxed);
    }
    return out;
  }

  // Returns the growth since the last claim and advances the baseline to the current sum, per field,
  // with a CAS so that concurrent collectors claim disjoint ranges. The claimed deltas telescope:
  // their total equals the final sum exactly, so nothing is lost or counted twice.
  counter_values claim_delta() noexcept {
    counter_values out{};
    counter_values now = sum();
    for (std::size_t i = 0; i < field_count; ++i) {
      std::uint64_t b = baseline_.v[i].load(std::memory_order_acquire);
      for (;;) {
        if (now[i] == b) break;  // unchanged field: nothing to claim, no write
        if (now[i] < b) {  // another collector claimed a later sum than ours: re-read
          now = sum();
          b = baseline_.v[i].load(std::memory_order_acquire);
          continue;
        }
        if (baseline_.v[i].compare_exchange_weak(b, now[i], std::memory_order_acq_rel, std::memory_order_acquire)) break;
      }
      out[i] = now[i] - b;
    }
    return out;
  }

  bool striped() const noexcept { return meta_.stripes.load(std::memory_order_acquire) != nullptr; }

  // Hints the cache lines a later sum() reads (used by the snapshot loop).
  void prefetch(bool for_claim) const noexcept {
    __builtin_prefetch(&base_);
    __builtin_prefetch(&meta_);
    if (for_claim) __builtin_prefetch(&baseline_, 1);
  }

 private:
  struct alignas(64) line {
    std::atomic<std::uint64_t> v[field_count] = {};
  };

  static void bump(std::atomic<std::uint64_t>& a, std::uint64_t d, bool exclusive) noexcept {
    if (exclusive) {
      a.store(a.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
    } else {
      a.fetch_add(d, std::memory_order_relaxed);
    }
  }

  std::atomic<std::uint64_t>* use_shared(bool& exclusive) noexcept {
    if (!meta_.shared_used.load(std::memory_order_relaxed)) meta_.shared_used.store(true, std::memory_order_release);
    exclusive = false;
    return shared_.v;
  }

  // Chooses the cells this thread writes and whether it is their only writer.
  std::atomic<std::uint64_t>* pick(bool& exclusive) noexcept {
    const std::uint32_t slot = thread_slot();
    std::uint32_t owner = meta_.owner.load(std::memory_order_relaxed);
    if (owner == slot) [[likely]] {
      exclusive = true;
      return base_.v;
    }
    if (slot == no_slot) [[unlikely]] return use_shared(exclusive);  // more live writers than slots
    if (owner == unassigned_slot && meta_.owner.compare_exchange_strong(owner, slot, std::memory_order_relaxed)) {
      exclusive = true;
      return base_.v;
    }
    counter_cell* s = meta_.stripes.load(std::memory_order_acquire);
    if (s == nullptr) [[unlikely]] s = grow();
    if (s == nullptr) [[unlikely]] return use_shared(exclusive);  // out of memory: exact, just slower
    exclusive = true;
    return s[slot].v;
  }

  counter_cell* grow() noexcept {
    counter_cell* fresh = new (std::nothrow) counter_cell[slot_count()];
    if (fresh == nullptr) return meta_.stripes.load(std::memory_order_acquire);
    counter_cell* expected = nullptr;
    if (meta_.stripes.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
      return fresh;
    delete[] fresh;  // another thread published first
    return expected;
  }

  line base_;  // one cache line of counters, written only by the thread holding slot `owner`
  struct alignas(64) meta_line {  // read-mostly: read by every writer, written once or twice per key
    std::atomic<std::uint32_t> owner{unassigned_slot};
    std::atomic<bool> shared_used{false};
    std::atomic<counter_cell*> stripes{nullptr};
  } meta_;
  line shared_;    // fetch_add only: slot-less threads, or when the stripes cannot be allocated
  line baseline_;  // collectors only (snapshot_and_reset)
};

}  // namespace tokenmaxx::usage_detail

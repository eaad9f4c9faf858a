// Internal to usage/; include <tokenmaxx/usage/ledger.hpp> instead.
// Saturating counter cells for tokenmaxx::ledger: one owned line per key, a shared line, and
// per-thread stripes for keys under measured contention.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/usage/usage.hpp"

namespace tokenmaxx::usage_detail {

// Fields of one counter line: the six token types, then requests and errors.
inline constexpr std::size_t field_count = 8;
inline constexpr std::size_t field_requests = 6;
inline constexpr std::size_t field_errors = 7;

using counter_values = std::array<std::uint64_t, field_count>;

// A usage's fields in counter order.
inline counter_values to_values(const usage& u) noexcept {
  return {u.input, u.cached_input, u.cache_creation, u.cache_creation_1h, u.output, u.reasoning, u.requests, u.errors};
}

// True when a field reached 2^64 - 1: the counter saturated (or is exactly at the maximum).
inline bool any_saturated(const counter_values& v) noexcept {
  return std::any_of(v.begin(), v.end(), [](std::uint64_t x) { return x == std::numeric_limits<std::uint64_t>::max(); });
}

// ---- thread slots -------------------------------------------------------------------------------
//
// A writer thread owns one slot in [0, slot_count()) while it lives; the slot is returned when
// the thread exits and may then be reused by a new thread. Slot ownership is what makes a cell
// single-writer: only the thread holding slot s ever writes a cell assigned to s, so it can add with a
// relaxed load + relaxed store (no locked instruction). Handing a slot to a new thread goes through the
// bitmap with release/acquire, so the new owner sees the old owner's last values.

inline constexpr std::uint32_t no_slot = 0xFFFFFFFEu;
inline constexpr std::uint32_t unassigned_slot = 0xFFFFFFFFu;

// CPUs this process may run on (the affinity mask, which containers restrict; the machine's count
// otherwise).
inline unsigned usable_cpus() noexcept {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 4u : hw;
}

// Slots: a power of two >= 2 x the usable CPUs, between 8 and 64. Computed once per process.
inline std::uint32_t slot_count() noexcept {
  static const std::uint32_t n = static_cast<std::uint32_t>(std::clamp(std::bit_ceil(2 * usable_cpus()), 8u, 64u));
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
    slot = no_slot;  // records from later thread_local destructors take the shared path
  }
};

// This thread's slot, or no_slot when all slots are taken (then the thread uses the shared
// compare-and-swap cell: still exact, just not contention-free).
inline std::uint32_t thread_slot() noexcept {
  thread_local slot_holder holder;
  if (holder.slot == unassigned_slot) [[unlikely]] holder.slot = acquire_slot();
  return holder.slot;
}

// ---- per-key counters ---------------------------------------------------------------------------
//
// A key holds two owned 64-byte lines: `base_` for the first slot-holding thread that writes it and
// `second_` for the second; each owner adds with a relaxed load + store. Any other thread adds to
// `shared_` with a compare-and-swap loop, so a key written by several threads at different times
// costs nothing more. Only under measured contention (`contention_threshold` failed CASes, or
// `busy_writes` shared-line writes within one millisecond) does the key grow, once, to one padded
// stripe per slot (slot_count() x 128 bytes, at most 8 KiB); every slot-holding thread then adds to
// its own stripe. Readers sum all cells with saturating additions.
//
// Every add saturates at 2^64 - 1 instead of wrapping, so each cell and each sum is monotonic.
// Counters are cumulative and never reset: snapshot-and-reset is done by the collector with a
// per-key baseline (see claim_delta), so writers never race with a reset.
class striped_counters {
 public:
  static constexpr std::uint32_t contention_threshold = 16;  // failed compare-and-swaps
  static constexpr std::uint32_t busy_writes = 64;            // shared-line writes within one millisecond

  striped_counters() = default;
  striped_counters(const striped_counters&) = delete;
  striped_counters& operator=(const striped_counters&) = delete;
  ~striped_counters() { delete[] meta_.stripes.load(std::memory_order_acquire); }

  // Inlined into the caller: a usage's address never escapes on the way to a cell this thread owns,
  // so its fields stay in registers. Finding a cell other than the owner's is out of line.
  [[gnu::always_inline]] void add(const usage& u) noexcept {
    const std::uint32_t slot = thread_slot();
    std::atomic<std::uint64_t>* cell =
        meta_.owner.load(std::memory_order_relaxed) == slot ? base_.v : owned_cell_slow(slot);
    if (cell != nullptr) [[likely]] {
      add_exclusive(cell, u);
      return;
    }
    add_shared(to_values(u), slot);
  }
  [[gnu::always_inline]] void add_one(std::size_t field, std::uint64_t d) noexcept {
    const std::uint32_t slot = thread_slot();
    std::atomic<std::uint64_t>* cell =
        meta_.owner.load(std::memory_order_relaxed) == slot ? base_.v : owned_cell_slow(slot);
    if (cell != nullptr) [[likely]] {
      bump(cell[field], d);
      return;
    }
    counter_values v{};
    v[field] = d;
    add_shared(v, slot);
  }

  // Saturating sum of all cells. Each cell is monotonic, so the result never goes backwards between
  // two calls on the same thread; exact once writers are quiescent.
  counter_values sum() const noexcept {
    counter_values out{};
    bool saturated = false;
    for (std::size_t i = 0; i < field_count; ++i) out[i] = base_.v[i].load(std::memory_order_relaxed);
    if (meta_.second_owner.load(std::memory_order_acquire) != unassigned_slot)
      for (std::size_t i = 0; i < field_count; ++i)
        out[i] = base::saturating_add(out[i], second_.v[i].load(std::memory_order_relaxed), saturated);
    if (meta_.shared_used.load(std::memory_order_acquire))
      for (std::size_t i = 0; i < field_count; ++i)
        out[i] = base::saturating_add(out[i], shared_.v[i].load(std::memory_order_relaxed), saturated);
    if (const stripe* s = meta_.stripes.load(std::memory_order_acquire)) {
      const std::uint32_t n = slot_count();
      for (std::uint32_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < field_count; ++i)
          out[i] = base::saturating_add(out[i], s[k].v[i].load(std::memory_order_relaxed), saturated);
    }
    return out;
  }

  // Returns the growth since the last claim and advances the baseline to the current sum, per field,
  // with a CAS so that concurrent collectors claim disjoint ranges. The claimed deltas telescope:
  // their total equals the final sum exactly. A field whose sum is not above the baseline (another
  // collector claimed a later sum) claims nothing; the loop only repeats when another collector
  // advanced the baseline, so it always finishes. `total` receives the sum the claim was made from.
  counter_values claim_delta(counter_values& total) noexcept {
    counter_values out{};
    total = sum();
    for (std::size_t i = 0; i < field_count; ++i) {
      std::uint64_t b = baseline_.v[i].load(std::memory_order_acquire);
      while (total[i] > b) {
        if (baseline_.v[i].compare_exchange_weak(b, total[i], std::memory_order_acq_rel, std::memory_order_acquire)) {
          out[i] = total[i] - b;
          break;
        }
      }
    }
    return out;
  }

  bool striped() const noexcept { return meta_.stripes.load(std::memory_order_acquire) != nullptr; }
  // Heap bytes this key holds beyond its own object: the stripes, once grown.
  std::size_t heap_bytes() const noexcept { return striped() ? slot_count() * sizeof(stripe) : 0; }

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
  // 128 bytes: the adjacent-line prefetcher pairs 64-byte lines, so neighbouring stripes written by
  // different threads would still share traffic at 64.
  struct alignas(128) stripe {
    std::atomic<std::uint64_t> v[field_count] = {};
  };
  static_assert(sizeof(line) == 64 && sizeof(stripe) == 128);

  // The cell this thread writes alone when it does not own base_: the second owner's line (claimed
  // by the second thread to write), base_ itself when nobody has claimed it yet, or this slot's
  // stripe once the key grew; nullptr means the shared compare-and-swap line.
  [[gnu::noinline]] std::atomic<std::uint64_t>* owned_cell_slow(std::uint32_t slot) noexcept {
    std::uint32_t second = meta_.second_owner.load(std::memory_order_relaxed);
    if (second == slot) return second_.v;
    if (slot == no_slot) return nullptr;
    std::uint32_t owner = meta_.owner.load(std::memory_order_relaxed);
    if (owner == unassigned_slot && meta_.owner.compare_exchange_strong(owner, slot, std::memory_order_relaxed))
      return base_.v;
    if (second == unassigned_slot &&
        meta_.second_owner.compare_exchange_strong(second, slot, std::memory_order_release, std::memory_order_relaxed))
      return second_.v;
    if (stripe* s = meta_.stripes.load(std::memory_order_acquire)) return s[slot].v;
    return nullptr;
  }

  // Field by field from the usage itself (not through an array, which the compiler would build on
  // the stack with wide stores and read back narrow: a store-forwarding stall on the hot path).
  [[gnu::always_inline]] static void add_exclusive(std::atomic<std::uint64_t>* cell, const usage& u) noexcept {
    bump(cell[0], u.input);
    bump(cell[1], u.cached_input);
    bump(cell[2], u.cache_creation);
    bump(cell[3], u.cache_creation_1h);
    bump(cell[4], u.output);
    bump(cell[5], u.reasoning);
    bump(cell[field_requests], u.requests);
    bump(cell[field_errors], u.errors);
  }
  [[gnu::always_inline]] static void bump(std::atomic<std::uint64_t>& a, std::uint64_t d) noexcept {
    if (d == 0) return;
    bool saturated = false;
    a.store(base::saturating_add(a.load(std::memory_order_relaxed), d, saturated), std::memory_order_relaxed);
  }

  [[gnu::noinline]] void add_shared(const counter_values& d, std::uint32_t slot) noexcept {
    if (!meta_.shared_used.load(std::memory_order_relaxed)) meta_.shared_used.store(true, std::memory_order_release);
    std::uint32_t failures = 0;
    for (std::size_t i = 0; i < field_count; ++i) {
      if (d[i] == 0) continue;
      std::uint64_t cur = shared_.v[i].load(std::memory_order_relaxed);
      for (;;) {
        bool saturated = false;
        const std::uint64_t next = base::saturating_add(cur, d[i], saturated);
        if (next == cur || shared_.v[i].compare_exchange_weak(cur, next, std::memory_order_relaxed)) break;
        ++failures;
      }
    }
    if (slot == no_slot) return;  // a thread without a slot has no stripe to move to
    // Contention, measured two ways: compare-and-swaps that failed, and writes to this line that
    // come fast (busy_writes within one millisecond of the steady clock). A key that other threads
    // write now and then never qualifies.
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch()).count();
    std::uint32_t writes = 1;
    if (meta_.window_ms.load(std::memory_order_relaxed) != now_ms) {
      meta_.window_ms.store(now_ms, std::memory_order_relaxed);
      meta_.window_writes.store(1, std::memory_order_relaxed);
    } else {
      writes = meta_.window_writes.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    const std::uint32_t failed = failures == 0 ? meta_.contention.load(std::memory_order_relaxed)
                                               : meta_.contention.fetch_add(failures, std::memory_order_relaxed) + failures;
    if ((failed >= contention_threshold || writes >= busy_writes) && meta_.stripes.load(std::memory_order_relaxed) == nullptr)
      grow();
  }

  void grow() noexcept {
    stripe* fresh = new (std::nothrow) stripe[slot_count()];
    if (fresh == nullptr) return;  // out of memory: the shared cell stays exact, just slower
    stripe* expected = nullptr;
    if (!meta_.stripes.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
      delete[] fresh;  // another thread published first
  }

  line base_;  // written only by the thread holding slot `owner`
  struct alignas(64) meta_line {  // read by every writer; written once per key, and under contention
    std::atomic<std::uint32_t> owner{unassigned_slot};
    std::atomic<std::uint32_t> second_owner{unassigned_slot};
    std::atomic<std::uint32_t> contention{0};
    std::atomic<std::uint32_t> window_writes{0};
    std::atomic<std::int64_t> window_ms{0};
    std::atomic<bool> shared_used{false};
    std::atomic<stripe*> stripes{nullptr};
  } meta_;
  line baseline_;  // collectors only (snapshot_and_reset)
  line second_;    // written only by the thread holding slot `second_owner`
  line shared_;    // compare-and-swap: threads other than the two owners, before (or without) stripes
};

}  // namespace tokenmaxx::usage_detail

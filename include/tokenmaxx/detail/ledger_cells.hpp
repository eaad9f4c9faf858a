// Internal: LongAdder-style striped counter cells for tokenmaxx::ledger. Not part of the public API.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <thread>

namespace tokenmaxx::detail {

// Fields of one counter cell: the five token types, then requests and errors.
inline constexpr std::size_t ledger_field_count = 7;
inline constexpr std::size_t ledger_field_requests = 5;
inline constexpr std::size_t ledger_field_errors = 6;

using ledger_values = std::array<std::uint64_t, ledger_field_count>;

// One cell: 7 x 8 bytes, aligned and padded to 128 bytes (two cache lines) so that the adjacent-line
// prefetcher does not make neighbouring cells share traffic.
struct alignas(128) ledger_cell {
  std::atomic<std::uint64_t> v[ledger_field_count] = {};
};
static_assert(sizeof(ledger_cell) == 128);

// Number of stripes a contended key grows to: a power of two >= the number of CPUs, at least 2, at
// most 64. Computed once per process.
inline std::uint32_t ledger_stripe_count() noexcept {
  static const std::uint32_t n = [] {
    unsigned hw = std::thread::hardware_concurrency();
    if (hw == 0) hw = 2;
    return static_cast<std::uint32_t>(std::bit_ceil(std::clamp(hw, 2u, 64u)));
  }();
  return n;
}

// A small per-thread index used to pick a stripe. Threads get consecutive indices, so with at most
// `stripe_count` live writer threads each one owns a distinct stripe. Constant-initialised
// thread_local: no guard on the hot path after the first call.
inline std::uint32_t ledger_thread_index() noexcept {
  static std::atomic<std::uint32_t> next{0};
  thread_local std::uint32_t idx = UINT32_MAX;
  if (idx == UINT32_MAX) [[unlikely]] idx = next.fetch_add(1, std::memory_order_relaxed);
  return idx;
}

// The counters of one key. Starts as one base cell (one cache line of live data). The first time a
// compare-exchange on the base cell fails (another thread wrote it in between: contention, the
// LongAdder rule), a padded array of ledger_stripe_count() cells is allocated and published with a
// CAS; from then on writers add to their own stripe. Readers sum the base and all stripes.
//
// Every field is only ever changed by atomic read-modify-write (fetch_add, compare_exchange,
// exchange), so no increment is ever lost, whatever the interleaving.
class striped_counters {
 public:
  striped_counters() = default;
  striped_counters(const striped_counters&) = delete;
  striped_counters& operator=(const striped_counters&) = delete;
  ~striped_counters() { delete[] stripes_.load(std::memory_order_acquire); }

  // Adds one field. Lock-free; allocates only the one time this key becomes contended.
  void add_one(std::size_t field, std::uint64_t d) noexcept {
    if (d == 0) return;
    ledger_cell* s = stripes_.load(std::memory_order_acquire);
    if (s == nullptr) [[likely]] {
      auto& f = base_.v[field];
      std::uint64_t cur = f.load(std::memory_order_relaxed);
      if (f.compare_exchange_strong(cur, cur + d, std::memory_order_relaxed)) return;
      s = grow();
      if (s == nullptr) {  // out of memory: stay on the base cell, still exact
        f.fetch_add(d, std::memory_order_relaxed);
        return;
      }
    }
    s[ledger_thread_index() & (ledger_stripe_count() - 1)].v[field].fetch_add(d, std::memory_order_relaxed);
  }

  // Adds every non-zero field of `d`. The first non-zero field is the contention probe.
  void add(const ledger_values& d) noexcept {
    std::size_t first = 0;
    while (first < ledger_field_count && d[first] == 0) ++first;
    if (first == ledger_field_count) return;
    ledger_cell* s = stripes_.load(std::memory_order_acquire);
    if (s == nullptr) [[likely]] {
      auto& f = base_.v[first];
      std::uint64_t cur = f.load(std::memory_order_relaxed);
      if (f.compare_exchange_strong(cur, cur + d[first], std::memory_order_relaxed)) {
        for (std::size_t i = first + 1; i < ledger_field_count; ++i)
          if (d[i] != 0) base_.v[i].fetch_add(d[i], std::memory_order_relaxed);
        return;
      }
      s = grow();
      if (s == nullptr) {
        for (std::size_t i = first; i < ledger_field_count; ++i)
          if (d[i] != 0) base_.v[i].fetch_add(d[i], std::memory_order_relaxed);
        return;
      }
    }
    ledger_cell& c = s[ledger_thread_index() & (ledger_stripe_count() - 1)];
    for (std::size_t i = first; i < ledger_field_count; ++i)
      if (d[i] != 0) c.v[i].fetch_add(d[i], std::memory_order_relaxed);
  }

  // Sum of all cells. Exact once writers are quiescent; while writers run, each field is a value the
  // field passed through, but fields are not a cut taken at one instant.
  ledger_values sum() const noexcept {
    ledger_values out{};
    for (std::size_t i = 0; i < ledger_field_count; ++i) out[i] = base_.v[i].load(std::memory_order_relaxed);
    if (const ledger_cell* s = stripes_.load(std::memory_order_acquire)) {
      const std::uint32_t n = ledger_stripe_count();
      for (std::uint32_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < ledger_field_count; ++i) out[i] += s[k].v[i].load(std::memory_order_relaxed);
    }
    return out;
  }

  // Sum and reset: every cell field is swapped with zero by an atomic exchange, so each increment is
  // returned by exactly one call (or remains for the next one): nothing lost, nothing counted twice.
  ledger_values exchange_sum() noexcept {
    ledger_values out{};
    for (std::size_t i = 0; i < ledger_field_count; ++i) out[i] = take(base_.v[i]);
    if (ledger_cell* s = stripes_.load(std::memory_order_acquire)) {
      const std::uint32_t n = ledger_stripe_count();
      for (std::uint32_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < ledger_field_count; ++i) out[i] += take(s[k].v[i]);
    }
    return out;
  }

  bool striped() const noexcept { return stripes_.load(std::memory_order_acquire) != nullptr; }

 private:
  static std::uint64_t take(std::atomic<std::uint64_t>& a) noexcept {
    // Skip the exchange (and the cache-line steal) when the cell is already zero.
    if (a.load(std::memory_order_relaxed) == 0) return 0;
    return a.exchange(0, std::memory_order_relaxed);
  }

  ledger_cell* grow() noexcept {
    ledger_cell* fresh = new (std::nothrow) ledger_cell[ledger_stripe_count()];
    if (fresh == nullptr) return stripes_.load(std::memory_order_acquire);
    ledger_cell* expected = nullptr;
    if (stripes_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
      return fresh;
    delete[] fresh;  // another thread published first
    return expected;
  }

  ledger_cell base_;
  std::atomic<ledger_cell*> stripes_{nullptr};
};

}  // namespace tokenmaxx::detail

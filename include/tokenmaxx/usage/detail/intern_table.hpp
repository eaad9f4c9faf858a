// Internal to usage/; include <tokenmaxx/usage/ledger.hpp> or <tokenmaxx/usage/budget.hpp> instead.
// A fixed-capacity intern table keyed by a pair of strings: lock-free lookups, exact capacity.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/usage/detail/keys.hpp"

namespace tokenmaxx::usage_detail {

// An entry is published `pending`, then its inserter counts it against the capacity and marks it
// `live` or, when `capacity` keys are already live, `refused`.
enum class entry_state : std::uint8_t { pending, live, refused };

// One interned key and its payload. The key bytes live in one allocation owned by the entry; the
// entry never moves and is never freed before the table, so pointers to it are stable handles.
template <class Payload>
struct interned_entry {
  template <class... Args>
  interned_entry(std::uint64_t h, std::string_view a, std::string_view b, Args&&... args)
      : hash(h), bytes(new char[a.size() + b.size() + 1]), payload(std::forward<Args>(args)...) {
    if (!a.empty()) std::memcpy(bytes.get(), a.data(), a.size());
    if (!b.empty()) std::memcpy(bytes.get() + a.size(), b.data(), b.size());
    first = std::string_view(bytes.get(), a.size());
    second = std::string_view(bytes.get() + a.size(), b.size());
  }
  bool is(std::uint64_t h, std::string_view a, std::string_view b) const noexcept {
    return hash == h && first == a && second == b;
  }
  std::uint64_t hash;
  std::unique_ptr<char[]> bytes;
  std::string_view first;
  std::string_view second;
  std::atomic<entry_state> state{entry_state::pending};
  Payload payload;
};

// Open addressing with linear probing over 2 * capacity (rounded up to a power of two) slots, each an
// atomic pointer. Entries are only ever added, never removed or moved.
//
// Capacity is exact and never refuses a key spuriously: a new key is first published in its slot
// (one CAS; a racing insert of the same key finds it there, so each distinct key is published once),
// and only then counted. The first `capacity` distinct keys counted become live; any later one is
// marked refused and stays in its slot, so asking for it again fails at once. A thread that finds a
// key still pending waits for its inserter to finish counting it (two atomic operations away).
// Lookups of live keys are wait-free (bounded probes, acquire loads); inserting a new key allocates
// once. Refused entries are bounded by the slot count (at most 2 x capacity entries in total).
template <class Payload>
class intern_table {
 public:
  using entry = interned_entry<Payload>;

  explicit intern_table(std::size_t capacity)
      : capacity_(capacity),
        mask_(std::bit_ceil(std::max<std::size_t>(capacity * 2, 8)) - 1),
        slots_(new std::atomic<entry*>[mask_ + 1]) {
    for (std::size_t i = 0; i <= mask_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
  }
  intern_table(const intern_table&) = delete;
  intern_table& operator=(const intern_table&) = delete;
  ~intern_table() {
    for (std::size_t i = 0; i <= mask_; ++i) delete slots_[i].load(std::memory_order_acquire);
  }

  // The live entry for (a, b), or nullptr.
  entry* find(std::string_view a, std::string_view b) const noexcept {
    entry* e = probe(a, b, key_hash(a, b));
    return e != nullptr && settled_state(*e) == entry_state::live ? e : nullptr;
  }

  // Returns the live entry for (a, b), inserting it with Payload(args...) when absent. Errors:
  // ResourceExhausted when `capacity` other keys are live (or memory ran out).
  template <class... Args>
  absl::StatusOr<entry*> find_or_insert(std::string_view a, std::string_view b, Args&&... args) {
    const std::uint64_t h = key_hash(a, b);
    if (entry* e = probe(a, b, h)) return settle(*e);
    if (size_.load(std::memory_order_acquire) >= capacity_) {
      // Full, unless (a, b) itself was counted after our probe: the acquire pairs with the counting
      // below, so a key counted into what we read is visible to a second probe.
      if (entry* e = probe(a, b, h)) return settle(*e);
      return full_error();
    }
    entry* fresh = nullptr;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    try {
      fresh = new entry(h, a, b, std::forward<Args>(args)...);
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError("tokenmaxx: out of memory inserting a key");
    }
#else
    fresh = new entry(h, a, b, std::forward<Args>(args)...);  // without exceptions, out of memory aborts
#endif
    for (std::size_t i = 0; i <= mask_; ++i) {
      auto& slot = slots_[(h + i) & mask_];
      entry* cur = slot.load(std::memory_order_acquire);
      if (cur == nullptr) {
        if (slot.compare_exchange_strong(cur, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
          const bool admitted = size_.fetch_add(1, std::memory_order_acq_rel) < capacity_;
          fresh->state.store(admitted ? entry_state::live : entry_state::refused, std::memory_order_release);
          if (!admitted) return full_error();
          return fresh;
        }
        // cur now holds the entry that won the slot; fall through and compare it.
      }
      if (cur->is(h, a, b)) {
        delete fresh;
        return settle(*cur);
      }
    }
    delete fresh;  // every slot holds another key: more than 2 x capacity distinct keys were tried
    return full_error();
  }

  // Visits every live entry (slot order). Entries inserted concurrently may or may not be seen.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i <= mask_; ++i)
      if (entry* e = slots_[i].load(std::memory_order_acquire); e && e->state.load(std::memory_order_acquire) == entry_state::live)
        f(*e);
  }

  // Live keys.
  std::size_t size() const noexcept { return std::min(size_.load(std::memory_order_relaxed), capacity_); }
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t slot_bytes() const noexcept { return (mask_ + 1) * sizeof(std::atomic<entry*>); }

 private:
  entry* probe(std::string_view a, std::string_view b, std::uint64_t h) const noexcept {
    for (std::size_t i = 0; i <= mask_; ++i) {
      entry* e = slots_[(h + i) & mask_].load(std::memory_order_acquire);
      if (e == nullptr) return nullptr;
      if (e->is(h, a, b)) return e;
    }
    return nullptr;
  }

  static entry_state settled_state(const entry& e) noexcept {
    entry_state s = e.state.load(std::memory_order_acquire);
    while (s == entry_state::pending) {
      std::this_thread::yield();
      s = e.state.load(std::memory_order_acquire);
    }
    return s;
  }

  absl::StatusOr<entry*> settle(entry& e) const {
    if (settled_state(e) == entry_state::live) return &e;
    return full_error();
  }

  absl::Status full_error() const {
    return absl::ResourceExhaustedError("tokenmaxx: key table is full (capacity " + std::to_string(capacity_) + " keys)");
  }

  std::size_t capacity_;
  std::size_t mask_;
  std::unique_ptr<std::atomic<entry*>[]> slots_;
  std::atomic<std::size_t> size_{0};  // distinct keys counted (live + refused)
};

}  // namespace tokenmaxx::usage_detail

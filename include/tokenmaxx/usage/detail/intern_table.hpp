// Internal to the usage subsystem; include <tokenmaxx/usage/ledger.hpp> instead.
// A fixed-capacity lock-free intern table keyed by a pair of strings.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/usage/detail/keys.hpp"

namespace tokenmaxx::usage_detail {

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
  std::uint64_t hash;
  std::unique_ptr<char[]> bytes;
  std::string_view first;
  std::string_view second;
  Payload payload;
};

// Open addressing with linear probing over 2 * capacity (rounded up to a power of two) slots, each an
// atomic pointer. Entries are only ever added, never removed or moved, so:
//   * find() is wait-free (at most slot_count probes, each one acquire load);
//   * insert() is lock-free: it claims an empty slot with one CAS; losing a CAS to the same key
//     returns the winner's entry, losing it to another key moves on to the next slot;
//   * the number of keys is bounded by `capacity` through a reservation counter, so a probe always
//     finds an empty slot and never loops forever.
// Inserting a new key allocates once (entry + key bytes); finding an existing key allocates nothing.
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

  entry* find(std::string_view a, std::string_view b) const noexcept { return find(a, b, key_hash(a, b)); }

  entry* find(std::string_view a, std::string_view b, std::uint64_t h) const noexcept {
    for (std::size_t i = 0; i <= mask_; ++i) {
      entry* e = slots_[(h + i) & mask_].load(std::memory_order_acquire);
      if (e == nullptr) return nullptr;
      if (e->hash == h && e->first == a && e->second == b) return e;
    }
    return nullptr;
  }

  // Returns the entry for (a, b), inserting it with Payload(args...) when absent. Errors:
  // ResourceExhausted when `capacity` keys already exist (or memory ran out).
  template <class... Args>
  absl::StatusOr<entry*> find_or_insert(std::string_view a, std::string_view b, Args&&... args) {
    const std::uint64_t h = key_hash(a, b);
    if (entry* e = find(a, b, h)) return e;
    if (size_.fetch_add(1, std::memory_order_relaxed) >= capacity_) {
      size_.fetch_sub(1, std::memory_order_relaxed);
      if (entry* e = find(a, b, h)) return e;  // raced with an insert of the same key
      return absl::ResourceExhaustedError("tokenmaxx ledger: key table is full (capacity " +
                                          std::to_string(capacity_) + " keys)");
    }
    entry* fresh = nullptr;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    try {
      fresh = new entry(h, a, b, std::forward<Args>(args)...);
    } catch (const std::bad_alloc&) {
      size_.fetch_sub(1, std::memory_order_relaxed);
      return absl::ResourceExhaustedError("tokenmaxx ledger: out of memory inserting a key");
    }
#else
    fresh = new entry(h, a, b, std::forward<Args>(args)...);  // without exceptions, out of memory aborts
#endif
    for (std::size_t i = 0; i <= mask_; ++i) {
      auto& slot = slots_[(h + i) & mask_];
      entry* cur = slot.load(std::memory_order_acquire);
      if (cur == nullptr) {
        if (slot.compare_exchange_strong(cur, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
          return fresh;
        // cur now holds the entry that won the slot; fall through and compare it.
      }
      if (cur->hash == h && cur->first == a && cur->second == b) {
        delete fresh;
        size_.fetch_sub(1, std::memory_order_relaxed);
        return cur;
      }
    }
    // Unreachable: size_ <= capacity_ < slot count guarantees an empty slot.
    delete fresh;
    size_.fetch_sub(1, std::memory_order_relaxed);
    return absl::InternalError("tokenmaxx ledger: probe sequence exhausted");
  }

  // Visits every published entry (slot order). Entries inserted concurrently may or may not be seen.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i <= mask_; ++i)
      if (entry* e = slots_[i].load(std::memory_order_acquire)) f(*e);
  }

  std::size_t size() const noexcept {
    return std::min(size_.load(std::memory_order_relaxed), capacity_);
  }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::size_t capacity_;
  std::size_t mask_;
  std::unique_ptr<std::atomic<entry*>[]> slots_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace tokenmaxx::usage_detail

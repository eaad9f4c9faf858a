// tokenmaxx/usage/budget.hpp: per-tenant limits that concurrent callers cannot jointly overshoot.
//
// A `budget_book` holds, per tenant, a limit and the amount in use (committed + reserved) in one unit
// of the caller's choice (tokens, or cost micro-units). Before a call, `try_reserve(tenant, estimate)`
// atomically claims `estimate` if `in_use + estimate <= limit` (a compare-exchange loop on one 64-bit
// word per tenant); afterwards `commit(r, actual)` keeps the actual amount and returns the rest, or
// `release(r)` returns all of it (also done by the reservation's destructor). The ledger
// (ledger.hpp) counts what was used; a budget decides what may still be used.
//
// Guarantees:
//  - Never jointly overshot: at every instant the sum of outstanding reservations and commits is
//    <= the limit, whatever the number of threads (each reservation is one successful CAS that
//    preserves the invariant). Lowering a limit below the amount in use blocks new reservations
//    until enough is released.
//  - A commit larger than its reservation first tries to claim the excess within the limit; if that
//    fails the actual usage is still committed (it has happened), the excess is counted in
//    `budget_state::overrun` and ResourceExhausted is returned. Only a caller under-estimating can
//    overrun.
//  - No wrap-around: amounts up to 2^64 - 1 are accepted; `in_use` and `overrun` saturate at
//    2^64 - 1 instead of wrapping (then `committed` holds what fitted and `budget_state::saturated`
//    is set), so an enormous commit blocks every reservation until reset_period() rather than
//    freeing the budget.
//  - Lock-free: reservations, commits and releases never block; tenants live in a fixed-capacity
//    table (set_limit on a new tenant when `max_tenants` exist: ResourceExhausted).
//  - Thread safety: every member may be called concurrently. A `reservation` is move-only, used by
//    one thread at a time, and must not outlive its budget_book.
//
// Example:
//   tokenmaxx::budget_book budgets(/*max_tenants=*/10'000);
//   if (absl::Status st = budgets.set_limit("acme", 1'000'000); !st.ok()) return st;  // tokens per period
//   absl::StatusOr<tokenmaxx::reservation> r = budgets.try_reserve("acme", 4'096);
//   if (!r.ok()) return r.status();                              // ResourceExhausted: over budget
//   std::uint64_t actual_tokens = 3'100;                         // what the call really used
//   absl::Status st = budgets.commit(*r, actual_tokens);         // returns the unused 996
//   if (!st.ok()) return st;                                     // ResourceExhausted: overran (recorded)
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/usage/detail/intern_table.hpp"
#include "tokenmaxx/usage/detail/keys.hpp"

namespace tokenmaxx {

struct budget_state {
  std::uint64_t limit = 0;
  std::uint64_t in_use = 0;     // committed + outstanding reservations
  std::uint64_t committed = 0;
  std::uint64_t overrun = 0;    // committed beyond reservations that the limit could not absorb
  bool saturated = false;       // an overrun did not fit below 2^64 - 1 this period (see commit)
};

namespace usage_detail {

// Adds `amount` to `a` without passing 2^64 - 1; returns how much was added.
inline std::uint64_t saturating_fetch_add(std::atomic<std::uint64_t>& a, std::uint64_t amount) noexcept {
  std::uint64_t cur = a.load(std::memory_order_relaxed);
  for (;;) {
    bool saturated = false;
    const std::uint64_t next = base::saturating_add(cur, amount, saturated);
    if (next == cur || a.compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed))
      return next - cur;
  }
}

struct budget_slot {
  budget_slot() = default;
  alignas(64) std::atomic<std::uint64_t> in_use{0};
  std::atomic<std::uint64_t> limit{0};
  std::atomic<std::uint64_t> committed{0};  // the part of in_use that commits hold; reset_period() removes it
  std::atomic<std::uint64_t> overrun{0};
  std::atomic<bool> saturated{false};

  // Claims `amount` iff in_use + amount <= limit. Lock-free CAS loop.
  bool try_claim(std::uint64_t amount) noexcept {
    std::uint64_t cur = in_use.load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t lim = limit.load(std::memory_order_relaxed);
      if (cur > lim || amount > lim - cur) return false;
      if (in_use.compare_exchange_weak(cur, cur + amount, std::memory_order_acq_rel, std::memory_order_relaxed)) return true;
    }
  }
};

}  // namespace usage_detail

class budget_book;

class reservation {
 public:
  reservation() = default;
  reservation(reservation&& o) noexcept : slot_(o.slot_), amount_(o.amount_) { o.slot_ = nullptr; }
  reservation& operator=(reservation&& o) noexcept {
    if (this != &o) {
      release_now();
      slot_ = o.slot_;
      amount_ = o.amount_;
      o.slot_ = nullptr;
    }
    return *this;
  }
  reservation(const reservation&) = delete;
  reservation& operator=(const reservation&) = delete;
  ~reservation() { release_now(); }

  bool active() const noexcept { return slot_ != nullptr; }
  std::uint64_t amount() const noexcept { return slot_ ? amount_ : 0; }

 private:
  friend class budget_book;
  reservation(usage_detail::budget_slot* s, std::uint64_t a) : slot_(s), amount_(a) {}
  void release_now() noexcept {
    if (slot_) slot_->in_use.fetch_sub(amount_, std::memory_order_acq_rel);
    slot_ = nullptr;
  }
  usage_detail::budget_slot* slot_ = nullptr;
  std::uint64_t amount_ = 0;
};

class budget_book {
 public:
  explicit budget_book(std::size_t max_tenants) : table_(max_tenants) {}

  // Creates the tenant or changes its limit. Errors: InvalidArgument (bad tenant string),
  // ResourceExhausted (more than max_tenants tenants).
  absl::Status set_limit(std::string_view tenant, std::uint64_t limit) {
    if (auto s = usage_detail::check_key("tenant", tenant, false); !s.ok()) return s;
    auto e = table_.find_or_insert(tenant, std::string_view());
    if (!e.ok()) return e.status();
    (*e)->payload.limit.store(limit, std::memory_order_release);
    return absl::OkStatus();
  }

  // Errors: NotFound (no limit set for the tenant), ResourceExhausted (would exceed the limit),
  // InvalidArgument (amount == 0).
  absl::StatusOr<reservation> try_reserve(std::string_view tenant, std::uint64_t amount) {
    if (amount == 0) return absl::InvalidArgumentError("budget: reservation of 0");
    auto* e = table_.find(tenant, std::string_view());
    if (e == nullptr) return absl::NotFoundError("budget: no limit set for tenant '" + std::string(tenant) + "'");
    if (!e->payload.try_claim(amount))
      return absl::ResourceExhaustedError("budget: tenant '" + std::string(tenant) + "' would exceed its limit");
    return reservation(&e->payload, amount);
  }

  // Keeps `actual` of the reservation as committed usage and returns the rest. See the guarantees
  // for actual > reserved. Errors: FailedPrecondition for an inactive reservation.
  absl::Status commit(reservation& r, std::uint64_t actual) {
    if (!r.active()) return absl::FailedPreconditionError("budget: reservation already committed or released");
    usage_detail::budget_slot* s = r.slot_;
    const std::uint64_t reserved = r.amount_;
    r.slot_ = nullptr;
    // in_use is raised before committed is, so a concurrent reset_period() never subtracts more than
    // in_use holds; committed only ever holds what in_use holds for commits, so neither can wrap.
    if (actual <= reserved) {
      s->committed.fetch_add(actual, std::memory_order_acq_rel);
      if (actual < reserved) s->in_use.fetch_sub(reserved - actual, std::memory_order_acq_rel);
      return absl::OkStatus();
    }
    const std::uint64_t extra = actual - reserved;
    if (s->try_claim(extra)) {
      s->committed.fetch_add(actual, std::memory_order_acq_rel);
      return absl::OkStatus();
    }
    const std::uint64_t added = usage_detail::saturating_fetch_add(s->in_use, extra);
    s->committed.fetch_add(reserved + added, std::memory_order_acq_rel);
    const std::uint64_t counted = usage_detail::saturating_fetch_add(s->overrun, extra);
    if (added != extra || counted != extra) s->saturated.store(true, std::memory_order_relaxed);
    return absl::ResourceExhaustedError("budget: committed usage exceeded the reservation by " + std::to_string(extra) +
                                        " and the limit could not absorb it (recorded as overrun)");
  }

  void release(reservation& r) noexcept { r.release_now(); }

  absl::StatusOr<budget_state> state(std::string_view tenant) const {
    auto* e = table_.find(tenant, std::string_view());
    if (e == nullptr) return absl::NotFoundError("budget: no limit set for tenant '" + std::string(tenant) + "'");
    const usage_detail::budget_slot& b = e->payload;
    return budget_state{b.limit.load(std::memory_order_relaxed), b.in_use.load(std::memory_order_relaxed),
                        b.committed.load(std::memory_order_relaxed), b.overrun.load(std::memory_order_relaxed),
                        b.saturated.load(std::memory_order_relaxed)};
  }

  // Starts a new period for `tenant`: forgets committed usage (outstanding reservations stay counted).
  absl::Status reset_period(std::string_view tenant) {
    auto* e = table_.find(tenant, std::string_view());
    if (e == nullptr) return absl::NotFoundError("budget: no limit set for tenant '" + std::string(tenant) + "'");
    usage_detail::budget_slot& b = e->payload;
    b.in_use.fetch_sub(b.committed.exchange(0, std::memory_order_acq_rel), std::memory_order_acq_rel);
    b.overrun.store(0, std::memory_order_relaxed);
    b.saturated.store(false, std::memory_order_relaxed);
    return absl::OkStatus();
  }

 private:
  usage_detail::intern_table<usage_detail::budget_slot> table_;
};

}  // namespace tokenmaxx

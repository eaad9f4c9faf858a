// tokenmaxx/usage/ledger.hpp: a lock-free per-tenant usage ledger.
//
// A `ledger` counts LLM usage per (tenant, model): tokens by type, requests and errors, with cost
// derived exactly from a price table. Keys are interned once into a fixed-capacity lock-free table;
// `resolve()` returns a `key_handle`, stable for the ledger's lifetime, so the hot path is a handle plus
// a few relaxed atomic stores. There is no person dimension: tenants are customers, teams or apps.
//
// Guarantees:
//   * Exact: every counter cell is a 64-bit atomic that is either written by exactly one thread (its
//     owner: relaxed load + store) or only by fetch_add; no increment is lost under any number of
//     threads. (A counter wraps only after 2^64 increments; merge and cost arithmetic saturate and flag
//     instead, see usage_snapshot.hpp / pricing.hpp.)
//   * Lock-free and, on the hot path, free of locked instructions: record()/add() on a handle never
//     block and allocate nothing, except the one time a key first becomes contended. Each writer thread
//     holds a slot (slot_count(): a power of two >= 2 x CPUs, 8..64; returned at thread exit).
//     A key starts as one 64-byte line of counters owned by the first thread that writes it, which
//     adds with a relaxed load + store (single writer, no `lock` prefix). When a second thread writes the key it
//     grows, once, to one padded cell per slot (LongAdder-style; cold keys stay one cell) and every
//     thread adds to its own cell. Threads beyond the slot count use one shared cell with fetch_add
//     (still exact). resolve() and record-by-key are lock-free too: lookups are wait-free probes; a
//     new key costs one allocation and one CAS on a slot.
//   * Full table: with `full_policy::error` (default) resolving a new key past `capacity` returns
//     ResourceExhausted; with `full_policy::overflow_bucket` it returns the handle of the reserved key
//     ("__overflow__", "__overflow__") so the usage is kept (unpriced) under an explicit overflow row and
//     `overflowed_resolves()` counts the redirections. Nothing is silently dropped.
//   * Errors use absl::Status / absl::StatusOr throughout; the hot path (record/add on a handle) cannot
//     fail.
//   * snapshot(): cumulative totals since construction (resets do not affect it). Each field of each
//     key is the sum of monotonic cells read one after another: it never goes backwards between calls,
//     is exact when writers are quiescent, and is not a point-in-time cut across keys or fields (a
//     record() racing with it may be partly included; the rest shows up in the next snapshot).
//   * snapshot_and_reset(): the delta since the previous snapshot_and_reset(). Writers are never
//     disturbed: the collector keeps a per-key, per-field baseline and advances it with a CAS to the
//     sum it read, so consecutive deltas telescope: the sum of all deltas plus what a final call returns
//     equals everything recorded, exactly (nothing lost, nothing counted twice), also with several
//     concurrent collectors. Same (non-)cut semantics as snapshot(). It coexists with cumulative
//     consumers (delta_tracker, window_rollup, Prometheus).
//   * Cost is computed at snapshot time from token counts and the ledger's immutable price table, so it
//     is exact (no per-call rounding) and never zero for an unknown model: such tokens are unpriced.
//
// Thread safety: all member functions may be called concurrently from any number of threads. The
// per-thread slots live in inline variables (detail/ledger_cells.hpp): every piece of code that writes
// to one ledger must share a single copy of them, which is the default on ELF platforms; do not write
// to the same ledger from two shared objects that each hide their own copy (-fvisibility=hidden).
//
// Example:
//   auto prices = std::make_shared<const tokenmaxx::price_table>(*tokenmaxx::price_table::load_litellm_file("prices.json"));
//   tokenmaxx::ledger ledger({.capacity = 100'000, .prices = prices});
//   absl::StatusOr<tokenmaxx::key_handle> h = ledger.resolve("acme", "gpt-4o");   // once, off the hot path
//   ledger.record(*h, {.input = 1200, .output = 300, .requests = 1});             // hot path, lock-free
//   tokenmaxx::usage_snapshot delta = ledger.snapshot_and_reset(now_ns);
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/usage/detail/cells.hpp"
#include "tokenmaxx/usage/detail/intern_table.hpp"
#include "tokenmaxx/usage/detail/keys.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/usage.hpp"
#include "tokenmaxx/usage/snapshot.hpp"

namespace tokenmaxx {

enum class full_policy : std::uint8_t { error, overflow_bucket };

inline constexpr std::string_view overflow_key = "__overflow__";

struct ledger_options {
  std::size_t capacity = 4096;             // maximum number of distinct (tenant, model) keys
  full_policy when_full = full_policy::error;
  std::shared_ptr<const price_table> prices = nullptr;  // null: every token is unpriced
};

namespace usage_detail {
struct key_state {
  explicit key_state(const model_price* p) : price(p) {}
  striped_counters counters;
  const model_price* price;
};
using key_entry = interned_entry<key_state>;

inline counter_values to_values(const usage& u) noexcept {
  return {u.input, u.cached_input, u.cache_creation, u.output, u.reasoning, u.requests, u.errors};
}
}  // namespace usage_detail

// A resolved (tenant, model). Trivially copyable; valid for the lifetime of the ledger that made it.
class key_handle {
 public:
  key_handle() = default;
  bool valid() const noexcept { return e_ != nullptr; }
  std::string_view tenant() const noexcept { return e_ ? e_->first : std::string_view(); }
  std::string_view model() const noexcept { return e_ ? e_->second : std::string_view(); }
  bool priced() const noexcept { return e_ && e_->payload.price != nullptr; }
  friend bool operator==(key_handle, key_handle) = default;

 private:
  friend class ledger;
  explicit key_handle(usage_detail::key_entry* e) : e_(e) {}
  usage_detail::key_entry* e_ = nullptr;
};

class ledger {
 public:
  explicit ledger(ledger_options options = {})
      : options_(std::move(options)),
        table_(options_.capacity),
        overflow_(std::make_unique<usage_detail::key_entry>(usage_detail::key_hash(overflow_key, overflow_key), overflow_key,
                                                          overflow_key, nullptr)) {}
  ledger(const ledger&) = delete;
  ledger& operator=(const ledger&) = delete;

  // Interns (tenant, model). Errors: InvalidArgument for an empty, over-long (> 256 bytes), non-UTF-8 or
  // control-character key, or the reserved tenant "__overflow__"; ResourceExhausted when the table is
  // full and the policy is full_policy::error.
  absl::StatusOr<key_handle> resolve(std::string_view tenant, std::string_view model) {
    if (usage_detail::key_entry* e = table_.find(tenant, model)) return key_handle(e);
    if (auto s = usage_detail::check_key("tenant", tenant, false); !s.ok()) return s;
    if (auto s = usage_detail::check_key("model", model, false); !s.ok()) return s;
    if (tenant == overflow_key) return absl::InvalidArgumentError("tenant \"__overflow__\" is reserved");
    const model_price* price = options_.prices ? options_.prices->find(model) : nullptr;
    auto e = table_.find_or_insert(tenant, model, price);
    if (e.ok()) return key_handle(*e);
    if (options_.when_full == full_policy::overflow_bucket && absl::IsResourceExhausted(e.status())) {
      overflowed_.fetch_add(1, std::memory_order_relaxed);
      return key_handle(overflow_.get());
    }
    return e.status();
  }

  // Hot path. Lock-free, no allocation except the first time the key becomes contended.
  void record(key_handle h, const usage& u) noexcept {
    if (!h.valid()) [[unlikely]] return;  // default-constructed handle: documented no-op
    h.e_->payload.counters.add(usage_detail::to_values(u));
  }
  void add(key_handle h, token_type t, std::uint64_t tokens) noexcept {
    if (!h.valid()) [[unlikely]] return;
    h.e_->payload.counters.add_one(static_cast<std::size_t>(t), tokens);
  }

  // resolve() + record(). Lock-free; allocates only when the key is new.
  absl::Status record(std::string_view tenant, std::string_view model, const usage& u) {
    auto h = resolve(tenant, model);
    if (!h.ok()) return h.status();
    record(*h, u);
    return absl::OkStatus();
  }

  // Cumulative totals (see the header comment for the exact guarantee). `now` is stamped as end_time.
  // Rows come in table order (call canonicalize() for (tenant, model) order; the encoders do).
  usage_snapshot snapshot(std::int64_t now = 0) const {
    usage_snapshot s;
    s.kind = snapshot_kind::cumulative;
    s.end_time = now;
    collect(s, /*claim=*/false);
    return s;
  }

  // Delta since the previous snapshot_and_reset() (or construction); start_time is the previous call's
  // `now`. Nothing lost, nothing double counted (see the header comment). The ledger's counters are not
  // modified; only the collector-side baselines advance. Keys with no change are omitted.
  usage_snapshot snapshot_and_reset(std::int64_t now = 0) {
    usage_snapshot s;
    s.kind = snapshot_kind::delta;
    s.start_time = last_reset_.exchange(now, std::memory_order_relaxed);
    s.end_time = now;
    collect(s, /*claim=*/true);
    return s;
  }

  std::size_t size() const noexcept { return table_.size(); }
  std::size_t capacity() const noexcept { return table_.capacity(); }
  // How many resolve() calls were redirected to the overflow key.
  std::uint64_t overflowed_resolves() const noexcept { return overflowed_.load(std::memory_order_relaxed); }
  const std::shared_ptr<const price_table>& prices() const noexcept { return options_.prices; }

 private:
  // Walks all keys with software prefetching (entries are scattered on the heap; the walk is bound by
  // cache misses, not arithmetic).
  void collect(usage_snapshot& s, bool claim) const {
    std::vector<usage_detail::key_entry*> entries;
    entries.reserve(table_.size() + 1);
    table_.for_each([&](usage_detail::key_entry& e) { entries.push_back(&e); });
    entries.push_back(overflow_.get());
    s.rows.reserve(entries.size());
    constexpr std::size_t ahead = 12;
    const std::size_t n = entries.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + ahead < n) {
        __builtin_prefetch(entries[i + ahead]);
        entries[i + ahead]->payload.counters.prefetch(claim);
      }
      if (i + ahead / 2 < n) __builtin_prefetch(entries[i + ahead / 2]->first.data());
      usage_detail::key_entry& e = *entries[i];
      const usage_detail::counter_values v = claim ? e.payload.counters.claim_delta() : e.payload.counters.sum();
      const bool is_overflow = &e == overflow_.get();
      if ((claim || is_overflow) && v == usage_detail::counter_values{}) continue;
      s.rows.push_back(make_row(e, v));
    }
  }

  static usage_row make_row(const usage_detail::key_entry& e, const usage_detail::counter_values& v) {
    usage_row r;
    r.tenant = e.first;
    r.model = e.second;
    if (e.payload.price) r.provider = e.payload.price->provider;
    for (std::size_t i = 0; i < token_type_count; ++i) r.tokens[i] = v[i];
    r.requests = v[usage_detail::field_requests];
    r.errors = v[usage_detail::field_errors];
    r.cost = compute_cost(e.payload.price, r.tokens);
    return r;
  }

  ledger_options options_;
  usage_detail::intern_table<usage_detail::key_state> table_;
  std::unique_ptr<usage_detail::key_entry> overflow_;
  std::atomic<std::uint64_t> overflowed_{0};
  std::atomic<std::int64_t> last_reset_{0};
};

}  // namespace tokenmaxx

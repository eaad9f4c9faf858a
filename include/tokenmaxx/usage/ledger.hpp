// tokenmaxx/usage/ledger.hpp: a lock-free per-tenant usage ledger.
//
// A `ledger` counts LLM usage per (tenant, model): tokens by type, requests and errors, with cost
// derived exactly from a price table (pricing.hpp). Keys are interned once into a fixed-capacity
// table; `resolve()` returns a `key_handle`, stable for the ledger's lifetime, so the hot path is a
// handle plus a few relaxed atomic stores. Snapshots (snapshot.hpp) are cumulative or deltas, and
// feed the codecs, windows and exporters. There is no person dimension: tenants are customers,
// teams or apps.
//
// Guarantees:
//  - Exact: no increment is lost or counted twice under any number of threads. Each counter cell is
//    a 64-bit atomic written either by exactly one thread (relaxed load + store) or by
//    compare-and-swap.
//  - Bounded input: record() refuses (InvalidArgument, nothing recorded) a usage with any field above
//    `max_increment` (2^48 - 1): that is what a negative count converted to unsigned looks like.
//    A total that would pass 2^64 - 1 saturates there and the key's rows carry `overflow`; totals
//    never wrap, so they never go backwards and every collector finishes.
//  - Tiered prices: each record() is priced at the tier its request's prompt size selects
//    (usage::prompt_tokens(), or the `request_prompt_tokens` given with a piece of a request).
//  - Lock-free hot path without locked instructions: record()/add() on a handle never block and never
//    allocate, except once when a key becomes contended. A key has two 64-byte lines owned by the
//    first two threads that write it (each adds with a relaxed load + store); other threads add to a
//    shared line by compare-and-swap, so a key written by several threads at different times costs
//    nothing more. Only a key under measured contention (16 failed compare-and-swaps on the shared
//    line, or 64 writes to it within one millisecond) grows, once, to one 128-byte stripe per writer
//    slot: slot_count() = a power of two >= 2 x usable CPUs, 8..64, so at most 8 KiB. Memory is
//    therefore about 490 bytes per key plus up to 8 KiB per contended key (`stats()` reports it).
//  - Capacity is exact: at most `capacity` keys, and a key is refused only when `capacity` other keys
//    exist (never because of a race). With `full_policy::error` (default) resolving a new key past
//    capacity returns ResourceExhausted; with `full_policy::overflow_bucket` it returns the handle
//    of the reserved key ("__overflow__", "__overflow__") so the usage is kept (unpriced) and
//    `overflowed_resolves()` counts the redirections. Nothing is silently dropped.
//  - snapshot(): cumulative totals over [construction, now). Each field of each key is a sum of
//    monotonic cells read one after another: it never goes backwards between calls, is exact when
//    writers are quiescent, and is not a point-in-time cut across keys or fields (a racing record()
//    may be partly included; the rest shows up in the next snapshot).
//  - snapshot_and_reset(): the delta since the previous call (or construction). Writers are never
//    disturbed: the collector keeps a per-key baseline and advances it with a CAS, so consecutive
//    deltas telescope to everything recorded, exactly, also with several concurrent collectors. It
//    coexists with cumulative consumers (delta_tracker, window_rollup, Prometheus).
//  - Times are nanoseconds since the Unix epoch: the overloads without `now` read the system clock,
//    and the first delta and every cumulative snapshot start at the ledger's construction.
//  - Cost is computed at snapshot time from the token counts of each price tier and the ledger's
//    immutable price table: exact, and never zero for an unknown model (its tokens are unpriced).
//  - Errors are absl::Status; nothing throws.
//  - Thread safety: every member function may be called concurrently from any number of threads.
//    The per-thread slots live in inline variables (detail/cells.hpp): every piece of code that
//    writes to one ledger must share a single copy of them, the default on ELF platforms; do not
//    write to one ledger from two shared objects that each hide their own (-fvisibility=hidden).
//
// Example:
//   tokenmaxx::price_table table;
//   tokenmaxx::model_price gpt4o;
//   gpt4o.set(tokenmaxx::token_type::input, 2'500'000).set(tokenmaxx::token_type::output, 10'000'000);
//   if (absl::Status st = table.set("gpt-4o", gpt4o); !st.ok()) return st;
//   tokenmaxx::ledger ledger({.capacity = 100'000, .prices = std::make_shared<const tokenmaxx::price_table>(table)});
//   absl::StatusOr<tokenmaxx::key_handle> h = ledger.resolve("acme", "gpt-4o");   // once, off the hot path
//   if (!h.ok()) return h.status();                                                // ResourceExhausted: full
//   absl::Status st = ledger.record(*h, {.input = 1200, .output = 300, .requests = 1});  // hot path
//   if (!st.ok()) return st;                                                       // InvalidArgument: > 2^48
//   tokenmaxx::usage_snapshot delta = ledger.snapshot_and_reset();                 // cost: 6,000 micro-units
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
#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/usage/detail/cells.hpp"
#include "tokenmaxx/usage/detail/intern_table.hpp"
#include "tokenmaxx/usage/detail/keys.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/usage.hpp"

namespace tokenmaxx {

enum class full_policy : std::uint8_t { error, overflow_bucket };

inline constexpr std::string_view overflow_key = "__overflow__";

struct ledger_options {
  std::size_t capacity = 4096;             // maximum number of distinct (tenant, model) keys
  full_policy when_full = full_policy::error;
  std::shared_ptr<const price_table> prices = nullptr;  // null: every token is unpriced
  std::int64_t start_time = 0;             // ns since the Unix epoch; 0: the system clock at construction
};

// What a ledger holds: live keys, keys that grew stripes, and an estimate of its heap bytes
// (the sizes it allocated, without the allocator's own overhead).
struct ledger_stats {
  std::size_t keys = 0;
  std::size_t contended_keys = 0;
  std::size_t bytes = 0;
};

namespace usage_detail {

struct key_state {
  explicit key_state(const model_price* p)
      : price(p), tier_counters(p && !p->tiers.empty() ? new striped_counters[p->tiers.size()] : nullptr) {}
  striped_counters& counters_of(std::size_t tier) noexcept { return tier == 0 ? counters : tier_counters[tier - 1]; }
  const striped_counters& counters_of(std::size_t tier) const noexcept {
    return tier == 0 ? counters : tier_counters[tier - 1];
  }
  std::size_t tier_count() const noexcept { return price ? price->tier_count() : 1; }

  striped_counters counters;  // the base price tier
  const model_price* price;
  std::unique_ptr<striped_counters[]> tier_counters;  // one per price tier above the base
};
using key_entry = interned_entry<key_state>;

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
                                                            overflow_key, nullptr)),
        start_time_(options_.start_time != 0 ? options_.start_time : unix_time_ns()),
        last_reset_(start_time_) {}
  ledger(const ledger&) = delete;
  ledger& operator=(const ledger&) = delete;

  // Interns (tenant, model). Errors: InvalidArgument for an empty, over-long (> 256 bytes), non-UTF-8 or
  // control-character key, or the reserved tenant "__overflow__"; ResourceExhausted when `capacity`
  // other keys exist and the policy is full_policy::error.
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

  // Hot path: adds `u`, priced at the tier of a request whose prompt is u.prompt_tokens(). Errors
  // (nothing recorded): InvalidArgument for a default-constructed handle or a field above max_increment.
  [[gnu::always_inline]] absl::Status record(key_handle h, const usage& u) { return record(h, u, u.prompt_tokens()); }

  // The same for a piece of a request (e.g. output tokens of a stream): `request_prompt_tokens` is the
  // prompt size of the whole request and selects the price tier.
  [[gnu::always_inline]] absl::Status record(key_handle h, const usage& u, std::uint64_t request_prompt_tokens) {
    if (!h.valid() || !u.within_limits()) [[unlikely]] return refusal(h.valid(), u);
    usage_detail::key_state& k = h.e_->payload;
    const std::size_t tier = k.tier_counters ? k.price->tier_for(request_prompt_tokens) : 0;
    k.counters_of(tier).add(u);
    return absl::OkStatus();
  }

  // Adds `tokens` of one type (request_prompt_tokens as above). Same errors as record(), and
  // InvalidArgument for a value outside token_type.
  [[gnu::always_inline]] absl::Status add(key_handle h, token_type t, std::uint64_t tokens,
                                          std::uint64_t request_prompt_tokens = 0) {
    if (!h.valid() || tokens > max_increment || static_cast<std::size_t>(t) >= token_type_count) [[unlikely]]
      return add_refusal(h.valid(), t, tokens);
    usage_detail::key_state& k = h.e_->payload;
    const std::size_t tier = k.tier_counters ? k.price->tier_for(request_prompt_tokens) : 0;
    k.counters_of(tier).add_one(static_cast<std::size_t>(t), tokens);
    return absl::OkStatus();
  }

  // resolve() + record(). Allocates only when the key is new.
  absl::Status record(std::string_view tenant, std::string_view model, const usage& u) {
    if (!u.within_limits()) return validate(u);
    auto h = resolve(tenant, model);
    if (!h.ok()) return h.status();
    return record(*h, u);
  }

  // Cumulative totals over [construction, now) (see the guarantees). Rows come in table order
  // (canonicalize() sorts; the encoders do).
  usage_snapshot snapshot() const { return snapshot(unix_time_ns()); }
  usage_snapshot snapshot(std::int64_t now) const {
    usage_snapshot s;
    s.kind = snapshot_kind::cumulative;
    s.start_time = start_time_;
    s.end_time = now;
    collect(s, /*claim=*/false);
    return s;
  }

  // The delta since the previous snapshot_and_reset() (or construction): [previous now, now). Keys
  // with no change are omitted. The counters are not modified; only the collector-side baselines advance.
  usage_snapshot snapshot_and_reset() { return snapshot_and_reset(unix_time_ns()); }
  usage_snapshot snapshot_and_reset(std::int64_t now) {
    usage_snapshot s;
    s.kind = snapshot_kind::delta;
    s.start_time = last_reset_.exchange(now, std::memory_order_relaxed);
    s.end_time = now;
    collect(s, /*claim=*/true);
    return s;
  }

  std::size_t size() const noexcept { return table_.size(); }
  std::size_t capacity() const noexcept { return table_.capacity(); }
  std::int64_t start_time() const noexcept { return start_time_; }
  // How many resolve() calls were redirected to the overflow key.
  std::uint64_t overflowed_resolves() const noexcept { return overflowed_.load(std::memory_order_relaxed); }
  const std::shared_ptr<const price_table>& prices() const noexcept { return options_.prices; }

  // Walks the table (O(keys)); safe to call while writers run.
  ledger_stats stats() const {
    ledger_stats out;
    out.bytes = sizeof(*this) + table_.slot_bytes() + sizeof(usage_detail::key_entry);
    table_.for_each([&](const usage_detail::key_entry& e) {
      ++out.keys;
      out.bytes += sizeof(e) + e.first.size() + e.second.size() + 1;
      bool contended = false;
      for (std::size_t t = 0; t < e.payload.tier_count(); ++t) {
        const usage_detail::striped_counters& c = e.payload.counters_of(t);
        if (t > 0) out.bytes += sizeof(c);
        contended = contended || c.striped();
        out.bytes += c.heap_bytes();
      }
      out.contended_keys += contended;
    });
    return out;
  }

 private:
  // The error of a refused record(), out of the hot path's way.
  [[gnu::cold, gnu::noinline]] static absl::Status refusal(bool valid_handle, const usage& u) {
    if (!valid_handle) return absl::InvalidArgumentError("ledger: default-constructed key_handle");
    return validate(u);
  }
  [[gnu::cold, gnu::noinline]] static absl::Status add_refusal(bool valid_handle, token_type t, std::uint64_t tokens) {
    if (valid_handle && static_cast<std::size_t>(t) >= token_type_count)
      return absl::InvalidArgumentError("ledger: token_type " + std::to_string(static_cast<std::size_t>(t)) +
                                        " is not one of the " + std::to_string(token_type_count) + " token types");
    return refusal(valid_handle, usage_of(t, tokens));
  }

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
      usage_row r;
      bool saturated = false;
      bool changed = false;
      for (std::size_t t = 0; t < e.payload.tier_count(); ++t) {
        usage_detail::striped_counters& c = e.payload.counters_of(t);
        usage_detail::counter_values total{};
        const usage_detail::counter_values v = claim ? c.claim_delta(total) : (total = c.sum());
        saturated = saturated || usage_detail::any_saturated(total);
        if (v == usage_detail::counter_values{}) continue;
        changed = true;
        add_tier(r, e.payload.price, t, v, saturated);
      }
      const bool is_overflow = &e == overflow_.get();
      if ((claim || is_overflow) && !changed) continue;
      r.tenant = e.first;
      r.model = e.second;
      if (e.payload.price) r.provider = e.payload.price->provider;
      r.overflow = saturated;
      s.rows.push_back(std::move(r));
    }
  }

  static void add_tier(usage_row& r, const model_price* price, std::size_t tier, const usage_detail::counter_values& v,
                       bool& saturated) {
    token_counts tokens{};
    for (std::size_t i = 0; i < token_type_count; ++i) {
      tokens[i] = v[i];
      r.tokens[i] = base::saturating_add(r.tokens[i], v[i], saturated);
    }
    r.requests = base::saturating_add(r.requests, v[usage_detail::field_requests], saturated);
    r.errors = base::saturating_add(r.errors, v[usage_detail::field_errors], saturated);
    r.cost = r.cost + compute_cost(price, tokens, tier);
  }

  ledger_options options_;
  usage_detail::intern_table<usage_detail::key_state> table_;
  std::unique_ptr<usage_detail::key_entry> overflow_;
  std::atomic<std::uint64_t> overflowed_{0};
  std::int64_t start_time_;
  std::atomic<std::int64_t> last_reset_;
};

}  // namespace tokenmaxx

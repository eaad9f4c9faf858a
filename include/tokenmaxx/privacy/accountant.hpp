// tokenmaxx/privacy/accountant.hpp: the privacy budget per time period, kept in a durable audit log.
//
// Every differentially private release spends privacy loss: epsilon, and for the Gaussian mechanism
// or private group selection also delta. Releases about the same people and time compose (their
// costs add), so a `privacy_accountant` holds one budget per *budget period*, a fixed slice of time
// (ISO weeks by default: [Monday 00:00 UTC, next Monday)), and refuses any spend that would take a
// period past it. Budgets are keyed by time, never by a name: a release over a window is charged in
// full to every budget period the window overlaps, so the same week under another label, or a daily
// window inside it, draws on the same budget. The accountant's memory is its audit log: `open()`
// replays the log, so a restarted job sees what earlier runs spent.
//
// Guarantees:
//  - Exact, atomic accounting: costs are integers (epsilon in millionths, delta in units of 1e-18);
//    check, log write, fsync and spend happen under one mutex, so concurrent releases never jointly
//    exceed a budget and the log order is the spending order.
//  - Durable: each spend and each refusal is one JSON line appended to the log and synced to disk
//    (fsync) before spend() returns; if that fails the spend is refused (Unavailable) and so is
//    every later one until the log is reopened. A crash after the sync loses the release, never
//    the charge.
//  - Restart-safe: open() verifies the whole log (one JSON object per line, sequence numbers, a
//    SHA-256 chain over the previous line, replayed totals) and refuses one that does not verify
//    (DataLoss) or that was created for another budget or calendar (FailedPrecondition). An
//    exclusive lock refuses a second accountant on the same log, in this or another process.
//  - Fixed fields only: a record holds times, integer costs, per-period totals, enum names, counts
//    and a SHA-256 of the released report; no caller text, no identifiers, no pseudonyms.
//  - Limits, said plainly: the chain has no key, so whoever can rewrite the file can forge it, and
//    cutting off its last lines is not detected; keep the log where releases cannot edit it.
//  - Thread safety: every member function is thread safe.
//
// Example:
//   absl::StatusOr<std::shared_ptr<tokenmaxx::privacy_accountant>> accountant = tokenmaxx::privacy_accountant::open(
//       {.audit_log_path = "privacy-audit.jsonl", .epsilon_per_period = 2.0, .delta_per_period = 1e-8});
//   if (!accountant.ok()) return accountant.status();  // DataLoss: a damaged log; FailedPrecondition: in use
//   // Hand *accountant to every adoption_aggregator; each release() then spends from it.
//   tokenmaxx::privacy_cost left = (*accountant)->remaining(std::chrono::system_clock::now());
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/privacy/detail/durable_file.hpp"
#include "tokenmaxx/privacy/detail/format.hpp"
#include "tokenmaxx/privacy/report.hpp"

namespace tokenmaxx {

// A privacy cost or budget in exact integer units.
struct privacy_cost {
  std::int64_t epsilon_millionths = 0;  // epsilon * 1e6
  std::int64_t delta_atto = 0;          // delta * 1e18

  double epsilon() const noexcept { return static_cast<double>(epsilon_millionths) / 1e6; }
  double delta() const noexcept { return static_cast<double>(delta_atto) / 1e18; }
  friend bool operator==(const privacy_cost&, const privacy_cost&) = default;

  // epsilon rounded to the nearest millionth (must be in (0, 1000]); delta rounded to the nearest
  // 1e-18 (must be in [0, 1)); noise is calibrated to the rounded values, so charge and use agree.
  // Anything else (NaN, infinite, negative, zero epsilon) is InvalidArgument.
  static absl::StatusOr<privacy_cost> from(double epsilon, double delta) {
    if (!std::isfinite(epsilon) || epsilon <= 0 || epsilon > 1000) {
      return absl::InvalidArgumentError("epsilon must be a finite number in (0, 1000], got " +
                                        privacy_detail::format_double(epsilon));
    }
    if (!std::isfinite(delta) || delta < 0 || delta >= 1) {
      return absl::InvalidArgumentError("delta must be a finite number in [0, 1), got " +
                                        privacy_detail::format_double(delta));
    }
    privacy_cost c;
    c.epsilon_millionths = std::llround(epsilon * 1e6);
    if (c.epsilon_millionths < 1) {
      return absl::InvalidArgumentError("epsilon below the resolution of 1e-6: " + privacy_detail::format_double(epsilon));
    }
    c.delta_atto = std::llround(delta * 1e18);
    return c;
  }
};

// One budget period: [start, end).
struct budget_period {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  friend bool operator==(const budget_period&, const budget_period&) = default;
};

// What a release published, as the audit log records it: fixed fields, no free text.
struct release_summary {
  noise_mechanism mechanism = noise_mechanism::laplace;
  std::vector<adoption_metric> metrics;
  bool public_groups = false;           // false: private partition selection
  std::int64_t min_group_size = 0;
  std::int64_t groups_released = 0;
  std::int64_t groups_suppressed = 0;
  base::sha256_digest report_sha256{};  // of to_json(report).dump()
  bool secure_randomness = true;        // false only for releases made by the test build
};

struct spend_request {
  std::chrono::system_clock::time_point window_start;  // the data the release is about: [start, end)
  std::chrono::system_clock::time_point window_end;
  privacy_cost cost;
  release_summary release;
};

class privacy_accountant {
 public:
  struct options {
    std::string audit_log_path;     // required; created (mode 0600) if missing, else replayed
    double epsilon_per_period = 0;  // required, in (0, 1000]
    double delta_per_period = 0;    // 0: only pure-epsilon releases (Laplace with public groups)
    std::chrono::seconds period_length = std::chrono::weeks(1);  // 1 minute .. 3660 days
    std::chrono::sys_seconds period_origin = std::chrono::sys_days(std::chrono::year(1970) / 1 / 5);  // a Monday
  };

  // Opens (creating if needed) the audit log, verifies it and replays its spends.
  static absl::StatusOr<std::shared_ptr<privacy_accountant>> open(const options& opt) {
    if (opt.audit_log_path.empty()) {
      return absl::InvalidArgumentError("privacy_accountant: an audit log path is required (the budget lives in it)");
    }
    absl::StatusOr<privacy_cost> budget = privacy_cost::from(opt.epsilon_per_period, opt.delta_per_period);
    if (!budget.ok()) return absl::InvalidArgumentError("privacy_accountant: " + std::string(budget.status().message()));
    if (opt.period_length < std::chrono::minutes(1) || opt.period_length > std::chrono::days(3660)) {
      return absl::InvalidArgumentError("privacy_accountant: period_length must be between 1 minute and 3660 days");
    }
    std::string contents;
    absl::StatusOr<privacy_detail::durable_file> file =
        privacy_detail::durable_file::open(opt.audit_log_path, contents, max_log_bytes);
    if (!file.ok()) return file.status();
    std::shared_ptr<privacy_accountant> acc(new privacy_accountant(*budget, opt, std::move(*file)));
    if (contents.empty()) {
      absl::Status st = acc->append_locked(acc->created_record());
      if (!st.ok()) return st;
    } else {
      absl::Status st = acc->replay(contents);
      if (!st.ok()) return st;
      st = acc->append_locked(acc->record("opened"));
      if (!st.ok()) return st;
    }
    return acc;
  }

  privacy_accountant(const privacy_accountant&) = delete;
  privacy_accountant& operator=(const privacy_accountant&) = delete;

  // Charges `r.cost` to every budget period that [window_start, window_end) overlaps, or to none.
  // ResourceExhausted (naming the period and what is left) when one would exceed its budget;
  // InvalidArgument for an empty or absurd window or a non-positive cost; Unavailable when the log
  // cannot be written. Refusals are logged too.
  absl::Status spend(const spend_request& r) {
    if (r.cost.epsilon_millionths < 0 || r.cost.delta_atto < 0 || (r.cost.epsilon_millionths == 0 && r.cost.delta_atto == 0)) {
      return absl::InvalidArgumentError("privacy_accountant: a spend must be positive");
    }
    if (r.release.groups_released < 0 || r.release.groups_suppressed < 0 || r.release.min_group_size < 0) {
      return absl::InvalidArgumentError("privacy_accountant: negative counts in the release summary");
    }
    absl::StatusOr<std::pair<std::int64_t, std::int64_t>> span = period_span(r.window_start, r.window_end);
    if (!span.ok()) return span.status();
    std::lock_guard<std::mutex> lock(mu_);
    if (!broken_.ok()) return broken_;
    std::optional<std::int64_t> over;
    for (std::int64_t i = span->first; i <= span->second && !over; ++i) {
      if (!fits(spent_at(i), r.cost)) over = i;
    }
    nlohmann::json rec = spend_record(r, *span, !over);
    absl::Status logged = append_locked(rec);
    if (over) {
      const privacy_cost left = minus(budget_, spent_at(*over));
      return absl::ResourceExhaustedError(
          "privacy budget exhausted for the period starting " + privacy_detail::format_time(period_start(*over)) +
          ": this release needs epsilon " + privacy_detail::format_double(r.cost.epsilon()) + ", delta " +
          privacy_detail::format_double(r.cost.delta()) + "; remaining epsilon " +
          privacy_detail::format_double(left.epsilon()) + ", delta " + privacy_detail::format_double(left.delta()));
    }
    if (!logged.ok()) return logged;
    for (std::int64_t i = span->first; i <= span->second; ++i) spent_[i] = plus(spent_at(i), r.cost);
    return absl::OkStatus();
  }

  privacy_cost budget() const noexcept { return budget_; }
  const std::string& audit_log_path() const noexcept { return file_.path(); }

  // The budget period containing `t`. (For a time so far from the origin that its period start is
  // not representable, the period is clamped to the end of the clock's range; no spend reaches it.)
  budget_period period_containing(std::chrono::system_clock::time_point t) const {
    const std::int64_t i = index_of(since_origin(t));
    return {period_start(i), period_start(i == std::numeric_limits<std::int64_t>::max() ? i : i + 1)};
  }

  // The budget periods a window [start, end) is charged to.
  absl::StatusOr<std::vector<budget_period>> periods_overlapping(std::chrono::system_clock::time_point start,
                                                                 std::chrono::system_clock::time_point end) const {
    absl::StatusOr<std::pair<std::int64_t, std::int64_t>> span = period_span(start, end);
    if (!span.ok()) return span.status();
    std::vector<budget_period> out;
    for (std::int64_t i = span->first; i <= span->second; ++i) out.push_back({period_start(i), period_start(i + 1)});
    return out;
  }

  // Spent and remaining in the budget period containing `t` (nothing is spent in a period beyond the
  // range spend() accepts).
  privacy_cost spent(std::chrono::system_clock::time_point t) const {
    std::lock_guard<std::mutex> lock(mu_);
    return spent_at(index_of(since_origin(t)));
  }
  privacy_cost remaining(std::chrono::system_clock::time_point t) const { return minus(budget_, spent(t)); }

 private:
  using ns = std::chrono::nanoseconds;
  static constexpr std::size_t max_log_bytes = std::size_t{1} << 30;
  static constexpr std::int64_t max_periods_per_spend = 10'000;
  static constexpr std::string_view schema = "tokenmaxx.privacy_audit.v1";

  privacy_accountant(privacy_cost budget, const options& opt, privacy_detail::durable_file file)
      : budget_(budget),
        length_ns_(std::chrono::duration_cast<ns>(opt.period_length).count()),
        origin_ns_(std::chrono::duration_cast<ns>(opt.period_origin.time_since_epoch()).count()),
        file_(std::move(file)) {}

  bool fits(const privacy_cost& spent, const privacy_cost& cost) const {
    const privacy_cost room = minus(budget_, spent);
    return cost.epsilon_millionths <= room.epsilon_millionths && cost.delta_atto <= room.delta_atto;
  }
  static privacy_cost plus(privacy_cost a, const privacy_cost& b) {
    return {a.epsilon_millionths + b.epsilon_millionths, a.delta_atto + b.delta_atto};
  }
  static privacy_cost minus(privacy_cost a, const privacy_cost& b) {
    return {a.epsilon_millionths - b.epsilon_millionths, a.delta_atto - b.delta_atto};
  }

  privacy_cost spent_at(std::int64_t i) const {
    auto it = spent_.find(i);
    return it == spent_.end() ? privacy_cost{} : it->second;
  }

  // Nanoseconds from the origin, or nullopt when the subtraction overflows.
  std::optional<std::int64_t> checked_since_origin(std::chrono::system_clock::time_point t) const {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(std::chrono::duration_cast<ns>(t.time_since_epoch()).count(), origin_ns_, &out)) return std::nullopt;
    return out;
  }
  // The same, saturated: a time too far from the origin lands in a period no spend can reach
  // (period_span refuses windows beyond 2^62 ns), never in the origin's period.
  std::int64_t since_origin(std::chrono::system_clock::time_point t) const {
    if (std::optional<std::int64_t> v = checked_since_origin(t)) return *v;
    return std::chrono::duration_cast<ns>(t.time_since_epoch()).count() > origin_ns_
               ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
  }
  std::int64_t index_of(std::int64_t since) const {
    const std::int64_t q = since / length_ns_;
    return (since % length_ns_ != 0 && since < 0) ? q - 1 : q;  // floor division
  }
  // Saturates at the ends of the representable range (only a query far outside any spend gets there).
  std::chrono::system_clock::time_point period_start(std::int64_t i) const {
    std::int64_t offset = 0, at = 0;
    if (__builtin_mul_overflow(i, length_ns_, &offset) || __builtin_add_overflow(origin_ns_, offset, &at))
      at = i < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(ns(at)));
  }

  // First and last budget period index that [start, end) overlaps.
  absl::StatusOr<std::pair<std::int64_t, std::int64_t>> period_span(std::chrono::system_clock::time_point start,
                                                                      std::chrono::system_clock::time_point end) const {
    if (!(start < end)) return absl::InvalidArgumentError("privacy_accountant: the window must end after it starts");
    const std::optional<std::int64_t> s = checked_since_origin(start), e = checked_since_origin(end);
    constexpr std::int64_t limit = std::int64_t{1} << 62;  // keeps period starts representable
    if (!s || !e || *s < -limit || *e > limit) {
      return absl::InvalidArgumentError("privacy_accountant: the window is out of range");
    }
    const std::int64_t first = index_of(*s), last = index_of(*e - 1);
    if (last - first + 1 > max_periods_per_spend) {
      return absl::InvalidArgumentError("privacy_accountant: the window spans more than " +
                                        std::to_string(max_periods_per_spend) + " budget periods");
    }
    return std::pair{first, last};
  }

  // ---- the log -------------------------------------------------------------------------------

  nlohmann::json record(std::string_view event) const {
    return {{"seq", seq_},
            {"prev", prev_hash_},
            {"event", event},
            {"time", privacy_detail::format_time(std::chrono::system_clock::now())}};
  }

  nlohmann::json created_record() const {
    nlohmann::json r = record("created");
    r["schema"] = schema;
    r["epsilon_per_period_millionths"] = budget_.epsilon_millionths;
    r["delta_per_period_atto"] = budget_.delta_atto;
    r["epsilon_per_period"] = budget_.epsilon();
    r["delta_per_period"] = budget_.delta();
    r["period_length_ns"] = length_ns_;
    r["period_origin_unix_ns"] = origin_ns_;
    r["period_origin"] = privacy_detail::format_time(period_start(0));
    return r;
  }

  nlohmann::json spend_record(const spend_request& r, std::pair<std::int64_t, std::int64_t> span, bool granted) const {
    nlohmann::json rec = record(granted ? "release" : "refused");
    rec["window_unix_ns"] = {std::chrono::duration_cast<ns>(r.window_start.time_since_epoch()).count(),
                             std::chrono::duration_cast<ns>(r.window_end.time_since_epoch()).count()};
    rec["window"] = {privacy_detail::format_time(r.window_start), privacy_detail::format_time(r.window_end)};
    rec["epsilon_millionths"] = r.cost.epsilon_millionths;
    rec["delta_atto"] = r.cost.delta_atto;
    rec["epsilon"] = r.cost.epsilon();
    rec["delta"] = r.cost.delta();
    nlohmann::json periods = nlohmann::json::array();
    for (std::int64_t i = span.first; i <= span.second; ++i) {
      const privacy_cost after = granted ? plus(spent_at(i), r.cost) : spent_at(i);
      periods.push_back({{"start", privacy_detail::format_time(period_start(i))},
                         {"index", i},
                         {"epsilon_spent_millionths", after.epsilon_millionths},
                         {"delta_spent_atto", after.delta_atto}});
    }
    rec["periods"] = std::move(periods);
    const release_summary& s = r.release;
    nlohmann::json metrics = nlohmann::json::array();
    for (adoption_metric m : s.metrics) metrics.push_back(metric_name(m));
    rec["mechanism"] = mechanism_name(s.mechanism);
    rec["metrics"] = std::move(metrics);
    rec["group_selection"] = s.public_groups ? "public_list" : "private_threshold";
    rec["min_group_size"] = s.min_group_size;
    rec["groups_released"] = s.groups_released;
    rec["groups_suppressed"] = s.groups_suppressed;
    rec["report_sha256"] = base::to_hex(s.report_sha256);
    rec["secure_randomness"] = s.secure_randomness;
    return rec;
  }

  // Appends one record; the caller holds mu_ (or is open(), before anyone else can see *this).
  absl::Status append_locked(const nlohmann::json& rec) {
    const std::string line = rec.dump();
    absl::Status st = file_.append(line + "\n");
    if (!st.ok()) {
      broken_ = absl::UnavailableError(std::string(st.message()) + "; the accountant refuses to spend until reopened");
      return broken_;
    }
    prev_hash_ = base::sha256_hex(line);
    ++seq_;
    return absl::OkStatus();
  }

  static bool get_int(const nlohmann::json& j, const char* key, std::int64_t& out) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    out = it->get<std::int64_t>();
    return true;
  }

  // Verifies every line and rebuilds spent_; DataLoss (naming the line) on the first that fails.
  absl::Status replay(const std::string& contents) {
    const auto bad = [&](std::int64_t line, const std::string& why) {
      return absl::DataLossError("audit log '" + file_.path() + "' does not verify at line " + std::to_string(line) +
                                 ": " + why + "; the accountant refuses to start (restore the log or investigate)");
    };
    if (contents.back() != '\n') return bad(std::count(contents.begin(), contents.end(), '\n') + 1, "the last line is incomplete");
    std::size_t pos = 0;
    while (pos < contents.size()) {
      const std::size_t end = contents.find('\n', pos);
      const std::string_view line(contents.data() + pos, end - pos);
      pos = end + 1;
      const std::int64_t number = seq_ + 1;
      const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      std::int64_t seq = -1;
      if (j.is_discarded() || !j.is_object()) return bad(number, "not a JSON object");
      if (!get_int(j, "seq", seq) || seq != seq_) return bad(number, "sequence number out of order");
      const auto prev = j.find("prev");
      if (prev == j.end() || !prev->is_string() || prev->get<std::string>() != prev_hash_) {
        return bad(number, "the SHA-256 chain is broken (a line before it was changed, removed or inserted)");
      }
      const auto event = j.find("event");
      if (event == j.end() || !event->is_string()) return bad(number, "no event");
      const std::string ev = event->get<std::string>();
      if (seq_ == 0) {
        if (ev != "created") return bad(number, "the first record must be the 'created' header");
        absl::Status st = check_header(j);
        if (!st.ok()) return st.code() == absl::StatusCode::kFailedPrecondition ? st : bad(number, std::string(st.message()));
      } else if (ev == "release" || ev == "refused") {
        absl::Status st = replay_spend(j, ev == "release");
        if (!st.ok()) return bad(number, std::string(st.message()));
      } else if (ev != "opened") {
        return bad(number, "unknown event '" + ev.substr(0, 32) + "'");
      }
      prev_hash_ = base::sha256_hex(line);
      ++seq_;
    }
    return absl::OkStatus();
  }

  absl::Status check_header(const nlohmann::json& j) const {
    std::int64_t eps = 0, delta = 0, length = 0, origin = 0;
    const auto sc = j.find("schema");
    if (sc == j.end() || !sc->is_string() || sc->get<std::string>() != schema) return absl::InvalidArgumentError("unknown schema");
    if (!get_int(j, "epsilon_per_period_millionths", eps) || !get_int(j, "delta_per_period_atto", delta) ||
        !get_int(j, "period_length_ns", length) || !get_int(j, "period_origin_unix_ns", origin)) {
      return absl::InvalidArgumentError("the header lacks the budget");
    }
    if (eps != budget_.epsilon_millionths || delta != budget_.delta_atto || length != length_ns_ || origin != origin_ns_) {
      return absl::FailedPreconditionError(
          "audit log '" + file_.path() + "' was created for epsilon " + privacy_detail::format_double(static_cast<double>(eps) / 1e6) +
          ", delta " + privacy_detail::format_double(static_cast<double>(delta) / 1e18) + " per period of " +
          std::to_string(length / 1'000'000'000) + " s; this accountant was opened with epsilon " +
          privacy_detail::format_double(budget_.epsilon()) + ", delta " + privacy_detail::format_double(budget_.delta()) +
          " per period of " + std::to_string(length_ns_ / 1'000'000'000) + " s (start a new log to change the budget)");
    }
    return absl::OkStatus();
  }

  absl::Status replay_spend(const nlohmann::json& j, bool granted) {
    privacy_cost cost;
    const auto window = j.find("window_unix_ns");
    const auto periods = j.find("periods");
    if (!get_int(j, "epsilon_millionths", cost.epsilon_millionths) || !get_int(j, "delta_atto", cost.delta_atto) ||
        window == j.end() || !window->is_array() || window->size() != 2 || !(*window)[0].is_number_integer() ||
        !(*window)[1].is_number_integer() || periods == j.end() || !periods->is_array()) {
      return absl::InvalidArgumentError("a spend record lacks its cost, window or periods");
    }
    if (cost.epsilon_millionths < 0 || cost.delta_atto < 0) return absl::InvalidArgumentError("a negative cost");
    const auto at = [](std::int64_t n) {
      return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(ns(n)));
    };
    absl::StatusOr<std::pair<std::int64_t, std::int64_t>> span =
        period_span(at((*window)[0].get<std::int64_t>()), at((*window)[1].get<std::int64_t>()));
    if (!span.ok()) return span.status();
    if (static_cast<std::int64_t>(periods->size()) != span->second - span->first + 1) {
      return absl::InvalidArgumentError("the periods listed do not match the window");
    }
    bool all_fit = true;
    for (std::int64_t i = span->first; i <= span->second; ++i) all_fit = all_fit && fits(spent_at(i), cost);
    if (granted != all_fit) {
      return absl::InvalidArgumentError(granted ? "a release that exceeds the budget" : "a refusal of a spend that fits");
    }
    for (std::int64_t i = span->first; i <= span->second; ++i) {
      const nlohmann::json& p = (*periods)[static_cast<std::size_t>(i - span->first)];
      privacy_cost after;
      std::int64_t index = 0;
      if (!p.is_object() || !get_int(p, "index", index) || !get_int(p, "epsilon_spent_millionths", after.epsilon_millionths) ||
          !get_int(p, "delta_spent_atto", after.delta_atto) || index != i) {
        return absl::InvalidArgumentError("a period entry is malformed or out of place");
      }
      const privacy_cost expected = granted ? plus(spent_at(i), cost) : spent_at(i);
      if (after != expected) return absl::InvalidArgumentError("the recorded totals differ from the replayed ones");
    }
    if (granted) {
      for (std::int64_t i = span->first; i <= span->second; ++i) spent_[i] = plus(spent_at(i), cost);
    }
    return absl::OkStatus();
  }

  const privacy_cost budget_;
  const std::int64_t length_ns_;
  const std::int64_t origin_ns_;
  privacy_detail::durable_file file_;

  mutable std::mutex mu_;
  std::map<std::int64_t, privacy_cost> spent_;  // by budget period index
  std::int64_t seq_ = 0;
  std::string prev_hash_ = std::string(64, '0');
  absl::Status broken_;
};

}  // namespace tokenmaxx

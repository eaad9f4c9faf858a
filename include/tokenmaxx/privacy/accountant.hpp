// tokenmaxx/privacy/accountant.hpp: the per-period privacy budget and its append-only audit log.
//
// Every differentially private release spends privacy loss: epsilon, and for the Gaussian mechanism
// or private group selection also delta. Releases about the same period compose (their costs add),
// so a `privacy_accountant` holds one budget per period label and refuses any release that would
// take a period past it. The privacy unit is "a person in a period": a budget bounds what all
// releases about one period together can reveal about any one person's activity in that period.
//
// Guarantees:
//   * Exact, atomic accounting: costs are integers (epsilon in millionths, delta in units of 1e-18),
//     so no rounding drifts; check-and-spend happens under one mutex, so concurrent releases can
//     never jointly exceed a budget, whatever their interleaving.
//   * A refused spend changes nothing and returns absl::ResourceExhaustedError naming the period,
//     the request and what is left.
//   * When an `audit_log` is attached, every spend and every refusal is appended to it as one JSON
//     line (time, period, epsilon, delta, totals so far, and what was released: dimensions, metrics,
//     number of groups, mechanism, a SHA-256 of the released report), written while the lock is
//     held, so the log order is the spending order. The log holds no identifiers and no pseudonyms:
//     tokenmaxx writes it, callers cannot append free text. If the log cannot be written the spend
//     is rolled back and refused: nothing is released without its audit record.
//
// Thread safety: all member functions of `privacy_accountant` and `audit_log` are thread safe.
//
// Example:
//   std::ofstream log_file("privacy-audit.jsonl", std::ios::app);
//   tokenmaxx::audit_log audit(log_file);
//   auto accountant = tokenmaxx::privacy_accountant::create({.epsilon_per_period = 2.0,
//                                                            .delta_per_period = 1e-8, .log = &audit});
//   // pass *accountant to adoption_aggregator; each release() then spends from it
//   tokenmaxx::privacy_cost left = (*accountant)->remaining("2025-W14");
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/privacy/detail/format.hpp"

namespace tokenmaxx {

// A privacy cost or budget in exact integer units.
struct privacy_cost {
  std::int64_t epsilon_millionths = 0;  // epsilon * 1e6
  std::int64_t delta_atto = 0;          // delta * 1e18

  double epsilon() const noexcept { return static_cast<double>(epsilon_millionths) / 1e6; }
  double delta() const noexcept { return static_cast<double>(delta_atto) / 1e18; }
  friend bool operator==(const privacy_cost&, const privacy_cost&) = default;

  // epsilon rounded to the nearest millionth (must be in (0, 1000]); delta rounded to the nearest
  // 1e-18 (must be in [0, 1)); the noise is calibrated to these rounded values, so charge and use agree. Anything else (NaN, infinite, negative, zero epsilon) is an error.
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
      return absl::InvalidArgumentError("epsilon below the resolution of 1e-6: " +
                                        privacy_detail::format_double(epsilon));
    }
    c.delta_atto = std::llround(delta * 1e18);
    return c;
  }
};

class privacy_accountant;

// An append-only JSON-lines audit log over a caller-supplied stream or a file opened for appending.
class audit_log {
 public:
  // Writes to `out`, which must outlive the log.
  explicit audit_log(std::ostream& out) : out_(&out) {}

  // Opens (creating if needed) `path` in append mode.
  static absl::StatusOr<std::unique_ptr<audit_log>> open_file(const std::string& path) {
    auto file = std::make_unique<std::ofstream>(path, std::ios::out | std::ios::app | std::ios::binary);
    if (!file->is_open()) {
      return absl::InvalidArgumentError("audit_log: cannot open '" + path + "' for appending");
    }
    std::unique_ptr<audit_log> log(new audit_log(*file));
    log->owned_ = std::move(file);
    return log;
  }

  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

 private:
  friend class privacy_accountant;

  // One record, one line, flushed. False if the stream failed.
  bool append(const nlohmann::json& record) {
    std::lock_guard<std::mutex> lock(mu_);
    (*out_) << record.dump() << '\n';
    out_->flush();
    return static_cast<bool>(*out_);
  }

  std::mutex mu_;
  std::ostream* out_;
  std::unique_ptr<std::ofstream> owned_;
};

class privacy_accountant {
 public:
  struct options {
    double epsilon_per_period = 0;  // required, > 0
    double delta_per_period = 0;    // 0: only pure-epsilon releases (Laplace, public groups)
    audit_log* log = nullptr;       // optional; must outlive the accountant
  };

  static absl::StatusOr<std::shared_ptr<privacy_accountant>> create(const options& opt) {
    absl::StatusOr<privacy_cost> budget = privacy_cost::from(opt.epsilon_per_period, opt.delta_per_period);
    if (!budget.ok()) {
      return absl::InvalidArgumentError("privacy_accountant: " + std::string(budget.status().message()));
    }
    return std::shared_ptr<privacy_accountant>(new privacy_accountant(*budget, opt.log));
  }

  // Atomically spends `cost` from `period`'s budget, or refuses without spending. `what` describes
  // the release for the audit log (built by tokenmaxx; holds no identifiers).
  absl::Status spend(std::string_view period, const privacy_cost& cost, const nlohmann::json& what = {}) {
    if (period.empty()) return absl::InvalidArgumentError("privacy_accountant: empty period label");
    if (cost.epsilon_millionths < 0 || cost.delta_atto < 0 ||
        (cost.epsilon_millionths == 0 && cost.delta_atto == 0)) {
      return absl::InvalidArgumentError("privacy_accountant: a spend must be positive");
    }
    std::lock_guard<std::mutex> lock(mu_);
    privacy_cost& spent = spent_[std::string(period)];
    const bool fits = cost.epsilon_millionths <= budget_.epsilon_millionths - spent.epsilon_millionths &&
                      cost.delta_atto <= budget_.delta_atto - spent.delta_atto;
    nlohmann::json rec = {
        {"time", privacy_detail::format_time(std::chrono::system_clock::now())},
        {"event", fits ? "release" : "refused"},
        {"period", std::string(period)},
        {"epsilon", cost.epsilon()},
        {"delta", cost.delta()},
        {"period_epsilon_spent", static_cast<double>(fits ? spent.epsilon_millionths + cost.epsilon_millionths
                                                          : spent.epsilon_millionths) / 1e6},
        {"period_delta_spent", static_cast<double>(fits ? spent.delta_atto + cost.delta_atto : spent.delta_atto) / 1e18},
        {"period_epsilon_budget", budget_.epsilon()},
        {"period_delta_budget", budget_.delta()},
    };
    if (!what.is_null()) rec["release"] = what;
    if (!fits) {
      if (log_ != nullptr) log_->append(rec);
      return absl::ResourceExhaustedError(
          "privacy budget exhausted for period '" + std::string(period) + "': this release needs epsilon " +
          privacy_detail::format_double(cost.epsilon()) + ", delta " + privacy_detail::format_double(cost.delta()) +
          "; remaining epsilon " +
          privacy_detail::format_double(static_cast<double>(budget_.epsilon_millionths - spent.epsilon_millionths) / 1e6) +
          ", delta " + privacy_detail::format_double(static_cast<double>(budget_.delta_atto - spent.delta_atto) / 1e18));
    }
    if (log_ != nullptr && !log_->append(rec)) {
      return absl::UnavailableError("privacy_accountant: the audit log could not be written; release refused");
    }
    spent.epsilon_millionths += cost.epsilon_millionths;
    spent.delta_atto += cost.delta_atto;
    return absl::OkStatus();
  }

  privacy_cost budget() const noexcept { return budget_; }

  privacy_cost spent(std::string_view period) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = spent_.find(std::string(period));
    return it == spent_.end() ? privacy_cost{} : it->second;
  }

  privacy_cost remaining(std::string_view period) const {
    const privacy_cost s = spent(period);
    return {budget_.epsilon_millionths - s.epsilon_millionths, budget_.delta_atto - s.delta_atto};
  }

 private:
  privacy_accountant(privacy_cost budget, audit_log* log) : budget_(budget), log_(log) {}

  const privacy_cost budget_;
  audit_log* const log_;
  mutable std::mutex mu_;
  std::map<std::string, privacy_cost, std::less<>> spent_;
};

}  // namespace tokenmaxx

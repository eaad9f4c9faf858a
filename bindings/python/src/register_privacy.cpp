// Privacy-preserving adoption metrics for Python: master keys, the privacy accountant (its budget
// lives in a durable audit log), the adoption aggregator and its released reports. Only what
// privacy/aggregator.hpp releases is reachable: no binding returns anything about one person, and
// no binding accepts a source of randomness (every release draws from OpenSSL's CSPRNG).
//
// Times cross the boundary as integer nanoseconds since the Unix epoch (tokenmaxx/privacy.py
// converts timezone-aware datetimes). absl::Status errors become exceptions as raise_status in
// common.hpp says; a spent budget (ResourceExhausted) is tokenmaxx._core.privacy.PrivacyBudgetError.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/privacy/accountant.hpp"
#include "tokenmaxx/privacy/aggregator.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"
#include "tokenmaxx/privacy/report.hpp"
#include "tokenmaxx/privacy/report_format.hpp"

#include "common.hpp"

namespace py = pybind11;
using namespace tokenmaxx;

namespace {

PyObject* g_budget_error = nullptr;

void check(const absl::Status& s) { tokenmaxx_python::check_status(s, g_budget_error); }

template <class T>
T value_or_raise(absl::StatusOr<T> v) {
  return tokenmaxx_python::value_or_raise_status(std::move(v), g_budget_error);
}

std::chrono::system_clock::time_point from_ns(std::int64_t ns) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns)));
}
std::int64_t to_ns(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

py::tuple cost_tuple(const privacy_cost& c) { return py::make_tuple(c.epsilon(), c.delta()); }

py::object noisy(const std::optional<noisy_value>& v) {
  if (!v) return py::none();
  py::dict d;
  d["value"] = v->value;
  d["ci_low"] = v->ci_low;
  d["ci_high"] = v->ci_high;
  d["noise_scale"] = v->noise_scale;
  return d;
}

py::dict row_dict(const report_row& row) {
  py::dict d;
  d["group"] = py::tuple(py::cast(row.group));
  d["suppressed"] = row.suppressed;
  d["active_people"] = noisy(row.active_people);
  d["tokens"] = noisy(row.tokens);
  d["requests"] = noisy(row.requests);
  d["cost_micros"] = noisy(row.cost_micros);
  if (row.adoption_share) {
    py::dict s;
    s["value"] = row.adoption_share->value;
    s["ci_low"] = row.adoption_share->ci_low;
    s["ci_high"] = row.adoption_share->ci_high;
    s["headcount"] = row.adoption_share->headcount;
    d["adoption_share"] = s;
  } else {
    d["adoption_share"] = py::none();
  }
  return d;
}

}  // namespace

void register_privacy(py::module_& m) {
  g_budget_error = PyErr_NewExceptionWithDoc(
      "tokenmaxx._core.privacy.PrivacyBudgetError",
      "A release would exceed the budget of a period it overlaps (or another hard limit was reached); nothing was released.",
      PyExc_RuntimeError, nullptr);
  m.attr("PrivacyBudgetError") = py::handle(g_budget_error);

  py::class_<master_key>(m, "MasterKey", "The secret from which per-period pseudonym keys are derived (32 bytes).")
      .def_static("generate", [] { return value_or_raise(master_key::generate()); }, "A fresh key from OpenSSL's CSPRNG.")
      .def_static(
          "from_bytes",
          [](const py::bytes& b) {
            const std::string_view s(b);
            return value_or_raise(master_key::from_bytes(
                std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(s.data()), s.size())));
          },
          py::arg("data"), "A key loaded from secret storage: exactly 32 bytes, not all equal (ValueError otherwise).")
      .def(
          "secret_bytes",
          [](const master_key& k) {
            auto b = k.bytes();
            return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
          },
          "The 32 secret bytes, to store in a secret manager (anyone holding them can link pseudonyms).")
      .def("__repr__", [](const master_key&) { return std::string("<MasterKey (secret)>"); });

  py::class_<privacy_accountant, std::shared_ptr<privacy_accountant>>(
      m, "PrivacyAccountant", "The (epsilon, delta) budget per time period, kept in a durable audit log.")
      .def(py::init([](const std::string& audit_log_path, double epsilon_per_period, double delta_per_period,
                       std::int64_t period_length_s, std::int64_t period_origin_s) {
             return value_or_raise(privacy_accountant::open({.audit_log_path = audit_log_path,
                                                             .epsilon_per_period = epsilon_per_period,
                                                             .delta_per_period = delta_per_period,
                                                             .period_length = std::chrono::seconds(period_length_s),
                                                             .period_origin = std::chrono::sys_seconds(std::chrono::seconds(period_origin_s))}));
           }),
           py::arg("audit_log_path"), py::arg("epsilon_per_period"), py::arg("delta_per_period") = 0.0, py::kw_only(),
           py::arg("period_length_s") = 604'800, py::arg("period_origin_s") = 345'600,
           "Opens (creating if needed) the audit log, verifies it and replays its spends. ValueError for a log "
           "that does not verify or was created for another budget, or one in use by another accountant.")
      .def_property_readonly("budget", [](const privacy_accountant& a) { return cost_tuple(a.budget()); },
                             "(epsilon, delta) per budget period.")
      .def_property_readonly("audit_log_path", &privacy_accountant::audit_log_path, "The audit log holding the budget.")
      .def(
          "spent", [](const privacy_accountant& a, std::int64_t when_ns) { return cost_tuple(a.spent(from_ns(when_ns))); },
          py::arg("when_ns"), "(epsilon, delta) spent in the budget period containing `when_ns`.")
      .def(
          "remaining",
          [](const privacy_accountant& a, std::int64_t when_ns) { return cost_tuple(a.remaining(from_ns(when_ns))); },
          py::arg("when_ns"), "(epsilon, delta) left in the budget period containing `when_ns`.")
      .def(
          "period_containing",
          [](const privacy_accountant& a, std::int64_t when_ns) {
            const budget_period p = a.period_containing(from_ns(when_ns));
            return py::make_tuple(to_ns(p.start), to_ns(p.end));
          },
          py::arg("when_ns"), "(start_ns, end_ns) of the budget period containing `when_ns`.");

  py::class_<adoption_report>(m, "AdoptionReport", "A released report: noisy totals per group, never per person.")
      .def_readonly("period", &adoption_report::period, "The label of the release window.")
      .def_readonly("dimensions", &adoption_report::dimensions, "The dimension names, e.g. ['team', 'workflow'].")
      .def_property_readonly("window_start_ns", [](const adoption_report& r) { return to_ns(r.window_start); },
                             "Start of the release window, ns since the Unix epoch.")
      .def_property_readonly("window_end_ns", [](const adoption_report& r) { return to_ns(r.window_end); },
                             "End of the release window (exclusive), ns since the Unix epoch.")
      .def_property_readonly(
          "rows",
          [](const adoption_report& r) {
            py::list rows;
            for (const report_row& row : r.rows) rows.append(row_dict(row));
            return rows;
          },
          "One dict per group: group, suppressed, active_people, tokens, requests, cost_micros "
          "(each {value, ci_low, ci_high, noise_scale} or None) and adoption_share.")
      .def_property_readonly("secure_randomness", [](const adoption_report& r) { return r.privacy.secure_randomness; },
                             "True: the noise came from OpenSSL's CSPRNG (always, outside the C++ test build).")
      .def_property_readonly("epsilon", [](const adoption_report& r) { return r.privacy.epsilon; }, "Epsilon charged.")
      .def_property_readonly("delta", [](const adoption_report& r) { return r.privacy.delta; }, "Delta charged.")
      .def_property_readonly("selection_threshold", [](const adoption_report& r) { return r.privacy.selection_threshold; },
                             "Private selection: the noisy count a group needed to appear (0 with public groups).")
      .def("to_json", [](const adoption_report& r) { return to_json(r).dump(); }, "The report as a JSON document.")
      .def("to_text", [](const adoption_report& r) { return to_text(r); }, "The report as a readable table.");

  py::class_<adoption_aggregator, std::shared_ptr<adoption_aggregator>>(
      m, "AdoptionAggregator", "Collects raw usage events of one window and releases only privacy-protected reports.")
      .def(py::init([](std::vector<std::string> dimensions, std::string period, std::int64_t window_start_ns,
                       std::int64_t window_end_ns, std::shared_ptr<privacy_accountant> accountant, const master_key& key,
                       std::int64_t min_group_size, std::int64_t max_groups_per_person, std::int64_t max_tokens,
                       std::int64_t max_requests, std::int64_t max_cost_micros, bool stable_pseudonyms) {
             if (!accountant) throw py::value_error("a PrivacyAccountant is required");
             pseudonymizer p = value_or_raise(pseudonymizer::create(
                 key, period, stable_pseudonyms ? key_rotation::stable : key_rotation::per_period));
             aggregator_options o;
             o.dimensions = std::move(dimensions);
             o.period = std::move(period);
             o.window_start = from_ns(window_start_ns);
             o.window_end = from_ns(window_end_ns);
             o.bounds = {max_groups_per_person, max_tokens, max_requests, max_cost_micros};
             o.min_group_size = min_group_size;
             o.accountant = std::move(accountant);
             std::unique_ptr<adoption_aggregator> a = value_or_raise(adoption_aggregator::create(std::move(o), std::move(p)));
             return std::shared_ptr<adoption_aggregator>(std::move(a));
           }),
           py::arg("dimensions"), py::arg("period"), py::arg("window_start_ns"), py::arg("window_end_ns"),
           py::arg("accountant"), py::arg("key"), py::kw_only(), py::arg("min_group_size") = 5,
           py::arg("max_groups_per_person") = contribution_bounds{}.max_groups_per_person,
           py::arg("max_tokens") = contribution_bounds{}.max_tokens,
           py::arg("max_requests") = contribution_bounds{}.max_requests,
           py::arg("max_cost_micros") = contribution_bounds{}.max_cost_micros, py::arg("stable_pseudonyms") = false,
           "An aggregator for one window [window_start_ns, window_end_ns), budgeted by `accountant`.")
      .def(
          "add",
          [](adoption_aggregator& a, std::string_view person_id, const std::vector<std::string>& group,
             std::int64_t time_ns, std::int64_t tokens, std::int64_t requests, std::int64_t cost_micros) {
            std::vector<std::string_view> g(group.begin(), group.end());
            usage_event e{person_id, std::span<const std::string_view>(g), tokens, requests, cost_micros, from_ns(time_ns)};
            check(a.add(e));
          },
          py::arg("person_id"), py::arg("group"), py::arg("time_ns"), py::kw_only(), py::arg("tokens") = 0,
          py::arg("requests") = 0, py::arg("cost_micros") = 0,
          "Ingests one event; the person id is pseudonymized at once and never stored.")
      .def(
          "release",
          [](adoption_aggregator& a, double epsilon, double delta, const std::string& mechanism, bool tokens,
             bool requests, bool cost, std::optional<std::vector<std::vector<std::string>>> public_groups,
             std::map<std::vector<std::string>, std::int64_t> headcount, double confidence) {
            release_options r;
            r.epsilon = epsilon;
            r.delta = delta;
            if (mechanism == "laplace") r.mechanism = noise_mechanism::laplace;
            else if (mechanism == "gaussian") r.mechanism = noise_mechanism::gaussian;
            else throw py::value_error("mechanism must be 'laplace' or 'gaussian', not '" + mechanism + "'");
            r.tokens = tokens;
            r.requests = requests;
            r.cost = cost;
            r.public_groups = std::move(public_groups);
            r.headcount = std::move(headcount);
            r.confidence = confidence;
            absl::StatusOr<adoption_report> report = [&] {
              py::gil_scoped_release release;
              return a.release(r);
            }();
            return value_or_raise(std::move(report));
          },
          py::kw_only(), py::arg("epsilon") = release_options{}.epsilon, py::arg("delta") = release_options{}.delta,
          py::arg("mechanism") = "laplace", py::arg("tokens") = release_options{}.tokens,
          py::arg("requests") = release_options{}.requests, py::arg("cost") = release_options{}.cost,
          py::arg("public_groups") = py::none(), py::arg("headcount") = std::map<std::vector<std::string>, std::int64_t>{},
          py::arg("confidence") = release_options{}.confidence,
          "Releases the report with noise from OpenSSL's CSPRNG, charging (epsilon, delta) to every budget "
          "period the window overlaps before returning it.");
}

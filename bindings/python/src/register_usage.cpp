// The usage ledger for Python: price tables, the lock-free ledger with key handles, snapshots that
// merge, subtract, serialise and export (Prometheus text, OTLP JSON). absl::Status errors become
// exceptions as raise_status in common.hpp says; a full table (ResourceExhausted) is
// tokenmaxx._core.usage.LedgerFullError.
//
// All writes to a ledger come from this one extension module, so the per-thread slots that
// ledger.hpp keeps in inline variables have a single copy (its documented requirement).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/usage.hpp"
#include "tokenmaxx/usage/export.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

#include "common.hpp"

namespace py = pybind11;
using namespace tokenmaxx;

namespace {

PyObject* g_ledger_full_error = nullptr;

void check(const absl::Status& s) { tokenmaxx_python::check_status(s, g_ledger_full_error); }

template <class T>
T value_or_raise(absl::StatusOr<T> v) {
  return tokenmaxx_python::value_or_raise_status(std::move(v), g_ledger_full_error);
}

const char* kind_name(snapshot_kind k) { return k == snapshot_kind::delta ? "delta" : "cumulative"; }

snapshot_kind kind_of(const std::string& name) {
  if (name == "cumulative") return snapshot_kind::cumulative;
  if (name == "delta") return snapshot_kind::delta;
  throw py::value_error("snapshot kind must be 'cumulative' or 'delta', not '" + name + "'");
}

// A key handle that remembers which ledger made it (handles are only valid for their ledger).
struct py_key {
  key_handle handle;
  const ledger* owner;
};

usage make_usage(std::uint64_t input, std::uint64_t cached_input, std::uint64_t cache_creation, std::uint64_t output,
                 std::uint64_t reasoning, std::uint64_t requests, std::uint64_t errors) {
  return usage{input, cached_input, cache_creation, output, reasoning, requests, errors};
}

#define TOKENMAXX_USAGE_ARGS                                                                                  \
  py::kw_only(), py::arg("input") = 0, py::arg("cached_input") = 0, py::arg("cache_creation") = 0,           \
      py::arg("output") = 0, py::arg("reasoning") = 0, py::arg("requests") = 0, py::arg("errors") = 0

}  // namespace

void register_usage(py::module_& m) {
  g_ledger_full_error = PyErr_NewExceptionWithDoc(
      "tokenmaxx._core.usage.LedgerFullError", "The ledger holds `capacity` keys and its policy is to refuse new ones.",
      PyExc_RuntimeError, nullptr);
  m.attr("LedgerFullError") = py::handle(g_ledger_full_error);

  m.attr("TOKEN_TYPES") = [] {
    py::list names;
    for (token_type t : all_token_types) names.append(std::string(token_type_name(t)));
    return py::tuple(names);
  }();

  py::class_<price_table, std::shared_ptr<price_table>>(m, "PriceTable",
                                                         "Prices per model in micro-units of currency per million tokens.")
      .def(py::init<>())
      .def_static(
          "from_litellm_json",
          [](const std::string& text) { return std::make_shared<price_table>(value_or_raise(price_table::from_litellm_json(text))); },
          py::arg("text"), "A table from LiteLLM's model_prices_and_context_window.json format.")
      .def_static(
          "load_litellm_file",
          [](const std::string& path) { return std::make_shared<price_table>(value_or_raise(price_table::load_litellm_file(path))); },
          py::arg("path"))
      .def(
          "set",
          [](price_table& t, const std::string& model, std::optional<std::uint64_t> input,
             std::optional<std::uint64_t> cached_input, std::optional<std::uint64_t> cache_creation,
             std::optional<std::uint64_t> output, std::optional<std::uint64_t> reasoning, const std::string& provider) {
            model_price p;
            p.micros_per_million = {input, cached_input, cache_creation, output, reasoning};
            p.provider = provider;
            check(t.set(model, std::move(p)));
          },
          py::arg("model"), py::kw_only(), py::arg("input") = py::none(), py::arg("cached_input") = py::none(),
          py::arg("cache_creation") = py::none(), py::arg("output") = py::none(), py::arg("reasoning") = py::none(),
          py::arg("provider") = "",
          "Sets the price of `model` per token type (micro-units per million tokens; None = unpriced).")
      .def(
          "get",
          [](const price_table& t, const std::string& model) -> py::object {
            const model_price* p = t.find(model);
            if (!p) return py::none();
            py::dict d;
            for (token_type ty : all_token_types) {
              const auto& v = p->micros_per_million[static_cast<std::size_t>(ty)];
              d[py::str(std::string(token_type_name(ty)))] = v ? py::object(py::int_(*v)) : py::object(py::none());
            }
            d["provider"] = p->provider;
            return d;
          },
          py::arg("model"), "The prices of `model` as a dict (token type -> micros per million, and provider), or None.")
      .def("__len__", &price_table::size);

  py::class_<usage_row>(m, "UsageRow", "Usage of one (tenant, model) in a snapshot.")
      .def_readonly("tenant", &usage_row::tenant)
      .def_readonly("model", &usage_row::model)
      .def_readonly("provider", &usage_row::provider)
      .def_property_readonly("input", [](const usage_row& r) { return r.tokens_of(token_type::input); })
      .def_property_readonly("cached_input", [](const usage_row& r) { return r.tokens_of(token_type::cached_input); })
      .def_property_readonly("cache_creation", [](const usage_row& r) { return r.tokens_of(token_type::cache_creation); })
      .def_property_readonly("output", [](const usage_row& r) { return r.tokens_of(token_type::output); })
      .def_property_readonly("reasoning", [](const usage_row& r) { return r.tokens_of(token_type::reasoning); })
      .def_property_readonly("tokens",
                             [](const usage_row& r) {
                               py::dict d;
                               for (token_type t : all_token_types) d[py::str(std::string(token_type_name(t)))] = r.tokens_of(t);
                               return d;
                             })
      .def_readonly("requests", &usage_row::requests)
      .def_readonly("errors", &usage_row::errors)
      .def_property_readonly("cost_micros", [](const usage_row& r) { return r.cost.micros; },
                             "Whole micro-units of cost (priced tokens only).")
      .def_property_readonly("cost_remainder", [](const usage_row& r) { return r.cost.remainder; },
                             "Millionths of a micro-unit beyond cost_micros (exact cost = micros + remainder / 1e6).")
      .def_property_readonly("unpriced_tokens", [](const usage_row& r) { return r.cost.unpriced_tokens; })
      .def_property_readonly("cost_complete", [](const usage_row& r) { return r.cost.complete(); })
      .def_readonly("overflow", &usage_row::overflow, "A counter saturated while merging.")
      .def("__eq__", [](const usage_row& a, const usage_row& b) { return a == b; })
      .def("__repr__", [](const usage_row& r) {
        std::string s = "UsageRow(tenant=" + py::repr(py::str(r.tenant)).cast<std::string>() +
                        ", model=" + py::repr(py::str(r.model)).cast<std::string>();
        for (token_type t : all_token_types)
          if (r.tokens_of(t)) s += ", " + std::string(token_type_name(t)) + "=" + std::to_string(r.tokens_of(t));
        s += ", requests=" + std::to_string(r.requests) + ", errors=" + std::to_string(r.errors) +
             ", cost_micros=" + std::to_string(r.cost.micros) + ")";
        return s;
      });

  py::class_<usage_snapshot>(m, "UsageSnapshot", "A mergeable, serialisable table of usage per (tenant, model).")
      .def(py::init([](const std::string& kind, std::int64_t start_time, std::int64_t end_time) {
             usage_snapshot s;
             s.kind = kind_of(kind);
             s.start_time = start_time;
             s.end_time = end_time;
             return s;
           }),
           py::arg("kind") = "cumulative", py::arg("start_time") = 0, py::arg("end_time") = 0, "An empty snapshot.")
      .def_property_readonly("kind", [](const usage_snapshot& s) { return kind_name(s.kind); })
      .def_readonly("start_time", &usage_snapshot::start_time)
      .def_readonly("end_time", &usage_snapshot::end_time)
      .def_property_readonly("rows", [](const usage_snapshot& s) {
        usage_snapshot c = s;
        c.canonicalize();
        return c.rows;
      }, "The rows in (tenant, model) order.")
      .def("__len__", [](const usage_snapshot& s) { return s.rows.size(); })
      .def(
          "find",
          [](const usage_snapshot& s, std::string_view tenant, std::string_view model) -> std::optional<usage_row> {
            if (const usage_row* r = s.find(tenant, model)) return *r;
            return std::nullopt;
          },
          py::arg("tenant"), py::arg("model"))
      .def("merge", [](const usage_snapshot& a, const usage_snapshot& b) { return value_or_raise(merge(a, b)); },
           py::arg("other"), "The exact sum of two snapshots of the same kind.")
      .def("subtract", [](const usage_snapshot& later, const usage_snapshot& earlier) {
             return value_or_raise(subtract(later, earlier));
           }, py::arg("earlier"), "This cumulative snapshot minus an earlier one of the same ledger: the delta.")
      .def("encode_binary", [](const usage_snapshot& s) {
             std::string b = encode_binary(s);
             return py::bytes(b);
           }, "The versioned binary format \"TMXS\" v1 with a trailing SHA-256.")
      .def_static("decode_binary", [](const py::bytes& data) { return value_or_raise(decode_binary(std::string_view(data))); },
                  py::arg("data"), "Decodes encode_binary() output; ValueError if truncated or tampered.")
      .def("encode_json", [](const usage_snapshot& s) { return encode_json(s); })
      .def_static("decode_json", [](const std::string& text) { return value_or_raise(decode_json(text)); }, py::arg("text"))
      .def("to_otlp_json",
           [](const usage_snapshot& s, const std::string& service_name, const std::string& operation_name) {
             return value_or_raise(to_otlp_json(s, otlp_options{service_name, operation_name}));
           },
           py::kw_only(), py::arg("service_name") = "tokenmaxx", py::arg("operation_name") = "chat",
           "OTLP/JSON ExportMetricsServiceRequest with gen_ai.client.token.usage (needs a delta snapshot).")
      .def("__eq__", [](const usage_snapshot& a, const usage_snapshot& b) { return a == b; })
      .def("__repr__", [](const usage_snapshot& s) {
        return std::string("<UsageSnapshot ") + kind_name(s.kind) + ", " + std::to_string(s.rows.size()) + " rows>";
      });

  py::class_<prometheus_exporter>(m, "PrometheusExporter",
                                  "Renders cumulative snapshots in the Prometheus text format, with a cap on series.")
      .def(py::init([](std::size_t max_keys) { return prometheus_exporter(prometheus_options{max_keys}); }),
           py::kw_only(), py::arg("max_keys") = 1000)
      .def("render", [](prometheus_exporter& p, const usage_snapshot& s) { return value_or_raise(p.render(s)); },
           py::arg("cumulative"));

  py::class_<py_key>(m, "KeyHandle", "A resolved (tenant, model) of one ledger.")
      .def_property_readonly("tenant", [](const py_key& k) { return std::string(k.handle.tenant()); })
      .def_property_readonly("model", [](const py_key& k) { return std::string(k.handle.model()); })
      .def_property_readonly("priced", [](const py_key& k) { return k.handle.priced(); })
      .def("__eq__", [](const py_key& a, const py_key& b) { return a.handle == b.handle; })
      .def("__hash__", [](const py_key& k) { return std::hash<std::string>()(std::string(k.handle.tenant()) + '\0' + std::string(k.handle.model())); })
      .def("__repr__", [](const py_key& k) {
        return "<KeyHandle " + py::repr(py::str(std::string(k.handle.tenant()))).cast<std::string>() + ", " +
               py::repr(py::str(std::string(k.handle.model()))).cast<std::string>() + ">";
      });

  py::class_<ledger, std::shared_ptr<ledger>>(m, "Ledger", "Lock-free usage counters per (tenant, model).")
      .def(py::init([](std::size_t capacity, std::shared_ptr<price_table> prices, bool overflow_bucket) {
             ledger_options o;
             o.capacity = capacity;
             o.when_full = overflow_bucket ? full_policy::overflow_bucket : full_policy::error;
             // The ledger keeps its own immutable copy: later changes to `prices` do not affect it.
             if (prices) o.prices = std::make_shared<const price_table>(*prices);
             return std::make_shared<ledger>(std::move(o));
           }),
           py::arg("capacity") = 4096, py::kw_only(), py::arg("prices") = nullptr, py::arg("overflow_bucket") = false)
      .def(
          "resolve",
          [](ledger& l, std::string_view tenant, std::string_view model) { return py_key{value_or_raise(l.resolve(tenant, model)), &l}; },
          py::arg("tenant"), py::arg("model"), py::keep_alive<0, 1>(),
          "Interns (tenant, model) once; the handle makes record() a few relaxed atomic stores.")
      .def(
          "record",
          [](ledger& l, const py_key& key, std::uint64_t input, std::uint64_t cached_input, std::uint64_t cache_creation,
             std::uint64_t output, std::uint64_t reasoning, std::uint64_t requests, std::uint64_t errors) {
            if (key.owner != &l) throw py::value_error("this key handle belongs to another ledger");
            l.record(key.handle, make_usage(input, cached_input, cache_creation, output, reasoning, requests, errors));
          },
          py::arg("key"), TOKENMAXX_USAGE_ARGS)
      .def(
          "record",
          [](ledger& l, std::string_view tenant, std::string_view model, std::uint64_t input, std::uint64_t cached_input,
             std::uint64_t cache_creation, std::uint64_t output, std::uint64_t reasoning, std::uint64_t requests,
             std::uint64_t errors) {
            check(l.record(tenant, model, make_usage(input, cached_input, cache_creation, output, reasoning, requests, errors)));
          },
          py::arg("tenant"), py::arg("model"), TOKENMAXX_USAGE_ARGS)
      .def(
          "snapshot",
          [](const ledger& l, std::int64_t now) {
            py::gil_scoped_release release;
            return l.snapshot(now);
          },
          py::arg("now") = 0, "Cumulative totals since construction; `now` (caller clock, ns) becomes end_time.")
      .def(
          "snapshot_and_reset",
          [](ledger& l, std::int64_t now) {
            py::gil_scoped_release release;
            return l.snapshot_and_reset(now);
          },
          py::arg("now") = 0, "The delta since the previous snapshot_and_reset (nothing lost, nothing counted twice).")
      .def("__len__", &ledger::size)
      .def_property_readonly("capacity", &ledger::capacity)
      .def_property_readonly("overflowed_resolves", &ledger::overflowed_resolves);
}

// The usage ledger for Python: price tables, the lock-free ledger with key handles, snapshots that
// merge, subtract, serialise (checksummed or HMAC-authenticated) and export (Prometheus text, OTLP
// JSON). absl::Status errors become exceptions as raise_status in common.hpp says; a full table
// (ResourceExhausted) is tokenmaxx._core.usage.LedgerFullError.
//
// All writes to a ledger come from this one extension module, so the per-thread slots that
// ledger.hpp keeps in inline variables have a single copy (its documented requirement).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "tokenmaxx/base/hmac.hpp"
#include "tokenmaxx/usage/export.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"
#include "tokenmaxx/usage/usage.hpp"

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

// A non-negative count from any Python integer (int, numpy integers): TypeError for other types,
// ValueError naming the argument for negative values or values beyond 64 bits.
std::uint64_t count_of(py::handle value, const char* name) {
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) {
    PyErr_Clear();
    throw py::type_error(std::string(name) + " must be an int, not " + Py_TYPE(value.ptr())->tp_name);
  }
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow < 0 || (overflow == 0 && v < 0))
    throw py::value_error(std::string(name) + " must be >= 0, got " + py::str(index).cast<std::string>() +
                          " (a negative count: check the subtraction that produced it); nothing was recorded");
  if (overflow == 0) return static_cast<std::uint64_t>(v);
  const unsigned long long u = PyLong_AsUnsignedLongLong(index.ptr());
  if (u == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + " is " + py::str(index).cast<std::string>() +
                          ", above the maximum of 2^48 - 1 per record; nothing was recorded");
  }
  return u;
}

std::optional<std::uint64_t> optional_count(py::handle value, const char* name) {
  if (value.is_none()) return std::nullopt;
  return count_of(value, name);
}

// The HMAC key of an authenticated encoding: bytes, at least 16 of them.
base::hmac_sha256 hmac_key(const py::bytes& key) {
  const std::string_view k = tokenmaxx_python::bytes_of(key);
  if (k.size() < 16) throw py::value_error("the HMAC key must be at least 16 bytes (32 random bytes recommended)");
  return value_or_raise(base::hmac_sha256::create(
      std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(k.data()), k.size())));
}

py::dict prices_dict(const token_prices& prices) {
  py::dict d;
  for (token_type t : all_token_types) {
    const auto& v = prices[static_cast<std::size_t>(t)];
    d[py::str(std::string(token_type_name(t)))] = v ? py::object(py::int_(*v)) : py::object(py::none());
  }
  return d;
}

#define TOKENMAXX_USAGE_ARGS                                                                               \
  py::kw_only(), py::arg("input") = 0, py::arg("cached_input") = 0, py::arg("cache_creation") = 0,        \
      py::arg("cache_creation_1h") = 0, py::arg("output") = 0, py::arg("reasoning") = 0,                  \
      py::arg("requests") = 0, py::arg("errors") = 0, py::arg("prompt_tokens") = py::none()

usage usage_of_args(py::handle input, py::handle cached_input, py::handle cache_creation, py::handle cache_creation_1h,
                    py::handle output, py::handle reasoning, py::handle requests, py::handle errors) {
  return usage{count_of(input, "input"),   count_of(cached_input, "cached_input"), count_of(cache_creation, "cache_creation"),
               count_of(cache_creation_1h, "cache_creation_1h"), count_of(output, "output"),
               count_of(reasoning, "reasoning"), count_of(requests, "requests"), count_of(errors, "errors")};
}

constexpr const char* record_doc = R"doc(Adds the usage of one call (or of a piece of one) to (tenant, model).

record(key, *, input=0, ...) takes a KeyHandle from resolve(); record(tenant, model, *, ...) resolves
the key itself. Counts are disjoint: `input` is uncached prompt tokens, `cached_input` prompt tokens
read from a provider cache, `cache_creation` / `cache_creation_1h` prompt tokens written to it (default
and one-hour lifetime), `output` visible completion tokens, `reasoning` hidden reasoning tokens;
`requests` and `errors` count calls. `prompt_tokens` is the prompt size of the whole request when this
record is only a piece of it (e.g. the output of a stream); it selects the price tier. By default the
record's own input + cached_input + cache_creation + cache_creation_1h is used.

Raises ValueError for a negative count, a count above 2^48 - 1 (nothing is recorded), an invalid
tenant or model string, or a key of another ledger; LedgerFullError when the table is full.)doc";

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
  m.attr("MAX_INCREMENT") = py::int_(max_increment);

  py::class_<price_table, std::shared_ptr<price_table>>(
      m, "PriceTable", "Prices per model, in integer micro-units of currency per million tokens, with price tiers.")
      .def(py::init<>(), "An empty table: every model is unpriced until set() or a LiteLLM file gives its prices.")
      .def_static(
          "from_litellm_json",
          [](const std::string& text, bool missing_cache_price_is_input_price) {
            return std::make_shared<price_table>(value_or_raise(
                price_table::from_litellm_json(text, {.missing_cache_price_is_input_price = missing_cache_price_is_input_price})));
          },
          py::arg("text"), py::kw_only(), py::arg("missing_cache_price_is_input_price") = false,
          "A table from the text of LiteLLM's model_prices_and_context_window.json (token prices, their\n"
          "`_above_<N>k_tokens` tiers, one-hour cache writes, litellm_provider). Cache reads and writes\n"
          "without a price stay unpriced unless missing_cache_price_is_input_price=True asks for\n"
          "LiteLLM's own billing (the input price). ValueError for malformed JSON or prices.")
      .def_static(
          "load_litellm_file",
          [](const std::string& path, bool missing_cache_price_is_input_price) {
            return std::make_shared<price_table>(value_or_raise(
                price_table::load_litellm_file(path, {.missing_cache_price_is_input_price = missing_cache_price_is_input_price})));
          },
          py::arg("path"), py::kw_only(), py::arg("missing_cache_price_is_input_price") = false,
          "from_litellm_json() of a file; FileNotFoundError when it cannot be opened.")
      .def(
          "set",
          [](price_table& t, const std::string& model, py::handle input, py::handle cached_input, py::handle cache_creation,
             py::handle cache_creation_1h, py::handle output, py::handle reasoning, const std::string& provider) {
            model_price p;
            p.micros_per_million = {optional_count(input, "input"), optional_count(cached_input, "cached_input"),
                                    optional_count(cache_creation, "cache_creation"),
                                    optional_count(cache_creation_1h, "cache_creation_1h"), optional_count(output, "output"),
                                    optional_count(reasoning, "reasoning")};
            p.provider = provider;
            check(t.set(model, std::move(p)));
          },
          py::arg("model"), py::kw_only(), py::arg("input") = py::none(), py::arg("cached_input") = py::none(),
          py::arg("cache_creation") = py::none(), py::arg("cache_creation_1h") = py::none(), py::arg("output") = py::none(),
          py::arg("reasoning") = py::none(), py::arg("provider") = "",
          "Sets the price of `model` per token type, in micro-units per million tokens (2_500_000 = $2.50\n"
          "per 1M tokens); None leaves a type unpriced. ValueError for an empty model or a price above 1e15.")
      .def(
          "get",
          [](const price_table& t, const std::string& model) -> py::object {
            const model_price* p = t.find(model);
            if (!p) return py::none();
            py::dict d = prices_dict(p->micros_per_million);
            d["provider"] = p->provider;
            py::list tiers;
            for (const price_tier& tier : p->tiers) {
              py::dict td;
              td["above_prompt_tokens"] = tier.above_prompt_tokens;
              td["prices"] = prices_dict(tier.micros_per_million);
              tiers.append(td);
            }
            d["tiers"] = tiers;
            return d;
          },
          py::arg("model"),
          "The prices of `model` as a dict (token type -> micro-units per million tokens or None, `provider`,\n"
          "and `tiers`: the prices of requests whose prompt is above `above_prompt_tokens`), or None.")
      .def("__len__", &price_table::size, "The number of models with an entry.");

  py::class_<usage_row>(m, "UsageRow", "Usage of one (tenant, model) in a snapshot.")
      .def_readonly("tenant", &usage_row::tenant, "The tenant (customer, team or app).")
      .def_readonly("model", &usage_row::model, "The model name as recorded.")
      .def_readonly("provider", &usage_row::provider, "LiteLLM's provider name from the price table; '' when unknown.")
      .def_property_readonly("input", [](const usage_row& r) { return r.tokens_of(token_type::input); }, "Uncached prompt tokens.")
      .def_property_readonly("cached_input", [](const usage_row& r) { return r.tokens_of(token_type::cached_input); },
                             "Prompt tokens read from a provider cache.")
      .def_property_readonly("cache_creation", [](const usage_row& r) { return r.tokens_of(token_type::cache_creation); },
                             "Prompt tokens written to a provider cache (default lifetime).")
      .def_property_readonly("cache_creation_1h", [](const usage_row& r) { return r.tokens_of(token_type::cache_creation_1h); },
                             "Prompt tokens written to a provider cache with a one-hour lifetime.")
      .def_property_readonly("output", [](const usage_row& r) { return r.tokens_of(token_type::output); },
                             "Visible completion tokens.")
      .def_property_readonly("reasoning", [](const usage_row& r) { return r.tokens_of(token_type::reasoning); },
                             "Hidden reasoning tokens.")
      .def_property_readonly(
          "tokens",
          [](const usage_row& r) {
            py::dict d;
            for (token_type t : all_token_types) d[py::str(std::string(token_type_name(t)))] = r.tokens_of(t);
            return d;
          },
          "All token counts as a dict keyed by TOKEN_TYPES.")
      .def_readonly("requests", &usage_row::requests, "Calls recorded.")
      .def_readonly("errors", &usage_row::errors, "Calls that failed.")
      .def_property_readonly("cost_micros", [](const usage_row& r) { return r.cost.micros; },
                             "Whole micro-units of cost (priced tokens only).")
      .def_property_readonly("cost_remainder", [](const usage_row& r) { return r.cost.remainder; },
                             "Millionths of a micro-unit beyond cost_micros (exact cost = micros + remainder / 1e6).")
      .def_property_readonly("unpriced_tokens", [](const usage_row& r) { return r.cost.unpriced_tokens; },
                             "Tokens without a known price: not included in the cost, never counted as free.")
      .def_property_readonly("cost_complete", [](const usage_row& r) { return r.cost.complete(); },
                             "True when every token was priced and the cost did not saturate.")
      .def_readonly("overflow", &usage_row::overflow,
                    "A counter reached 2^64 - 1 (saturated in the ledger or while merging) and stopped counting.")
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
           py::arg("kind") = "cumulative", py::arg("start_time") = 0, py::arg("end_time") = 0,
           "An empty snapshot ('cumulative' or 'delta'; times in ns since the Unix epoch, 0 = unknown), e.g.\n"
           "the start of a merge.")
      .def_property_readonly("kind", [](const usage_snapshot& s) { return kind_name(s.kind); },
                             "'cumulative' (totals since the ledger started) or 'delta' (totals over an interval).")
      .def_readonly("start_time", &usage_snapshot::start_time, "Start of the covered interval, ns since the Unix epoch.")
      .def_readonly("end_time", &usage_snapshot::end_time, "End of the covered interval, ns since the Unix epoch.")
      .def_property_readonly(
          "rows",
          [](const usage_snapshot& s) {
            usage_snapshot c = s;
            c.canonicalize();
            return c.rows;
          },
          "The rows in (tenant, model) order.")
      .def("__len__", [](const usage_snapshot& s) { return s.rows.size(); }, "The number of rows.")
      .def(
          "find",
          [](const usage_snapshot& s, std::string_view tenant, std::string_view model) -> std::optional<usage_row> {
            if (const usage_row* r = s.find(tenant, model)) return *r;
            return std::nullopt;
          },
          py::arg("tenant"), py::arg("model"), "The row of (tenant, model), or None.")
      .def("merge", [](const usage_snapshot& a, const usage_snapshot& b) { return value_or_raise(merge(a, b)); },
           py::arg("other"),
           "The exact sum of two snapshots of the same kind (associative, commutative; saturating sums\n"
           "set `overflow`). ValueError for different kinds or providers.")
      .def(
          "subtract",
          [](const usage_snapshot& later, const usage_snapshot& earlier) { return value_or_raise(subtract(later, earlier)); },
          py::arg("earlier"),
          "This cumulative snapshot minus an earlier one of the same ledger: the delta between them.\n"
          "ValueError if a counter went backwards or a key disappeared.")
      .def(
          "encode_binary",
          [](const usage_snapshot& s, std::optional<py::bytes> key) {
            const std::string b = key ? value_or_raise(encode_binary(s, hmac_key(*key))) : encode_binary(s);
            return py::bytes(b);
          },
          py::kw_only(), py::arg("key") = py::none(),
          "The binary format \"TMXS\" v2. Without `key` it is sealed with a SHA-256 checksum, which detects\n"
          "corruption but not tampering (anyone can recompute it); with `key` (bytes, >= 16) it carries an\n"
          "HMAC-SHA256 that detects tampering by anyone without the key.")
      .def_static(
          "decode_binary",
          [](const py::bytes& data, std::optional<py::bytes> key) {
            const std::string_view bytes = tokenmaxx_python::bytes_of(data);
            return key ? value_or_raise(decode_binary(bytes, hmac_key(*key))) : value_or_raise(decode_binary(bytes));
          },
          py::arg("data"), py::kw_only(), py::arg("key") = py::none(),
          "Decodes encode_binary() output. Without `key` only checksummed input is accepted; with `key`\n"
          "only input authenticated with that key. ValueError if it is truncated, corrupted, altered\n"
          "(with a key) or sealed the other way; RuntimeError for another format version.")
      .def(
          "encode_json",
          [](const usage_snapshot& s, std::optional<py::bytes> key) {
            return key ? value_or_raise(encode_json(s, hmac_key(*key))) : encode_json(s);
          },
          py::kw_only(), py::arg("key") = py::none(),
          "A JSON document carrying the seal of its content: \"sha256\" (a checksum: detects corruption,\n"
          "not tampering) or, with `key`, \"hmac_sha256\" (detects tampering).")
      .def_static(
          "decode_json",
          [](const std::string& text, std::optional<py::bytes> key) {
            return key ? value_or_raise(decode_json(text, hmac_key(*key))) : value_or_raise(decode_json(text));
          },
          py::arg("text"), py::kw_only(), py::arg("key") = py::none(),
          "Decodes encode_json() output; the same rules and errors as decode_binary().")
      .def(
          "to_otlp_json",
          [](const usage_snapshot& s, const std::string& service_name, const std::string& operation_name,
             const std::string& unknown_provider) {
            return value_or_raise(to_otlp_json(s, otlp_options{service_name, operation_name, unknown_provider}));
          },
          py::kw_only(), py::arg("service_name") = "tokenmaxx", py::arg("operation_name") = "chat",
          py::arg("unknown_provider") = "unknown",
          "An OTLP/JSON ExportMetricsServiceRequest: gen_ai.client.token.usage (GenAI semantic conventions:\n"
          "input and output tokens per request) and tokenmaxx.client.token.usage (tokens by tokenmaxx's\n"
          "six types). Needs a delta snapshot with known times; ValueError otherwise.")
      .def("__eq__", [](const usage_snapshot& a, const usage_snapshot& b) { return a == b; })
      .def("__repr__", [](const usage_snapshot& s) {
        return std::string("<UsageSnapshot ") + kind_name(s.kind) + ", " + std::to_string(s.rows.size()) + " rows>";
      });

  py::class_<prometheus_exporter>(m, "PrometheusExporter",
                                  "Renders cumulative snapshots in the Prometheus text format, with a cap on series.")
      .def(py::init([](std::size_t max_keys, std::string currency) {
             return prometheus_exporter(prometheus_options{max_keys, std::move(currency)});
           }),
           py::kw_only(), py::arg("max_keys") = 1000, py::arg("currency") = "usd",
           "At most `max_keys` (tenant, model) pairs get their own series (the rest are summed into\n"
           "__overflow__); `currency` (the price table's, lower case) names tokenmaxx_cost_<currency>_total.")
      .def("render", [](prometheus_exporter& p, const usage_snapshot& s) { return value_or_raise(p.render(s)); },
           py::arg("cumulative"),
           "The text exposition of a cumulative snapshot (ValueError for a delta). Admitted series are\n"
           "remembered, so each stays monotonic across scrapes.");

  py::class_<py_key>(m, "KeyHandle", "A resolved (tenant, model) of one ledger.")
      .def_property_readonly("tenant", [](const py_key& k) { return std::string(k.handle.tenant()); }, "The tenant.")
      .def_property_readonly("model", [](const py_key& k) { return std::string(k.handle.model()); }, "The model.")
      .def_property_readonly("priced", [](const py_key& k) { return k.handle.priced(); },
                             "True when the ledger's price table has an entry for the model.")
      .def("__eq__", [](const py_key& a, const py_key& b) { return a.handle == b.handle; })
      .def("__hash__", [](const py_key& k) { return std::hash<std::string>()(std::string(k.handle.tenant()) + '\0' + std::string(k.handle.model())); })
      .def("__repr__", [](const py_key& k) {
        return "<KeyHandle " + py::repr(py::str(std::string(k.handle.tenant()))).cast<std::string>() + ", " +
               py::repr(py::str(std::string(k.handle.model()))).cast<std::string>() + ">";
      });

  py::class_<ledger, std::shared_ptr<ledger>>(m, "Ledger", "Lock-free usage counters per (tenant, model).")
      .def(py::init([](std::size_t capacity, std::shared_ptr<price_table> prices, bool overflow_bucket,
                       std::optional<std::int64_t> start_time) {
             ledger_options o;
             o.capacity = capacity;
             o.when_full = overflow_bucket ? full_policy::overflow_bucket : full_policy::error;
             // The ledger keeps its own immutable copy: later changes to `prices` do not affect it.
             if (prices) o.prices = std::make_shared<const price_table>(*prices);
             o.start_time = start_time.value_or(0);
             return std::make_shared<ledger>(std::move(o));
           }),
           py::arg("capacity") = 4096, py::kw_only(), py::arg("prices") = nullptr, py::arg("overflow_bucket") = false,
           py::arg("start_time") = py::none(),
           "A ledger for at most `capacity` (tenant, model) keys. A new key past capacity raises\n"
           "LedgerFullError, or with overflow_bucket=True is counted (unpriced) under the key\n"
           "('__overflow__', '__overflow__'). `start_time` (ns since the Unix epoch) defaults to now.")
      .def(
          "resolve",
          [](ledger& l, std::string_view tenant, std::string_view model) { return py_key{value_or_raise(l.resolve(tenant, model)), &l}; },
          py::arg("tenant"), py::arg("model"), py::keep_alive<0, 1>(),
          "Interns (tenant, model) once; recording through the handle is then a few relaxed atomic stores.\n"
          "ValueError for an invalid string; LedgerFullError when the table is full.")
      .def(
          "record",
          [](ledger& l, py::handle key_or_tenant, py::handle model, py::handle input, py::handle cached_input,
             py::handle cache_creation, py::handle cache_creation_1h, py::handle output, py::handle reasoning,
             py::handle requests, py::handle errors, py::handle prompt_tokens) {
            const usage u = usage_of_args(input, cached_input, cache_creation, cache_creation_1h, output, reasoning, requests, errors);
            const std::optional<std::uint64_t> prompt = optional_count(prompt_tokens, "prompt_tokens");
            if (py::isinstance<py_key>(key_or_tenant)) {
              if (!model.is_none()) throw py::type_error("record(key, ...) takes no model: the key has one");
              const py_key& key = key_or_tenant.cast<const py_key&>();
              if (key.owner != &l) throw py::value_error("this key handle belongs to another ledger");
              check(l.record(key.handle, u, prompt.value_or(u.prompt_tokens())));
              return;
            }
            if (!py::isinstance<py::str>(key_or_tenant) || !py::isinstance<py::str>(model))
              throw py::type_error("record() takes a KeyHandle, or a tenant and a model as str");
            const std::string tenant = key_or_tenant.cast<std::string>(), model_name = model.cast<std::string>();
            check(validate(u));
            absl::StatusOr<key_handle> h = l.resolve(tenant, model_name);
            check(h.status());
            check(l.record(*h, u, prompt.value_or(u.prompt_tokens())));
          },
          py::arg("key_or_tenant"), py::arg("model") = py::none(), TOKENMAXX_USAGE_ARGS, record_doc)
      .def(
          "snapshot",
          [](const ledger& l, std::optional<std::int64_t> now) {
            py::gil_scoped_release release;
            return now ? l.snapshot(*now) : l.snapshot();
          },
          py::arg("now") = py::none(),
          "Cumulative totals since the ledger started; `now` (ns since the Unix epoch, default the clock)\n"
          "becomes end_time. Exact when no thread is recording; never goes backwards.")
      .def(
          "snapshot_and_reset",
          [](ledger& l, std::optional<std::int64_t> now) {
            py::gil_scoped_release release;
            return now ? l.snapshot_and_reset(*now) : l.snapshot_and_reset();
          },
          py::arg("now") = py::none(),
          "The delta since the previous snapshot_and_reset() (or the ledger's start): nothing lost, nothing\n"
          "counted twice, also with concurrent writers and collectors. Keys without change are omitted.")
      .def(
          "stats",
          [](const ledger& l) {
            const ledger_stats s = l.stats();
            py::dict d;
            d["keys"] = s.keys;
            d["contended_keys"] = s.contended_keys;
            d["bytes"] = s.bytes;
            return d;
          },
          "A dict: `keys`, `contended_keys` (keys that grew per-thread stripes) and `bytes` (heap bytes held).")
      .def("__len__", &ledger::size, "The number of keys.")
      .def_property_readonly("capacity", &ledger::capacity, "The maximum number of keys.")
      .def_property_readonly("start_time", &ledger::start_time, "When the ledger started, ns since the Unix epoch.")
      .def_property_readonly("overflowed_resolves", &ledger::overflowed_resolves,
                             "How many resolves were redirected to the overflow key.");
}

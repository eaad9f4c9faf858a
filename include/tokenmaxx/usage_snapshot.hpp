// tokenmaxx/usage_snapshot.hpp: a mergeable, serialisable table of usage per (tenant, model).
//
// A `usage_snapshot` is a plain value: one `usage_row` per (tenant, model) with token counts per
// type, requests, errors and the exact cost (see pricing.hpp), tagged `cumulative` (totals since the
// ledger started) or `delta` (totals over an interval), with an optional [start_time, end_time) in
// caller-defined nanoseconds (0 = unknown).
//
// Guarantees:
//   * merge() is exact, associative and commutative (rows are summed by key, the time range is the
//     union hull); merging snapshots of different kinds is an InvalidArgument error. Sums that would
//     exceed 2^64 - 1 saturate and set the row's `overflow` flag instead of wrapping.
//   * subtract() (later cumulative minus earlier cumulative) gives the delta; it refuses (with
//     FailedPrecondition) if any counter went backwards.
//   * encode_binary() / decode_binary(): versioned little-endian format "TMXS" v1 whose last 32 bytes are
//     the SHA-256 (OpenSSL EVP) of everything before. encode_json() / decode_json(): a JSON document
//     carrying the same SHA-256 (of the binary encoding of its content) in "sha256". Decoders reject
//     truncated, tampered, unknown-version, duplicate-key or out-of-range input with a clear error.
//   * Row order: merge(), subtract() and the decoders return rows in canonical (tenant, model) order
//     and the encoders write that order; ledger snapshots come in table order (canonicalize() sorts).
//     operator== ignores row order.
//
// Thread safety: a value type; no internal synchronisation.
//
// Example:
//   tokenmaxx::usage_snapshot fleet = ledger_a.snapshot();
//   auto merged = tokenmaxx::merge(fleet, ledger_b.snapshot());     // absl::StatusOr<usage_snapshot>
//   std::string bytes = tokenmaxx::encode_binary(*merged);
//   auto back = tokenmaxx::decode_binary(bytes);                     // error if a byte changed
//   const tokenmaxx::usage_row* r = back->find("acme", "gpt-4o");
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/detail/ledger_util.hpp"
#include "tokenmaxx/pricing.hpp"
#include "tokenmaxx/usage.hpp"

namespace tokenmaxx {

enum class snapshot_kind : std::uint8_t { cumulative = 1, delta = 2 };

struct usage_row {
  std::string tenant;
  std::string model;
  std::string provider = {};  // from the price table; may be empty
  std::array<std::uint64_t, token_type_count> tokens{};
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  cost_amount cost = {};  // cost.unpriced_tokens > 0 means the cost covers only part of the tokens
  bool overflow = false;  // a counter saturated while merging

  std::uint64_t tokens_of(token_type t) const noexcept { return tokens[static_cast<std::size_t>(t)]; }
  friend bool operator==(const usage_row&, const usage_row&) = default;
};

struct usage_snapshot {
  snapshot_kind kind = snapshot_kind::cumulative;
  std::int64_t start_time = 0;  // caller clock, nanoseconds; 0 = unknown
  std::int64_t end_time = 0;
  std::vector<usage_row> rows;

  // Linear search (rows may be in any order).
  const usage_row* find(std::string_view tenant, std::string_view model) const noexcept {
    for (const usage_row& r : rows)
      if (r.tenant == tenant && r.model == model) return &r;
    return nullptr;
  }
  bool is_canonical() const noexcept {
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (!(std::tie(rows[i - 1].tenant, rows[i - 1].model) < std::tie(rows[i].tenant, rows[i].model))) return false;
    return true;
  }
  // Sorts rows by (tenant, model): merge(), subtract(), the decoders and the encoders' output use this
  // order. Sorts an index first so each row is moved once.
  void canonicalize() {
    if (is_canonical()) return;
    std::vector<std::uint32_t> idx(rows.size());
    for (std::uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) {
      return std::tie(rows[a].tenant, rows[a].model) < std::tie(rows[b].tenant, rows[b].model);
    });
    std::vector<usage_row> sorted;
    sorted.reserve(rows.size());
    for (std::uint32_t i : idx) sorted.push_back(std::move(rows[i]));
    rows = std::move(sorted);
  }
  // Equal when kind, time range and the set of rows are equal (row order does not matter).
  friend bool operator==(const usage_snapshot& a, const usage_snapshot& b) {
    if (a.kind != b.kind || a.start_time != b.start_time || a.end_time != b.end_time || a.rows.size() != b.rows.size()) return false;
    if (a.is_canonical() && b.is_canonical()) return a.rows == b.rows;
    usage_snapshot x = a, y = b;
    x.canonicalize();
    y.canonicalize();
    return x.rows == y.rows;
  }
};

namespace detail {

inline std::uint64_t sat_add(std::uint64_t a, std::uint64_t b, bool& overflow) noexcept {
  std::uint64_t r = a + b;
  if (r < a) {
    overflow = true;
    return UINT64_MAX;
  }
  return r;
}

inline void add_cost(cost_amount& a, const cost_amount& b, bool& overflow) noexcept {
  a.overflow = a.overflow || b.overflow;
  std::uint32_t rem = a.remainder + b.remainder;
  std::uint64_t carry = 0;
  if (rem >= 1'000'000u) {
    rem -= 1'000'000u;
    carry = 1;
  }
  bool o = false;
  a.micros = sat_add(sat_add(a.micros, b.micros, o), carry, o);
  a.remainder = o ? 0 : rem;
  bool uo = false;
  a.unpriced_tokens = sat_add(a.unpriced_tokens, b.unpriced_tokens, uo);
  if (o || uo) {
    a.overflow = true;
    overflow = true;
  }
}

inline absl::Status add_row(usage_row& a, const usage_row& b) {
  if (!a.provider.empty() && !b.provider.empty() && a.provider != b.provider)
    return absl::InvalidArgumentError("merge: provider differs for tenant '" + a.tenant + "' model '" + a.model + "'");
  if (a.provider.empty()) a.provider = b.provider;
  bool o = a.overflow || b.overflow;
  for (std::size_t i = 0; i < token_type_count; ++i) a.tokens[i] = sat_add(a.tokens[i], b.tokens[i], o);
  a.requests = sat_add(a.requests, b.requests, o);
  a.errors = sat_add(a.errors, b.errors, o);
  add_cost(a.cost, b.cost, o);
  a.overflow = o;
  return absl::OkStatus();
}

inline constexpr std::string_view snapshot_magic = "TMXS";
inline constexpr std::uint16_t snapshot_version = 1;

// Binary encoding without the trailing checksum.
inline std::string encode_snapshot_body(const usage_snapshot& s) {
  std::string out;
  out.reserve(32 + s.rows.size() * 120);
  out.append(snapshot_magic);
  ledger_put_u16(out, snapshot_version);
  out.push_back(static_cast<char>(s.kind));
  out.push_back(0);
  ledger_put_u64(out, static_cast<std::uint64_t>(s.start_time));
  ledger_put_u64(out, static_cast<std::uint64_t>(s.end_time));
  ledger_put_u32(out, static_cast<std::uint32_t>(s.rows.size()));
  for (const usage_row& r : s.rows) {
    for (const std::string* str : {&r.tenant, &r.model, &r.provider}) {
      ledger_put_u16(out, static_cast<std::uint16_t>(str->size()));
      out.append(*str);
    }
    for (std::uint64_t t : r.tokens) ledger_put_u64(out, t);
    ledger_put_u64(out, r.requests);
    ledger_put_u64(out, r.errors);
    ledger_put_u64(out, r.cost.micros);
    ledger_put_u32(out, r.cost.remainder);
    ledger_put_u64(out, r.cost.unpriced_tokens);
    out.push_back(static_cast<char>((r.overflow ? 1 : 0) | (r.cost.overflow ? 2 : 0)));
  }
  return out;
}

// Checks what a decoder must check beyond the checksum: key validity, order/uniqueness, ranges.
inline absl::Status validate_snapshot(const usage_snapshot& s) {
  if (s.kind != snapshot_kind::cumulative && s.kind != snapshot_kind::delta)
    return absl::InvalidArgumentError("snapshot: unknown kind");
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const usage_row& r = s.rows[i];
    if (auto st = ledger_check_key("snapshot row tenant", r.tenant, false); !st.ok()) return st;
    if (auto st = ledger_check_key("snapshot row model", r.model, false); !st.ok()) return st;
    if (auto st = ledger_check_key("snapshot row provider", r.provider, true); !st.ok()) return st;
    if (r.cost.remainder >= 1'000'000u) return absl::InvalidArgumentError("snapshot: cost remainder out of range");
    if (i > 0 && !(std::tie(s.rows[i - 1].tenant, s.rows[i - 1].model) < std::tie(r.tenant, r.model)))
      return absl::InvalidArgumentError("snapshot: rows not in canonical order or duplicate key '" + r.tenant + "'/'" + r.model + "'");
  }
  return absl::OkStatus();
}

// `snap` itself when its rows are already in canonical order, otherwise a sorted copy kept in
// `scratch` (so encoders copy only when they must).
inline const usage_snapshot& in_canonical_order(const usage_snapshot& snap, usage_snapshot& scratch) {
  if (snap.is_canonical()) return snap;
  scratch = snap;
  scratch.canonicalize();
  return scratch;
}

}  // namespace detail

// Sums two snapshots of the same kind. Errors: InvalidArgument on kind or provider mismatch.
inline absl::StatusOr<usage_snapshot> merge(const usage_snapshot& a, const usage_snapshot& b) {
  if (a.kind != b.kind) return absl::InvalidArgumentError("merge: cannot merge a cumulative and a delta snapshot");
  usage_snapshot out;
  out.kind = a.kind;
  out.start_time = std::min(a.start_time, b.start_time);
  out.end_time = std::max(a.end_time, b.end_time);
  out.rows.reserve(a.rows.size() + b.rows.size());
  // Both inputs may be non-canonical (hand-built); index b by key.
  absl::flat_hash_map<std::pair<std::string_view, std::string_view>, std::size_t> index;
  for (const usage_row& r : a.rows) {
    auto [it, fresh] = index.try_emplace(std::pair<std::string_view, std::string_view>(r.tenant, r.model), out.rows.size());
    if (fresh) {
      out.rows.push_back(r);
    } else if (auto s = detail::add_row(out.rows[it->second], r); !s.ok()) {
      return s;
    }
  }
  for (const usage_row& r : b.rows) {
    auto it = index.find(std::pair<std::string_view, std::string_view>(r.tenant, r.model));
    if (it == index.end()) {
      index.emplace(std::pair<std::string_view, std::string_view>(r.tenant, r.model), out.rows.size());
      out.rows.push_back(r);
    } else if (auto s = detail::add_row(out.rows[it->second], r); !s.ok()) {
      return s;
    }
  }
  out.canonicalize();
  return out;
}

// later - earlier, for two cumulative snapshots of the same source. Rows absent from `earlier` count
// from zero. Errors: FailedPrecondition if a counter decreased (snapshots out of order or from different ledgers)
// or a key disappeared; InvalidArgument if either is not cumulative.
inline absl::StatusOr<usage_snapshot> subtract(const usage_snapshot& later, const usage_snapshot& earlier) {
  if (later.kind != snapshot_kind::cumulative || earlier.kind != snapshot_kind::cumulative)
    return absl::InvalidArgumentError("subtract: both snapshots must be cumulative");
  absl::flat_hash_map<std::pair<std::string_view, std::string_view>, const usage_row*> prev;
  prev.reserve(earlier.rows.size());
  for (const usage_row& r : earlier.rows) prev.emplace(std::pair<std::string_view, std::string_view>(r.tenant, r.model), &r);
  usage_snapshot out;
  out.kind = snapshot_kind::delta;
  out.start_time = earlier.end_time;
  out.end_time = later.end_time;
  out.rows.reserve(later.rows.size());
  std::size_t matched = 0;
  for (const usage_row& r : later.rows) {
    usage_row d = r;
    auto it = prev.find(std::pair<std::string_view, std::string_view>(r.tenant, r.model));
    if (it != prev.end()) {
      ++matched;
      const usage_row& p = *it->second;
      auto back = [&](std::uint64_t now, std::uint64_t before) { return now < before; };
      bool bad = back(r.requests, p.requests) || back(r.errors, p.errors) || back(r.cost.unpriced_tokens, p.cost.unpriced_tokens) ||
                 std::tie(r.cost.micros, r.cost.remainder) < std::tie(p.cost.micros, p.cost.remainder);
      for (std::size_t i = 0; i < token_type_count; ++i) bad = bad || back(r.tokens[i], p.tokens[i]);
      if (bad)
        return absl::FailedPreconditionError("subtract: counters of '" + r.tenant + "'/'" + r.model + "' went backwards (snapshots out of order or from different ledgers?)");
      for (std::size_t i = 0; i < token_type_count; ++i) d.tokens[i] -= p.tokens[i];
      d.requests -= p.requests;
      d.errors -= p.errors;
      d.cost.unpriced_tokens -= p.cost.unpriced_tokens;
      if (d.cost.remainder < p.cost.remainder) {
        d.cost.remainder += 1'000'000u;
        d.cost.micros -= 1;
      }
      d.cost.remainder -= p.cost.remainder;
      d.cost.micros -= p.cost.micros;
      d.overflow = r.overflow || p.overflow;
      d.cost.overflow = r.cost.overflow || p.cost.overflow;
    }
    out.rows.push_back(std::move(d));
  }
  if (matched != earlier.rows.size())
    return absl::FailedPreconditionError("subtract: a key of the earlier snapshot is missing from the later one");
  out.canonicalize();
  return out;
}

// Remembers the last cumulative snapshot and returns the delta since it: the "exporter-side delta"
// that never resets the ledger, so any number of exporters can coexist.
class delta_tracker {
 public:
  absl::StatusOr<usage_snapshot> next(usage_snapshot cumulative) {
    auto d = subtract(cumulative, last_);
    if (!d.ok()) return d.status();
    if (last_.rows.empty() && last_.end_time == 0) d->start_time = 0;
    last_ = std::move(cumulative);
    return d;
  }
  const usage_snapshot& last() const noexcept { return last_; }

 private:
  usage_snapshot last_;
};

// Encoders write rows in canonical order (a sorted copy is made if needed). Rows with duplicate keys
// or invalid key strings encode, but the decoders reject them.
inline std::string encode_binary(const usage_snapshot& snap) {
  usage_snapshot sorted;
  const usage_snapshot& s = detail::in_canonical_order(snap, sorted);
  std::string out = detail::encode_snapshot_body(s);
  detail::sha256_digest d{};
  if (!detail::ledger_sha256(out, d)) d.fill(0);  // never verifies; decode reports a checksum error
  out.append(reinterpret_cast<const char*>(d.data()), d.size());
  return out;
}

inline absl::StatusOr<usage_snapshot> decode_binary(std::string_view bytes) {
  constexpr std::size_t header = 4 + 2 + 1 + 1 + 8 + 8 + 4;
  constexpr std::size_t min_row = 3 * 2 + 5 * 8 + 8 + 8 + 8 + 4 + 8 + 1;
  if (bytes.size() < header + 32)
    return absl::DataLossError("snapshot: truncated (" + std::to_string(bytes.size()) + " bytes, need at least " + std::to_string(header + 32) + ")");
  if (bytes.substr(0, 4) != detail::snapshot_magic) return absl::InvalidArgumentError("snapshot: bad magic (not a tokenmaxx snapshot)");
  const std::string_view body = bytes.substr(0, bytes.size() - 32);
  detail::sha256_digest want{};
  if (!detail::ledger_sha256(body, want)) return absl::InternalError("snapshot: SHA-256 unavailable");
  if (std::string_view(reinterpret_cast<const char*>(want.data()), 32) != bytes.substr(bytes.size() - 32))
    return absl::DataLossError("snapshot: SHA-256 checksum mismatch (truncated or tampered)");
  detail::ledger_reader rd(body.substr(4));
  std::uint16_t version = 0;
  std::uint8_t kind = 0, reserved = 0;
  std::uint64_t start = 0, end = 0;
  std::uint32_t count = 0;
  rd.u16(version);
  if (version != detail::snapshot_version)
    return absl::UnimplementedError("snapshot: unsupported version " + std::to_string(version));
  rd.u8(kind);
  rd.u8(reserved);
  rd.u64(start);
  rd.u64(end);
  rd.u32(count);
  if (reserved != 0) return absl::InvalidArgumentError("snapshot: reserved byte is not zero");
  if (count > rd.remaining() / min_row) return absl::DataLossError("snapshot: row count exceeds the data");
  usage_snapshot s;
  s.kind = static_cast<snapshot_kind>(kind);
  s.start_time = static_cast<std::int64_t>(start);
  s.end_time = static_cast<std::int64_t>(end);
  s.rows.resize(count);
  for (usage_row& r : s.rows) {
    bool ok = true;
    for (std::string* str : {&r.tenant, &r.model, &r.provider}) {
      std::uint16_t n = 0;
      ok = ok && rd.u16(n) && rd.bytes(n, *str);
    }
    for (std::uint64_t& t : r.tokens) ok = ok && rd.u64(t);
    std::uint8_t flags = 0;
    ok = ok && rd.u64(r.requests) && rd.u64(r.errors) && rd.u64(r.cost.micros) && rd.u32(r.cost.remainder) &&
         rd.u64(r.cost.unpriced_tokens) && rd.u8(flags);
    if (!ok) return absl::DataLossError("snapshot: row data truncated");
    if (flags & ~3u) return absl::InvalidArgumentError("snapshot: unknown row flags");
    r.overflow = flags & 1;
    r.cost.overflow = flags & 2;
  }
  if (rd.remaining() != 0) return absl::InvalidArgumentError("snapshot: trailing bytes after the last row");
  if (auto st = detail::validate_snapshot(s); !st.ok()) return st;
  return s;
}

inline std::string encode_json(const usage_snapshot& snap) {
  using nlohmann::json;
  usage_snapshot sorted;
  const usage_snapshot& s = detail::in_canonical_order(snap, sorted);
  json rows = json::array();
  for (const usage_row& r : s.rows) {
    json j = {{"tenant", r.tenant}, {"model", r.model}, {"provider", r.provider}};
    for (token_type t : all_token_types) j[std::string(token_type_name(t))] = r.tokens_of(t);
    j["requests"] = r.requests;
    j["errors"] = r.errors;
    j["cost_micros"] = r.cost.micros;
    j["cost_remainder"] = r.cost.remainder;
    j["unpriced_tokens"] = r.cost.unpriced_tokens;
    j["cost_overflow"] = r.cost.overflow;
    j["overflow"] = r.overflow;
    rows.push_back(std::move(j));
  }
  detail::sha256_digest d{};
  if (!detail::ledger_sha256(detail::encode_snapshot_body(s), d)) d.fill(0);
  json doc = {{"format", "tokenmaxx.usage_snapshot"},
              {"version", detail::snapshot_version},
              {"kind", s.kind == snapshot_kind::delta ? "delta" : "cumulative"},
              {"start_time", s.start_time},
              {"end_time", s.end_time},
              {"rows", std::move(rows)},
              {"sha256", detail::ledger_hex(d)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

inline absl::StatusOr<usage_snapshot> decode_json(std::string_view text) {
  using nlohmann::json;
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return absl::DataLossError("snapshot JSON: not valid JSON (truncated?)");
  auto bad = [](const std::string& what) { return absl::InvalidArgumentError("snapshot JSON: " + what); };
  if (!doc.is_object()) return bad("top level is not an object");
  auto get_u64 = [](const json& o, const char* k, std::uint64_t& v) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_number_unsigned()) return false;
    v = it->get<std::uint64_t>();
    return true;
  };
  auto get_i64 = [](const json& o, const char* k, std::int64_t& v) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_number_integer()) return false;
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return false;
    v = it->get<std::int64_t>();
    return true;
  };
  auto get_str = [](const json& o, const char* k, std::string& v) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_string()) return false;
    v = it->get<std::string>();
    return true;
  };
  auto get_bool = [](const json& o, const char* k, bool& v) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_boolean()) return false;
    v = it->get<bool>();
    return true;
  };
  std::string format, kind, sha;
  std::uint64_t version = 0;
  if (!get_str(doc, "format", format) || format != "tokenmaxx.usage_snapshot") return bad("missing or wrong \"format\"");
  if (!get_u64(doc, "version", version)) return bad("missing \"version\"");
  if (version != detail::snapshot_version) return absl::UnimplementedError("snapshot JSON: unsupported version " + std::to_string(version));
  usage_snapshot s;
  if (!get_str(doc, "kind", kind) || (kind != "delta" && kind != "cumulative")) return bad("\"kind\" must be \"delta\" or \"cumulative\"");
  s.kind = kind == "delta" ? snapshot_kind::delta : snapshot_kind::cumulative;
  if (!get_i64(doc, "start_time", s.start_time) || !get_i64(doc, "end_time", s.end_time)) return bad("missing start_time/end_time");
  if (!get_str(doc, "sha256", sha)) return bad("missing \"sha256\"");
  auto rows = doc.find("rows");
  if (rows == doc.end() || !rows->is_array()) return bad("missing \"rows\" array");
  s.rows.reserve(rows->size());
  for (const json& j : *rows) {
    if (!j.is_object()) return bad("row is not an object");
    usage_row r;
    std::uint64_t rem = 0;
    bool ok = get_str(j, "tenant", r.tenant) && get_str(j, "model", r.model) && get_str(j, "provider", r.provider);
    for (token_type t : all_token_types)
      ok = ok && get_u64(j, std::string(token_type_name(t)).c_str(), r.tokens[static_cast<std::size_t>(t)]);
    ok = ok && get_u64(j, "requests", r.requests) && get_u64(j, "errors", r.errors) && get_u64(j, "cost_micros", r.cost.micros) &&
         get_u64(j, "cost_remainder", rem) && get_u64(j, "unpriced_tokens", r.cost.unpriced_tokens) &&
         get_bool(j, "cost_overflow", r.cost.overflow) && get_bool(j, "overflow", r.overflow);
    if (!ok) return bad("row has a missing or mistyped field");
    if (rem >= 1'000'000u) return bad("cost_remainder out of range");
    r.cost.remainder = static_cast<std::uint32_t>(rem);
    s.rows.push_back(std::move(r));
  }
  if (auto st = detail::validate_snapshot(s); !st.ok()) return st;
  detail::sha256_digest d{};
  if (!detail::ledger_sha256(detail::encode_snapshot_body(s), d)) return absl::InternalError("snapshot JSON: SHA-256 unavailable");
  if (detail::ledger_hex(d) != sha) return absl::DataLossError("snapshot JSON: SHA-256 checksum mismatch (tampered)");
  return s;
}

}  // namespace tokenmaxx

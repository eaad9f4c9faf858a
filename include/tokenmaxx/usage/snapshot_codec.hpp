// tokenmaxx/usage/snapshot_codec.hpp: usage snapshots as bytes and as JSON, with a checksum.
//
// Ships `usage_snapshot`s between processes (a fleet of services shipping deltas to one
// aggregator) and to storage.
//
// Guarantees:
//   * encode_binary() / decode_binary(): versioned little-endian format "TMXS" v1 whose last 32 bytes are
//     the SHA-256 (OpenSSL EVP) of everything before. encode_json() / decode_json(): a JSON document
//     carrying the same SHA-256 (of the binary encoding of its content) in "sha256". Decoders reject
//     truncated, corrupted, unknown-version, duplicate-key or out-of-range input with a clear error.
//   * The SHA-256 detects corruption, not tampering: anyone can recompute it for a forged snapshot.
//   * Encoders write rows in canonical (tenant, model) order (a sorted copy is made if needed) and
//     decoders return that order, so equal snapshots encode to equal bytes.
//
// Thread safety: pure functions over values.
//
// Example:
//   std::string bytes = tokenmaxx::encode_binary(ledger.snapshot());
//   absl::StatusOr<tokenmaxx::usage_snapshot> back = tokenmaxx::decode_binary(bytes);  // DataLoss if a byte changed
//   std::string json = tokenmaxx::encode_json(*back);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/bytes.hpp"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/usage/detail/keys.hpp"
#include "tokenmaxx/usage/snapshot.hpp"

namespace tokenmaxx {
namespace usage_detail {

inline constexpr std::string_view snapshot_magic = "TMXS";
inline constexpr std::uint16_t snapshot_version = 1;

// Binary encoding without the trailing checksum.
inline std::string encode_snapshot_body(const usage_snapshot& s) {
  std::string out;
  out.reserve(32 + s.rows.size() * 120);
  out.append(snapshot_magic);
  base::put_le<std::uint16_t>(out, snapshot_version);
  out.push_back(static_cast<char>(s.kind));
  out.push_back(0);
  base::put_le<std::uint64_t>(out, static_cast<std::uint64_t>(s.start_time));
  base::put_le<std::uint64_t>(out, static_cast<std::uint64_t>(s.end_time));
  base::put_le<std::uint32_t>(out, static_cast<std::uint32_t>(s.rows.size()));
  for (const usage_row& r : s.rows) {
    for (const std::string* str : {&r.tenant, &r.model, &r.provider}) {
      base::put_le<std::uint16_t>(out, static_cast<std::uint16_t>(str->size()));
      out.append(*str);
    }
    for (std::uint64_t t : r.tokens) base::put_le<std::uint64_t>(out, t);
    base::put_le<std::uint64_t>(out, r.requests);
    base::put_le<std::uint64_t>(out, r.errors);
    base::put_le<std::uint64_t>(out, r.cost.micros);
    base::put_le<std::uint32_t>(out, r.cost.remainder);
    base::put_le<std::uint64_t>(out, r.cost.unpriced_tokens);
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
    if (auto st = check_key("snapshot row tenant", r.tenant, false); !st.ok()) return st;
    if (auto st = check_key("snapshot row model", r.model, false); !st.ok()) return st;
    if (auto st = check_key("snapshot row provider", r.provider, true); !st.ok()) return st;
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

}  // namespace usage_detail

// Encoders write rows in canonical order (a sorted copy is made if needed). Rows with duplicate keys
// or invalid key strings encode, but the decoders reject them.
inline std::string encode_binary(const usage_snapshot& snap) {
  usage_snapshot sorted;
  const usage_snapshot& s = usage_detail::in_canonical_order(snap, sorted);
  std::string out = usage_detail::encode_snapshot_body(s);
  base::sha256_digest d{};
  if (!base::try_sha256(out, d)) d.fill(0);  // never verifies; decode reports a checksum error
  out.append(reinterpret_cast<const char*>(d.data()), d.size());
  return out;
}

inline absl::StatusOr<usage_snapshot> decode_binary(std::string_view bytes) {
  constexpr std::size_t header = 4 + 2 + 1 + 1 + 8 + 8 + 4;
  constexpr std::size_t min_row = 3 * 2 + 5 * 8 + 8 + 8 + 8 + 4 + 8 + 1;
  if (bytes.size() < header + 32)
    return absl::DataLossError("snapshot: truncated (" + std::to_string(bytes.size()) + " bytes, need at least " + std::to_string(header + 32) + ")");
  if (bytes.substr(0, 4) != usage_detail::snapshot_magic) return absl::InvalidArgumentError("snapshot: bad magic (not a tokenmaxx snapshot)");
  const std::string_view body = bytes.substr(0, bytes.size() - 32);
  base::sha256_digest want{};
  if (!base::try_sha256(body, want)) return absl::InternalError("snapshot: SHA-256 unavailable");
  if (std::string_view(reinterpret_cast<const char*>(want.data()), 32) != bytes.substr(bytes.size() - 32))
    return absl::DataLossError("snapshot: SHA-256 checksum mismatch (truncated or tampered)");
  base::byte_reader rd(body.substr(4));
  std::uint16_t version = 0;
  std::uint8_t kind = 0, reserved = 0;
  std::uint64_t start = 0, end = 0;
  std::uint32_t count = 0;
  rd.le(version);
  if (version != usage_detail::snapshot_version)
    return absl::UnimplementedError("snapshot: unsupported version " + std::to_string(version));
  rd.le(kind);
  rd.le(reserved);
  rd.le(start);
  rd.le(end);
  rd.le(count);
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
      ok = ok && rd.le(n) && rd.bytes(n, *str);
    }
    for (std::uint64_t& t : r.tokens) ok = ok && rd.le(t);
    std::uint8_t flags = 0;
    ok = ok && rd.le(r.requests) && rd.le(r.errors) && rd.le(r.cost.micros) && rd.le(r.cost.remainder) &&
         rd.le(r.cost.unpriced_tokens) && rd.le(flags);
    if (!ok) return absl::DataLossError("snapshot: row data truncated");
    if (flags & ~3u) return absl::InvalidArgumentError("snapshot: unknown row flags");
    r.overflow = flags & 1;
    r.cost.overflow = flags & 2;
  }
  if (rd.remaining() != 0) return absl::InvalidArgumentError("snapshot: trailing bytes after the last row");
  if (auto st = usage_detail::validate_snapshot(s); !st.ok()) return st;
  return s;
}

inline std::string encode_json(const usage_snapshot& snap) {
  using nlohmann::json;
  usage_snapshot sorted;
  const usage_snapshot& s = usage_detail::in_canonical_order(snap, sorted);
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
  base::sha256_digest d{};
  if (!base::try_sha256(usage_detail::encode_snapshot_body(s), d)) d.fill(0);
  json doc = {{"format", "tokenmaxx.usage_snapshot"},
              {"version", usage_detail::snapshot_version},
              {"kind", s.kind == snapshot_kind::delta ? "delta" : "cumulative"},
              {"start_time", s.start_time},
              {"end_time", s.end_time},
              {"rows", std::move(rows)},
              {"sha256", base::to_hex(d)}};
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
  if (version != usage_detail::snapshot_version) return absl::UnimplementedError("snapshot JSON: unsupported version " + std::to_string(version));
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
  if (auto st = usage_detail::validate_snapshot(s); !st.ok()) return st;
  base::sha256_digest d{};
  if (!base::try_sha256(usage_detail::encode_snapshot_body(s), d)) return absl::InternalError("snapshot JSON: SHA-256 unavailable");
  if (base::to_hex(d) != sha) return absl::DataLossError("snapshot JSON: SHA-256 checksum mismatch (tampered)");
  return s;
}

}  // namespace tokenmaxx

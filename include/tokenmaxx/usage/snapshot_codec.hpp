// tokenmaxx/usage/snapshot_codec.hpp: usage snapshots as bytes and as JSON, checksummed or authenticated.
//
// Ships `usage_snapshot`s (snapshot.hpp) between processes (a fleet of services shipping deltas to
// one aggregator) and to storage. Each encoding is sealed one of two ways: a SHA-256 checksum,
// which detects corruption (a flipped bit, a truncated file) but not tampering, because anyone can
// recompute it for a forged snapshot; or an HMAC-SHA256 under a key the caller holds (base/hmac.hpp),
// which also detects tampering by anyone without the key.
//
// Guarantees:
//  - encode_binary() / decode_binary(): versioned little-endian format "TMXS" v2 whose header says
//    how it is sealed and whose last 32 bytes are the seal of everything before. encode_json() /
//    decode_json(): a JSON document carrying the same seal of the binary encoding of its content in
//    "sha256" or "hmac_sha256". All digests and MACs are OpenSSL's.
//  - The decoders without a key accept only checksummed input; the ones with a key accept only input
//    authenticated with that key (a checksummed snapshot is refused: it proves nothing). They reject
//    truncated, corrupted, unknown-version, duplicate-key or out-of-range input with a clear error:
//    DataLoss (truncated, seal mismatch), InvalidArgument (malformed, wrong seal kind),
//    Unimplemented (another format version; v1 from tokenmaxx 0.2 included).
//  - Canonical: encoders write rows in (tenant, model) order (a sorted copy is made if needed) and a
//    binary snapshot that decodes re-encodes to exactly the same bytes.
//  - Thread safety: pure functions over values; an hmac_sha256 key may be shared by threads.
//
// Example:
//   tokenmaxx::ledger ledger;
//   if (absl::Status st = ledger.record("acme", "gpt-4o", {.input = 10, .requests = 1}); !st.ok()) return st;
//   std::string bytes = tokenmaxx::encode_binary(ledger.snapshot());           // checksummed
//   absl::StatusOr<tokenmaxx::usage_snapshot> back = tokenmaxx::decode_binary(bytes);  // DataLoss if damaged
//   if (!back.ok()) return back.status();
//   std::array<unsigned char, 32> secret{};                                     // from your secret store
//   absl::StatusOr<tokenmaxx::base::hmac_sha256> key = tokenmaxx::base::hmac_sha256::create(secret);
//   if (!key.ok()) return key.status();
//   absl::StatusOr<std::string> signed_json = tokenmaxx::encode_json(*back, *key);  // authenticated
//   if (!signed_json.ok()) return signed_json.status();
//   absl::StatusOr<tokenmaxx::usage_snapshot> verified = tokenmaxx::decode_json(*signed_json, *key);
//   if (!verified.ok()) return verified.status();                               // DataLoss if forged
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/bytes.hpp"
#include "tokenmaxx/base/hmac.hpp"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/usage/detail/keys.hpp"
#include "tokenmaxx/usage/snapshot.hpp"

namespace tokenmaxx {
namespace usage_detail {

inline constexpr std::string_view snapshot_magic = "TMXS";
inline constexpr std::uint16_t snapshot_version = 2;
inline constexpr std::size_t seal_bytes = 32;
inline constexpr std::size_t snapshot_header_bytes = 4 + 2 + 1 + 1 + 8 + 8 + 4;
inline constexpr std::size_t seal_kind_offset = 7;

// How a snapshot is sealed; stored in the header, so it is covered by the seal itself.
enum class seal_kind : std::uint8_t { sha256 = 0, hmac_sha256 = 1 };

// Binary encoding without the trailing seal.
inline std::string encode_snapshot_body(const usage_snapshot& s, seal_kind seal) {
  std::string out;
  out.reserve(snapshot_header_bytes + seal_bytes + s.rows.size() * 130);
  out.append(snapshot_magic);
  base::put_le<std::uint16_t>(out, snapshot_version);
  out.push_back(static_cast<char>(s.kind));
  out.push_back(static_cast<char>(seal));
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

// The seal of `body`: its SHA-256, or its HMAC-SHA256 under `key`.
inline absl::StatusOr<std::array<std::uint8_t, seal_bytes>> seal_of(std::string_view body, const base::hmac_sha256* key) {
  std::array<std::uint8_t, seal_bytes> out{};
  if (key == nullptr) {
    if (!base::try_sha256(body, out)) return absl::InternalError("snapshot: SHA-256 failed in OpenSSL");
    return out;
  }
  std::array<unsigned char, seal_bytes> mac{};
  if (absl::Status s = key->mac(body, mac); !s.ok()) return s;
  for (std::size_t i = 0; i < seal_bytes; ++i) out[i] = mac[i];
  return out;
}

inline bool same_seal(std::string_view a, const std::array<std::uint8_t, seal_bytes>& b) noexcept {
  return a.size() == seal_bytes && CRYPTO_memcmp(a.data(), b.data(), seal_bytes) == 0;  // constant time
}

inline absl::Status seal_kind_error(seal_kind found, const base::hmac_sha256* key, std::string_view what) {
  if (key != nullptr && found == seal_kind::sha256)
    return absl::InvalidArgumentError(std::string(what) +
                                      ": only checksummed (SHA-256), not authenticated; a key was given, so it is refused");
  if (key == nullptr && found == seal_kind::hmac_sha256)
    return absl::InvalidArgumentError(std::string(what) + ": authenticated with HMAC-SHA256; decode it with the key");
  return absl::InvalidArgumentError(std::string(what) + ": unknown seal kind");
}

// Checks what a decoder must check beyond the seal: key validity, order/uniqueness, ranges.
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

inline absl::StatusOr<std::string> encode_binary_sealed(const usage_snapshot& snap, const base::hmac_sha256* key) {
  usage_snapshot sorted;
  std::string out = encode_snapshot_body(in_canonical_order(snap, sorted), key ? seal_kind::hmac_sha256 : seal_kind::sha256);
  auto seal = seal_of(out, key);
  if (!seal.ok()) return seal.status();
  out.append(reinterpret_cast<const char*>(seal->data()), seal->size());
  return out;
}

inline absl::StatusOr<usage_snapshot> decode_binary_sealed(std::string_view bytes, const base::hmac_sha256* key) {
  constexpr std::size_t min_row = 3 * 2 + token_type_count * 8 + 8 + 8 + 8 + 4 + 8 + 1;
  if (bytes.size() < snapshot_header_bytes + seal_bytes)
    return absl::DataLossError("snapshot: truncated (" + std::to_string(bytes.size()) + " bytes, need at least " +
                               std::to_string(snapshot_header_bytes + seal_bytes) + ")");
  if (bytes.substr(0, 4) != snapshot_magic) return absl::InvalidArgumentError("snapshot: bad magic (not a tokenmaxx snapshot)");
  const std::string_view body = bytes.substr(0, bytes.size() - seal_bytes);
  const auto found = static_cast<seal_kind>(static_cast<std::uint8_t>(body[seal_kind_offset]));
  if (found != (key ? seal_kind::hmac_sha256 : seal_kind::sha256)) {
    base::byte_reader version_reader(body.substr(4));
    std::uint16_t version = 0;
    if (version_reader.le(version) && version != snapshot_version)
      return absl::UnimplementedError("snapshot: unsupported format version " + std::to_string(version));
    return seal_kind_error(found, key, "snapshot");
  }
  auto want = seal_of(body, key);
  if (!want.ok()) return want.status();
  if (!same_seal(bytes.substr(bytes.size() - seal_bytes), *want))
    return absl::DataLossError(key ? "snapshot: HMAC-SHA256 mismatch (altered, forged, or another key)"
                                   : "snapshot: SHA-256 checksum mismatch (corrupted or truncated)");
  base::byte_reader rd(body.substr(4));
  std::uint16_t version = 0;
  std::uint8_t kind = 0, seal = 0;
  std::uint64_t start = 0, end = 0;
  std::uint32_t count = 0;
  rd.le(version);
  if (version != snapshot_version) return absl::UnimplementedError("snapshot: unsupported format version " + std::to_string(version));
  rd.le(kind);
  rd.le(seal);
  rd.le(start);
  rd.le(end);
  rd.le(count);
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
  if (auto st = validate_snapshot(s); !st.ok()) return st;
  return s;
}

inline absl::StatusOr<std::string> encode_json_sealed(const usage_snapshot& snap, const base::hmac_sha256* key) {
  using nlohmann::json;
  usage_snapshot sorted;
  const usage_snapshot& s = in_canonical_order(snap, sorted);
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
  auto seal = seal_of(encode_snapshot_body(s, key ? seal_kind::hmac_sha256 : seal_kind::sha256), key);
  if (!seal.ok()) return seal.status();
  json doc = {{"format", "tokenmaxx.usage_snapshot"},
              {"version", snapshot_version},
              {"kind", s.kind == snapshot_kind::delta ? "delta" : "cumulative"},
              {"start_time", s.start_time},
              {"end_time", s.end_time},
              {"rows", std::move(rows)},
              {key ? "hmac_sha256" : "sha256", base::to_hex(*seal)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

inline absl::StatusOr<usage_snapshot> decode_json_sealed(std::string_view text, const base::hmac_sha256* key) {
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
  std::string format, kind, seal;
  std::uint64_t version = 0;
  if (!get_str(doc, "format", format) || format != "tokenmaxx.usage_snapshot") return bad("missing or wrong \"format\"");
  if (!get_u64(doc, "version", version)) return bad("missing \"version\"");
  if (version != snapshot_version) return absl::UnimplementedError("snapshot JSON: unsupported format version " + std::to_string(version));
  const bool has_sha = doc.contains("sha256"), has_mac = doc.contains("hmac_sha256");
  if (has_sha == has_mac) return bad("needs exactly one of \"sha256\" and \"hmac_sha256\"");
  const seal_kind found = has_mac ? seal_kind::hmac_sha256 : seal_kind::sha256;
  if (found != (key ? seal_kind::hmac_sha256 : seal_kind::sha256)) return seal_kind_error(found, key, "snapshot JSON");
  if (!get_str(doc, has_mac ? "hmac_sha256" : "sha256", seal)) return bad("the seal is not a string");
  usage_snapshot s;
  if (!get_str(doc, "kind", kind) || (kind != "delta" && kind != "cumulative")) return bad("\"kind\" must be \"delta\" or \"cumulative\"");
  s.kind = kind == "delta" ? snapshot_kind::delta : snapshot_kind::cumulative;
  if (!get_i64(doc, "start_time", s.start_time) || !get_i64(doc, "end_time", s.end_time)) return bad("missing start_time/end_time");
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
  if (auto st = validate_snapshot(s); !st.ok()) return st;
  auto want = seal_of(encode_snapshot_body(s, found), key);
  if (!want.ok()) return want.status();
  const std::string want_hex = base::to_hex(*want);  // lower case: the only spelling accepted
  if (seal.size() != want_hex.size() || CRYPTO_memcmp(seal.data(), want_hex.data(), want_hex.size()) != 0)
    return absl::DataLossError(key ? "snapshot JSON: HMAC-SHA256 mismatch (altered, forged, or another key)"
                                   : "snapshot JSON: SHA-256 checksum mismatch (corrupted)");
  return s;
}

}  // namespace usage_detail

// Binary encoding sealed with a SHA-256 checksum (detects corruption, not tampering). Rows are
// written in canonical order; rows with duplicate keys or invalid key strings encode, but the
// decoders reject them.
inline std::string encode_binary(const usage_snapshot& snap) {
  absl::StatusOr<std::string> out = usage_detail::encode_binary_sealed(snap, nullptr);
  return out.ok() ? *std::move(out) : std::string();  // only if OpenSSL's SHA-256 failed; decodes to an error
}
// Binary encoding authenticated with HMAC-SHA256 under `key`. Errors: Internal if OpenSSL fails.
inline absl::StatusOr<std::string> encode_binary(const usage_snapshot& snap, const base::hmac_sha256& key) {
  return usage_detail::encode_binary_sealed(snap, &key);
}
inline absl::StatusOr<usage_snapshot> decode_binary(std::string_view bytes) {
  return usage_detail::decode_binary_sealed(bytes, nullptr);
}
inline absl::StatusOr<usage_snapshot> decode_binary(std::string_view bytes, const base::hmac_sha256& key) {
  return usage_detail::decode_binary_sealed(bytes, &key);
}

// JSON with the SHA-256 checksum of its binary encoding in "sha256".
inline std::string encode_json(const usage_snapshot& snap) {
  absl::StatusOr<std::string> out = usage_detail::encode_json_sealed(snap, nullptr);
  return out.ok() ? *std::move(out) : std::string();  // only if OpenSSL's SHA-256 failed; decodes to an error
}
// JSON with the HMAC-SHA256 of its binary encoding under `key` in "hmac_sha256".
inline absl::StatusOr<std::string> encode_json(const usage_snapshot& snap, const base::hmac_sha256& key) {
  return usage_detail::encode_json_sealed(snap, &key);
}
inline absl::StatusOr<usage_snapshot> decode_json(std::string_view text) { return usage_detail::decode_json_sealed(text, nullptr); }
inline absl::StatusOr<usage_snapshot> decode_json(std::string_view text, const base::hmac_sha256& key) {
  return usage_detail::decode_json_sealed(text, &key);
}

}  // namespace tokenmaxx

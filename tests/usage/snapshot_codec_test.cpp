// snapshot_codec.hpp: round trips, every truncation and bit flip, canonical bytes, the checksum
// (corruption) and the HMAC (tampering) seals.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

namespace {

using namespace tokenmaxx;
using usage_detail::seal_kind;

usage_snapshot sample() {
  usage_snapshot s;
  s.kind = snapshot_kind::delta;
  s.start_time = 1'700'000'000'000'000'000;
  s.end_time = 1'700'000'060'000'000'000;
  usage_row r{.tenant = "acme", .model = "gpt-4o", .provider = "openai"};
  r.tokens = {1, 2, 3, 4, 5, 6};
  r.requests = 7;
  r.errors = 8;
  r.cost = {.micros = 9, .remainder = 10, .unpriced_tokens = 11};
  s.rows.push_back(r);
  usage_row q{.tenant = "zeta", .model = "m\"\\x", .provider = ""};
  q.tokens = {UINT64_MAX, 0, 0, 0, 0, 0};
  q.overflow = true;
  q.cost.overflow = true;
  s.rows.push_back(q);
  return s;
}

base::hmac_sha256 key(unsigned char first) {
  std::array<unsigned char, 32> k{};
  k[0] = first;
  return *base::hmac_sha256::create(k);
}

// The checksum seal as an attacker recomputes it.
std::string reseal(std::string body) {
  base::sha256_digest d{};
  EXPECT_TRUE(base::try_sha256(body, d));
  body.append(reinterpret_cast<const char*>(d.data()), d.size());
  return body;
}

TEST(Binary, RoundTripAndEveryTruncationRejected) {
  const usage_snapshot s = sample();
  const std::string bytes = encode_binary(s);
  auto back = decode_binary(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(encode_binary(*back), bytes);  // canonical: re-encodes to the same bytes
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_binary(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " bytes was accepted";
    EXPECT_FALSE(r.status().message().empty());
  }
  EXPECT_FALSE(decode_binary(bytes + "x").ok());
}

TEST(Binary, EveryBitFlipRejected) {
  const std::string bytes = encode_binary(sample());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = bytes;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      ASSERT_FALSE(decode_binary(t).ok()) << "flip of byte " << i << " bit " << bit << " was accepted";
    }
  }
}

TEST(Binary, ValidChecksumButBadContentRejected) {
  // A hand-made body with a correct checksum must still be validated (fuzzers can get there).
  const usage_snapshot s = sample();
  const std::string body = usage_detail::encode_snapshot_body(s, seal_kind::sha256);
  std::string v1 = body;
  v1[4] = 1;  // the 0.2 format
  EXPECT_EQ(decode_binary(reseal(v1)).status().code(), absl::StatusCode::kUnimplemented);
  std::string v3 = body;
  v3[4] = 3;
  EXPECT_EQ(decode_binary(reseal(v3)).status().code(), absl::StatusCode::kUnimplemented);
  std::string bigcount = body;
  bigcount[usage_detail::snapshot_header_bytes - 1] = static_cast<char>(0x7f);
  EXPECT_FALSE(decode_binary(reseal(bigcount)).ok());
  usage_snapshot dup = s;
  dup.rows.push_back(dup.rows[0]);
  EXPECT_FALSE(decode_binary(reseal(usage_detail::encode_snapshot_body(dup, seal_kind::sha256))).ok());
  usage_snapshot badrem = s;
  badrem.rows[0].cost.remainder = 1'000'000;
  EXPECT_FALSE(decode_binary(reseal(usage_detail::encode_snapshot_body(badrem, seal_kind::sha256))).ok());
  std::string kind9 = body;
  kind9[6] = 9;
  EXPECT_EQ(decode_binary(reseal(kind9)).status().code(), absl::StatusCode::kInvalidArgument);
  std::string seal7 = body;
  seal7[usage_detail::seal_kind_offset] = 7;
  EXPECT_EQ(decode_binary(reseal(seal7)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_binary(std::string(100, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
}

// Issue 10, defect 7: the checksum detects corruption only; the keyed seal detects tampering.
TEST(Binary, TheChecksumDoesNotAuthenticateButTheHmacDoes) {
  usage_snapshot forged = sample();
  forged.rows[0].cost.micros = 1;  // a tenant lowering its own bill
  const std::string forged_bytes = reseal(usage_detail::encode_snapshot_body(forged, seal_kind::sha256));
  EXPECT_TRUE(decode_binary(forged_bytes).ok()) << "a recomputed checksum passes: it is not authentication";

  const base::hmac_sha256 k = key(1);
  const absl::StatusOr<std::string> sealed = encode_binary(sample(), k);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  auto back = decode_binary(*sealed, k);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, sample());
  EXPECT_EQ(*encode_binary(*back, k), *sealed);
  // The forger without the key: a checksum-sealed forgery, or an HMAC-marked one with a recomputed
  // SHA-256 trailer, or one sealed with another key.
  EXPECT_EQ(decode_binary(forged_bytes, k).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_binary(reseal(usage_detail::encode_snapshot_body(forged, seal_kind::hmac_sha256)), k).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(decode_binary(*encode_binary(forged, key(2)), k).status().code(), absl::StatusCode::kDataLoss);
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    std::string t = *sealed;
    t[i] = static_cast<char>(t[i] ^ 0x10);
    ASSERT_FALSE(decode_binary(t, k).ok()) << "byte " << i;
  }
  // An authenticated snapshot needs the key.
  EXPECT_EQ(decode_binary(*sealed).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decode_binary(*sealed).status().message().find("key"), std::string_view::npos);
}

TEST(Json, RoundTripTruncationAndCorruption) {
  const usage_snapshot s = sample();
  const std::string text = encode_json(s);
  auto back = decode_json(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(encode_json(*back), text);
  for (std::size_t n = 0; n < text.size(); ++n)
    ASSERT_FALSE(decode_json(std::string_view(text).substr(0, n)).ok()) << "truncated JSON accepted at " << n;
  auto doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["rows"][0]["cache_creation_1h"], 4);
  auto changed = doc;
  changed["rows"][0]["input"] = 2;
  EXPECT_EQ(decode_json(changed.dump()).status().code(), absl::StatusCode::kDataLoss);
  changed = doc;
  changed["rows"][0]["tenant"] = "acne";
  EXPECT_EQ(decode_json(changed.dump()).status().code(), absl::StatusCode::kDataLoss);
  changed = doc;
  changed["version"] = 9;
  EXPECT_EQ(decode_json(changed.dump()).status().code(), absl::StatusCode::kUnimplemented);
  changed = doc;
  changed["rows"][0]["requests"] = -1;
  EXPECT_FALSE(decode_json(changed.dump()).ok());
  changed = doc;
  changed["rows"][0].erase("errors");
  EXPECT_FALSE(decode_json(changed.dump()).ok());
  changed = doc;
  changed["hmac_sha256"] = doc["sha256"];
  EXPECT_EQ(decode_json(changed.dump()).status().code(), absl::StatusCode::kInvalidArgument);  // two seals
  std::string upper = text;
  const std::size_t at = upper.find(doc["sha256"].get<std::string>());
  std::transform(upper.begin() + static_cast<std::ptrdiff_t>(at), upper.begin() + static_cast<std::ptrdiff_t>(at) + 64,
                 upper.begin() + static_cast<std::ptrdiff_t>(at), [](char c) { return static_cast<char>(std::toupper(c)); });
  EXPECT_FALSE(decode_json(upper).ok());  // one spelling of the seal only
  EXPECT_FALSE(decode_json("[]").ok());
  // Every single-character change of a digit is caught.
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') continue;
    std::string t = text;
    t[i] = t[i] == '9' ? '0' : static_cast<char>(t[i] + 1);
    ASSERT_FALSE(decode_json(t).ok()) << "digit change at " << i << " accepted";
  }
}

TEST(Json, HmacSealDetectsTampering) {
  const base::hmac_sha256 k = key(7);
  const absl::StatusOr<std::string> text = encode_json(sample(), k);
  ASSERT_TRUE(text.ok());
  auto doc = nlohmann::json::parse(*text);
  ASSERT_TRUE(doc.contains("hmac_sha256"));
  EXPECT_FALSE(doc.contains("sha256"));
  auto back = decode_json(*text, k);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, sample());
  // Changing a number and recomputing a checksum does not help without the key.
  auto forged = doc;
  forged["rows"][0]["cost_micros"] = 1;
  EXPECT_EQ(decode_json(forged.dump(), k).status().code(), absl::StatusCode::kDataLoss);
  usage_snapshot f = sample();
  f.rows[0].cost.micros = 1;
  forged.erase("hmac_sha256");
  forged["sha256"] = base::sha256_hex(usage_detail::encode_snapshot_body(f, seal_kind::sha256));
  EXPECT_TRUE(decode_json(forged.dump()).ok());                                                // checksum only
  EXPECT_EQ(decode_json(forged.dump(), k).status().code(), absl::StatusCode::kInvalidArgument);  // refused with a key
  EXPECT_EQ(decode_json(*encode_json(f, key(8)), k).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(decode_json(*text).status().code(), absl::StatusCode::kInvalidArgument);  // needs the key
}

TEST(Encoding, LedgerSnapshotRoundTripsAndIsCanonical) {
  ledger l;
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(l.record("tenant-" + std::to_string(i % 37), "model-" + std::to_string(i % 5),
                         {.input = 1u + static_cast<unsigned>(i), .cache_creation_1h = 2, .requests = 1})
                    .ok());
  usage_snapshot s = l.snapshot(5);
  usage_snapshot table_order = s;
  s.canonicalize();
  EXPECT_EQ(s, table_order);  // equality ignores row order
  for (std::size_t i = 1; i < s.rows.size(); ++i)
    EXPECT_LT(std::tie(s.rows[i - 1].tenant, s.rows[i - 1].model), std::tie(s.rows[i].tenant, s.rows[i].model));
  EXPECT_EQ(*decode_binary(encode_binary(s)), s);
  EXPECT_EQ(*decode_json(encode_json(s)), s);
  // Non-canonical hand-built snapshot is encoded in canonical order.
  usage_snapshot rev = s;
  std::reverse(rev.rows.begin(), rev.rows.end());
  EXPECT_EQ(decode_binary(encode_binary(rev))->rows, s.rows);
  EXPECT_EQ(encode_binary(table_order), encode_binary(s));
}

// Random garbage and random multi-byte corruption never crash the decoders and are always rejected
// (a smoke test; the fuzzer in fuzz/usage has the full properties and its seeds run in ctest).
TEST(Decoders, RandomInputIsRejectedWithoutCrashing) {
  std::mt19937_64 rng(2024);
  const std::string good = encode_binary(sample());
  const std::string good_json = encode_json(sample());
  for (int iter = 0; iter < 3000; ++iter) {
    std::string junk(rng() % 300, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (iter % 3 == 0 && junk.size() >= 4) junk.replace(0, 4, "TMXS");
    EXPECT_FALSE(decode_binary(junk).ok());
    EXPECT_FALSE(decode_json(junk).ok());
    std::string t = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) t[rng() % t.size()] = static_cast<char>(rng());
    if (t != good) {
      EXPECT_FALSE(decode_binary(t).ok());
    }
    std::string j = good_json;
    j[rng() % j.size()] = static_cast<char>(rng());
    if (j != good_json) {
      auto r = decode_json(j);
      // A change inside JSON whitespace can still parse to the same content; only then may it
      // verify, and then it must decode to the original.
      if (r.ok()) {
        EXPECT_EQ(*r, sample());
      }
    }
  }
}

}  // namespace

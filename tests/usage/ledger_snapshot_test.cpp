// Snapshot algebra and encodings: merge laws, subtract, round trips, truncation and tampering.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

namespace {

using namespace tokenmaxx;

usage_snapshot random_snapshot(std::mt19937_64& rng, snapshot_kind kind = snapshot_kind::delta) {
  usage_snapshot s;
  s.kind = kind;
  s.start_time = static_cast<std::int64_t>(rng() % 1000);
  s.end_time = s.start_time + static_cast<std::int64_t>(rng() % 1000);
  const int n = static_cast<int>(rng() % 6);
  for (int i = 0; i < n; ++i) {
    usage_row r;
    r.tenant = "t" + std::to_string(rng() % 4);
    r.model = "m" + std::to_string(rng() % 3);
    if (s.find(r.tenant, r.model)) continue;
    r.provider = (rng() % 2) ? "openai" : "";
    for (auto& t : r.tokens) t = rng() % 1'000'000;
    r.requests = rng() % 100;
    r.errors = rng() % 5;
    r.cost.micros = rng() % 1'000'000'000;
    r.cost.remainder = static_cast<std::uint32_t>(rng() % 1'000'000);
    r.cost.unpriced_tokens = rng() % 50;
    s.rows.push_back(r);
    s.canonicalize();
  }
  return s;
}

TEST(Merge, LawsHoldOnRandomSnapshots) {
  std::mt19937_64 rng(42);
  usage_snapshot empty;
  empty.kind = snapshot_kind::delta;
  for (int iter = 0; iter < 300; ++iter) {
    usage_snapshot a = random_snapshot(rng), b = random_snapshot(rng), c = random_snapshot(rng);
    auto ab = merge(a, b), ba = merge(b, a);
    ASSERT_TRUE(ab.ok() && ba.ok());
    EXPECT_EQ(*ab, *ba) << "commutativity";
    auto ab_c = merge(*ab, c);
    auto bc = merge(b, c);
    ASSERT_TRUE(bc.ok());
    auto a_bc = merge(a, *bc);
    ASSERT_TRUE(ab_c.ok() && a_bc.ok());
    EXPECT_EQ(*ab_c, *a_bc) << "associativity";
    // Identity on rows (the empty snapshot's time range 0..0 widens the hull, so compare rows only).
    EXPECT_EQ(merge(a, empty)->rows, a.rows);
    // Totals are exact: per-field sums, remainders carried.
    for (const usage_row& r : ab->rows) {
      const usage_row* x = a.find(r.tenant, r.model);
      const usage_row* y = b.find(r.tenant, r.model);
      std::uint64_t in = (x ? x->tokens[0] : 0) + (y ? y->tokens[0] : 0);
      EXPECT_EQ(r.tokens[0], in);
      __extension__ unsigned __int128 pico = 0;
      for (const usage_row* z : {x, y})
        if (z) pico += static_cast<unsigned __int128>(z->cost.micros) * 1'000'000u + z->cost.remainder;
      EXPECT_TRUE(static_cast<unsigned __int128>(r.cost.micros) * 1'000'000u + r.cost.remainder == pico);
    }
  }
}

TEST(Merge, KindMismatchAndProviderConflictAreErrors) {
  usage_snapshot a, b;
  a.kind = snapshot_kind::delta;
  b.kind = snapshot_kind::cumulative;
  EXPECT_EQ(merge(a, b).status().code(), absl::StatusCode::kInvalidArgument);
  b.kind = snapshot_kind::delta;
  a.rows.push_back(usage_row{.tenant = "t", .model = "m", .provider = "openai"});
  b.rows.push_back(usage_row{.tenant = "t", .model = "m", .provider = "azure"});
  EXPECT_EQ(merge(a, b).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Merge, SaturatesAndFlagsOverflow) {
  usage_snapshot a;
  a.kind = snapshot_kind::delta;
  a.rows.push_back(usage_row{.tenant = "t", .model = "m"});
  a.rows[0].tokens[3] = UINT64_MAX - 1;
  a.rows[0].cost.micros = UINT64_MAX;
  a.rows[0].cost.remainder = 999'999;
  auto m = merge(a, a);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->rows[0].tokens[3], UINT64_MAX);
  EXPECT_TRUE(m->rows[0].overflow);
  EXPECT_EQ(m->rows[0].cost.micros, UINT64_MAX);
  EXPECT_TRUE(m->rows[0].cost.overflow);
}

TEST(Subtract, CumulativeDifferencesAreDeltas) {
  ledger l;
  ASSERT_TRUE(l.record("a", "m", {.input = 3, .requests = 1}).ok());
  usage_snapshot s1 = l.snapshot(100);
  ASSERT_TRUE(l.record("a", "m", {.input = 4, .requests = 1}).ok());
  ASSERT_TRUE(l.record("b", "m", {.output = 9}).ok());
  usage_snapshot s2 = l.snapshot(200);
  auto d = subtract(s2, s1);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, snapshot_kind::delta);
  EXPECT_EQ(d->start_time, 100);
  EXPECT_EQ(d->end_time, 200);
  EXPECT_EQ(d->find("a", "m")->tokens_of(token_type::input), 4u);
  EXPECT_EQ(d->find("b", "m")->tokens_of(token_type::output), 9u);
  EXPECT_EQ(subtract(s1, s2).status().code(), absl::StatusCode::kFailedPrecondition);
  delta_tracker tr;
  EXPECT_EQ(tr.next(s1)->find("a", "m")->tokens_of(token_type::input), 3u);
  EXPECT_EQ(tr.next(s2)->find("a", "m")->tokens_of(token_type::input), 4u);
}

usage_snapshot sample() {
  usage_snapshot s;
  s.kind = snapshot_kind::delta;
  s.start_time = 1'700'000'000'000'000'000;
  s.end_time = 1'700'000'060'000'000'000;
  usage_row r{.tenant = "acme", .model = "gpt-4o", .provider = "openai"};
  r.tokens = {1, 2, 3, 4, 5};
  r.requests = 6;
  r.errors = 7;
  r.cost = {.micros = 8, .remainder = 9, .unpriced_tokens = 10};
  s.rows.push_back(r);
  usage_row q{.tenant = "zeta", .model = "m\"\\x", .provider = ""};
  q.tokens = {UINT64_MAX, 0, 0, 0, 0};
  q.overflow = true;
  s.rows.push_back(q);
  return s;
}

TEST(Binary, RoundTripAndEveryTruncationRejected) {
  const usage_snapshot s = sample();
  const std::string bytes = encode_binary(s);
  auto back = decode_binary(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_binary(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " bytes was accepted";
    EXPECT_FALSE(r.status().message().empty());
  }
  auto longer = decode_binary(bytes + "x");
  EXPECT_FALSE(longer.ok());
}

TEST(Binary, EveryBitFlipRejected) {
  const std::string bytes = encode_binary(sample());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = bytes;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      auto r = decode_binary(t);
      ASSERT_FALSE(r.ok()) << "flip of byte " << i << " bit " << bit << " was accepted";
    }
  }
}

TEST(Binary, ValidChecksumButBadContentRejected) {
  // A hand-made body with a correct checksum must still be validated (fuzzers can get there).
  usage_snapshot s = sample();
  std::string body = tokenmaxx::usage_detail::encode_snapshot_body(s);
  auto seal = [](std::string b) {
    tokenmaxx::base::sha256_digest d{};
    tokenmaxx::base::try_sha256(b, d);
    b.append(reinterpret_cast<const char*>(d.data()), d.size());
    return b;
  };
  std::string v2 = body;
  v2[4] = 2;  // version
  EXPECT_EQ(decode_binary(seal(v2)).status().code(), absl::StatusCode::kUnimplemented);
  std::string bigcount = body;
  bigcount[4 + 2 + 1 + 1 + 8 + 8] = static_cast<char>(0xff);
  EXPECT_FALSE(decode_binary(seal(bigcount)).ok());
  usage_snapshot dup = s;
  dup.rows.push_back(dup.rows[0]);
  EXPECT_FALSE(decode_binary(seal(tokenmaxx::usage_detail::encode_snapshot_body(dup))).ok());
  usage_snapshot badrem = s;
  badrem.rows[0].cost.remainder = 1'000'000;
  EXPECT_FALSE(decode_binary(seal(tokenmaxx::usage_detail::encode_snapshot_body(badrem))).ok());
  EXPECT_EQ(decode_binary(std::string(100, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Json, RoundTripTruncationAndTampering) {
  const usage_snapshot s = sample();
  const std::string text = encode_json(s);
  auto back = decode_json(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  for (std::size_t n = 0; n < text.size(); ++n)
    ASSERT_FALSE(decode_json(std::string_view(text).substr(0, n)).ok()) << "truncated JSON accepted at " << n;
  auto doc = nlohmann::json::parse(text);
  auto tampered = doc;
  tampered["rows"][0]["input"] = 2;
  EXPECT_EQ(decode_json(tampered.dump()).status().code(), absl::StatusCode::kDataLoss);
  tampered = doc;
  tampered["rows"][0]["tenant"] = "acne";
  EXPECT_EQ(decode_json(tampered.dump()).status().code(), absl::StatusCode::kDataLoss);
  tampered = doc;
  tampered["version"] = 9;
  EXPECT_EQ(decode_json(tampered.dump()).status().code(), absl::StatusCode::kUnimplemented);
  tampered = doc;
  tampered["rows"][0]["requests"] = -1;
  EXPECT_FALSE(decode_json(tampered.dump()).ok());
  tampered = doc;
  tampered["rows"][0].erase("errors");
  EXPECT_FALSE(decode_json(tampered.dump()).ok());
  EXPECT_FALSE(decode_json("[]").ok());
  // Every single-character change of a digit is caught.
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') continue;
    std::string t = text;
    t[i] = t[i] == '9' ? '0' : static_cast<char>(t[i] + 1);
    ASSERT_FALSE(decode_json(t).ok()) << "digit change at " << i << " accepted";
  }
}

TEST(Encoding, LedgerSnapshotRoundTripsAndIsCanonical) {
  ledger l;
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(l.record("tenant-" + std::to_string(i % 37), "model-" + std::to_string(i % 5), {.input = 1u + i, .requests = 1}).ok());
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
  EXPECT_EQ(decode_binary(encode_binary(table_order))->rows, s.rows);
}

// Random garbage and random multi-byte corruption never crash the decoders and are always rejected
// (a fuzzer-style smoke test; the real fuzzer lives under fuzz/).
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
      // A change inside JSON whitespace-insensitive syntax can still parse to the same content (e.g. a
      // space after a comma); only then may it verify, and then it must decode to the original.
      if (r.ok()) {
        EXPECT_EQ(*r, sample());
      }
    }
  }
}

}  // namespace

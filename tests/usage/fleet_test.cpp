// fleet.hpp: exactly-once application of numbered delta batches (resends, gaps, fencing of a
// restarted source's old incarnation, checkpoints), authentication of batches and of the saved
// state, and exact totals against one ledger that saw every event.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tokenmaxx/usage/fleet.hpp"
#include "tokenmaxx/usage/ledger.hpp"

namespace {

using namespace tokenmaxx;

base::hmac_sha256 key(unsigned char fill = 7) {
  std::array<unsigned char, 32> secret{};
  secret.fill(fill);
  return *base::hmac_sha256::create(secret);
}

struct event {
  std::string tenant, model;
  usage u;
};
event event_of(std::uint64_t i) {
  return {"tenant-" + std::to_string(i % 4), i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini",
          {.input = i % 1000 + 1, .output = i % 17, .requests = 1}};
}

// Compares token counts and requests row by row (times differ by construction).
void expect_same_counts(const usage_snapshot& got, const usage_snapshot& want) {
  ASSERT_EQ(got.rows.size(), want.rows.size());
  for (const usage_row& w : want.rows) {
    const usage_row* g = got.find(w.tenant, w.model);
    ASSERT_NE(g, nullptr) << w.tenant << "/" << w.model;
    EXPECT_EQ(g->tokens, w.tokens) << w.tenant << "/" << w.model;
    EXPECT_EQ(g->requests, w.requests) << w.tenant << "/" << w.model;
  }
}

TEST(Fleet, ResentBatchIsAcknowledgedButNotAddedTwice) {
  fleet_aggregator agg(key());
  const fleet_welcome w = *agg.begin("api-1");
  EXPECT_EQ(w.incarnation, 1u);
  EXPECT_EQ(w.checkpoint, 0u);
  ledger l;
  delta_shipper ship("api-1", w.incarnation, key());
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 10, .requests = 1}).ok());
  const std::string b1 = *ship.seal(l.snapshot(), 1);
  ASSERT_EQ(ship.pending().size(), 1u);
  const fleet_receipt first = *agg.apply(b1);
  EXPECT_TRUE(first.applied);
  const fleet_receipt again = *agg.apply(b1);
  EXPECT_FALSE(again.applied);
  EXPECT_EQ(again.sequence, 1u);
  ship.acknowledge(again.sequence);
  EXPECT_TRUE(ship.pending().empty());
  EXPECT_EQ(agg.total().find("acme", "gpt-4o")->tokens_of(token_type::input), 10u);
  EXPECT_EQ(agg.source("api-1")->batches_applied, 1u);
}

TEST(Fleet, GapIsRefusedAndTheShipperResendsInOrder) {
  fleet_aggregator agg(key());
  delta_shipper ship("api-1", agg.begin("api-1")->incarnation, key());
  ledger l;
  for (std::uint64_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 1, .requests = 1}).ok());
    ASSERT_TRUE(ship.seal(l.snapshot(), i + 1).ok());
  }
  ASSERT_EQ(ship.pending().size(), 3u);
  const absl::StatusOr<fleet_receipt> skipped = agg.apply(ship.pending()[1].bytes);  // batch 1 was lost
  EXPECT_EQ(skipped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(skipped.status().message().find("expected 1"), std::string_view::npos) << skipped.status();
  EXPECT_TRUE(agg.total().rows.empty());
  for (const auto& p : ship.pending()) ASSERT_TRUE(agg.apply(p.bytes)->applied);
  ship.acknowledge(3);
  EXPECT_EQ(agg.total().find("acme", "gpt-4o")->requests, 3u);
  EXPECT_EQ(agg.source("api-1")->checkpoint, 3u);
}

TEST(Fleet, RestartFencesTheOldIncarnationAndResumesFromTheCheckpoint) {
  fleet_aggregator agg(key());
  usage_snapshot all_events;  // what one ledger that saw every event once would hold
  ledger reference;
  constexpr std::uint64_t n = 1000, crash_at = 437, ship_every = 50;

  // First incarnation: ships every 50 events, crashes after event 437 (its last 37 are lost).
  std::string late_batch;
  {
    delta_shipper ship("api-1", agg.begin("api-1")->incarnation, key());
    ledger l;
    for (std::uint64_t i = 0; i < crash_at; ++i) {
      const event e = event_of(i);
      ASSERT_TRUE(l.record(e.tenant, e.model, e.u).ok());
      if ((i + 1) % ship_every == 0) {
        ASSERT_TRUE(agg.apply(*ship.seal(l.snapshot(), i + 1))->applied);
        ship.acknowledge(ship.pending().back().sequence);
      }
    }
    late_batch = *ship.seal(l.snapshot(), crash_at);  // sealed, never delivered before the crash
  }
  // The restarted instance: a new incarnation, resuming from the last applied checkpoint.
  const fleet_welcome w = *agg.begin("api-1");
  EXPECT_EQ(w.incarnation, 2u);
  EXPECT_EQ(w.checkpoint, 400u);
  // The crashed incarnation's batch arrives late: fenced, nothing added.
  EXPECT_EQ(agg.apply(late_batch).status().code(), absl::StatusCode::kFailedPrecondition);
  {
    delta_shipper ship("api-1", w.incarnation, key());
    ledger l;
    for (std::uint64_t i = w.checkpoint; i < n; ++i) {
      const event e = event_of(i);
      ASSERT_TRUE(l.record(e.tenant, e.model, e.u).ok());
      if ((i + 1) % ship_every == 0 || i + 1 == n) {
        ASSERT_TRUE(agg.apply(*ship.seal(l.snapshot(), i + 1))->applied);
      }
    }
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    const event e = event_of(i);
    ASSERT_TRUE(reference.record(e.tenant, e.model, e.u).ok());
  }
  expect_same_counts(agg.total(), reference.snapshot());
  EXPECT_EQ(agg.source("api-1")->checkpoint, n);
}

TEST(Fleet, ManySourcesInRandomInterleavingWithRepeatsGiveExactTotals) {
  fleet_aggregator agg(key());
  ledger reference;
  constexpr int sources = 5;
  std::vector<ledger> ledgers(sources);
  std::vector<delta_shipper> shippers;
  for (int s = 0; s < sources; ++s) {
    const std::string name = "svc-" + std::to_string(s);
    shippers.emplace_back(name, agg.begin(name)->incarnation, key());
  }
  std::mt19937_64 rng(42);
  std::vector<std::string> wire;  // every batch ever sent, resent at random
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const int s = static_cast<int>(rng() % sources);
    const event e = event_of(i);
    ASSERT_TRUE(ledgers[s].record(e.tenant, e.model, e.u).ok());
    ASSERT_TRUE(reference.record(e.tenant, e.model, e.u).ok());
    if (rng() % 40 == 0) {
      ASSERT_TRUE(shippers[s].seal(ledgers[s].snapshot(), i).ok());
      for (const auto& p : shippers[s].pending()) {
        absl::StatusOr<fleet_receipt> r = agg.apply(p.bytes);
        ASSERT_TRUE(r.ok()) << r.status();
        wire.push_back(p.bytes);
      }
      shippers[s].acknowledge(shippers[s].pending().back().sequence);
    }
    if (!wire.empty() && rng() % 7 == 0) {
      ASSERT_FALSE(agg.apply(wire[rng() % wire.size()])->applied);  // a duplicate
    }
  }
  for (int s = 0; s < sources; ++s) {
    ASSERT_TRUE(shippers[s].seal(ledgers[s].snapshot(), 5000).ok());
    ASSERT_TRUE(agg.apply(shippers[s].pending().back().bytes).ok());
  }
  expect_same_counts(agg.total(), reference.snapshot());
}

TEST(Fleet, ForgedTruncatedOrForeignBatchesAreRefusedAndChangeNothing) {
  fleet_aggregator agg(key());
  delta_shipper ship("api-1", agg.begin("api-1")->incarnation, key());
  delta_shipper foreign("api-1", 1, key(9));  // another fleet's key
  ledger l;
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 10, .requests = 1}).ok());
  const std::string good = *ship.seal(l.snapshot(), 1);
  EXPECT_EQ(agg.apply(*foreign.seal(l.snapshot(), 1)).status().code(), absl::StatusCode::kDataLoss);
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x10);
    EXPECT_FALSE(agg.apply(flipped).ok()) << "flip at " << i;
  }
  for (std::size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(agg.apply(good.substr(0, n)).ok()) << "cut at " << n;
  EXPECT_TRUE(agg.total().rows.empty());
  EXPECT_EQ(agg.source("api-1")->last_sequence, 0u);
  EXPECT_TRUE(agg.apply(good)->applied);
}

TEST(Fleet, RefusesUnknownSourcesNeverIssuedIncarnationsAndBackwardCheckpoints) {
  fleet_aggregator agg(key());
  ledger l;
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 1, .requests = 1}).ok());
  delta_shipper stranger("nobody", 1, key());
  EXPECT_EQ(agg.apply(*stranger.seal(l.snapshot(), 1)).status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(agg.begin("api-1").ok());
  delta_shipper future("api-1", 5, key());
  EXPECT_EQ(agg.apply(*future.seal(l.snapshot(), 1)).status().code(), absl::StatusCode::kFailedPrecondition);
  delta_shipper ship("api-1", 1, key());
  ASSERT_TRUE(agg.apply(*ship.seal(l.snapshot(), 10)).ok());
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 1, .requests = 1}).ok());
  const absl::StatusOr<fleet_receipt> back = agg.apply(*ship.seal(l.snapshot(), 9));
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(agg.total().find("acme", "gpt-4o")->requests, 1u);
  EXPECT_EQ(agg.begin("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(agg.begin(std::string(300, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Fleet, SavedStateRestoresExactlyAndRefusesTampering) {
  fleet_aggregator agg(key());
  delta_shipper ship("api-1", agg.begin("api-1")->incarnation, key());
  ledger l;
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 10, .requests = 1}).ok());
  const std::string b1 = *ship.seal(l.snapshot(), 1);
  ASSERT_TRUE(agg.apply(b1).ok());
  const std::string state = *agg.save();

  fleet_aggregator back = *fleet_aggregator::restore(state, key());
  EXPECT_EQ(back.total(), agg.total());
  EXPECT_EQ(back.source("api-1"), agg.source("api-1"));
  EXPECT_EQ(*back.save(), state);
  EXPECT_FALSE(back.apply(b1)->applied);  // the restarted aggregator remembers batch 1
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 5, .requests = 1}).ok());
  EXPECT_TRUE(back.apply(*ship.seal(l.snapshot(), 2))->applied);
  EXPECT_EQ(back.total().find("acme", "gpt-4o")->tokens_of(token_type::input), 15u);

  EXPECT_EQ(fleet_aggregator::restore(state, key(9)).status().code(), absl::StatusCode::kDataLoss);
  for (std::size_t i = 0; i < state.size(); ++i) {
    std::string flipped = state;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_FALSE(fleet_aggregator::restore(flipped, key()).ok()) << "flip at " << i;
  }
  for (std::size_t n = 0; n < state.size(); ++n) EXPECT_FALSE(fleet_aggregator::restore(state.substr(0, n), key()).ok()) << n;
}

TEST(Fleet, ShipperRefusesSnapshotsOutOfOrderAndKeepsItsState) {
  delta_shipper ship("api-1", 1, key());
  ledger l;
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 10, .requests = 1}).ok());
  const usage_snapshot early = l.snapshot();
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 10, .requests = 1}).ok());
  ASSERT_TRUE(ship.seal(l.snapshot(), 2).ok());
  EXPECT_EQ(ship.seal(early, 1).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ship.pending().size(), 1u);
  EXPECT_EQ(delta_shipper("", 1, key()).seal(l.snapshot(), 1).status().code(), absl::StatusCode::kInvalidArgument);
}

// The aggregator's stated thread safety: sources shipping from their own threads while another thread
// reads and saves the state; the total is exact and every saved state restores.
TEST(Fleet, ConcurrentSourcesReadersAndSavesGiveExactTotals) {
  fleet_aggregator agg(key());
  constexpr int sources = 4;
  constexpr std::uint64_t per_source = 2000;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      const std::string state = *agg.save();
      ASSERT_TRUE(fleet_aggregator::restore(state, key()).ok());
      (void)agg.total();
    }
  });
  std::vector<std::thread> writers;
  for (int s = 0; s < sources; ++s) {
    writers.emplace_back([&agg, s] {
      const std::string name = "svc-" + std::to_string(s);
      delta_shipper ship(name, agg.begin(name)->incarnation, key());
      ledger l;
      for (std::uint64_t i = 0; i < per_source; ++i) {
        const event e = event_of(i);
        ASSERT_TRUE(l.record(e.tenant, e.model, e.u).ok());
        if ((i + 1) % 100 == 0) {
          absl::StatusOr<fleet_receipt> r = agg.apply(*ship.seal(l.snapshot(), i + 1));
          ASSERT_TRUE(r.ok() && r->applied) << r.status();
          ASSERT_FALSE(agg.apply(ship.pending().back().bytes)->applied);  // a resend
          ship.acknowledge(r->sequence);
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  done = true;
  reader.join();
  ledger reference;
  for (int s = 0; s < sources; ++s)
    for (std::uint64_t i = 0; i < per_source; ++i) {
      const event e = event_of(i);
      ASSERT_TRUE(reference.record(e.tenant, e.model, e.u).ok());
    }
  expect_same_counts(agg.total(), reference.snapshot());
}

}  // namespace

// tokenmaxx/usage/fleet.hpp: many service instances ship usage deltas to one aggregator, exactly once.
//
// Each instance of a service keeps its own `ledger` (ledger.hpp). A `delta_shipper` turns the
// ledger's cumulative snapshots into numbered, authenticated delta batches; one `fleet_aggregator`
// applies them to a fleet-wide total. The transport is the caller's (TCP, a queue, files): the
// batches are bytes, and the rules below keep the total exact when the transport loses, repeats or
// reorders them and when an instance crashes and restarts. examples/fleet/ is a complete program
// pair on TCP, tested with several processes on loopback, one of them killed mid-run.
//
// Guarantees:
//  - Exactly once: a batch is named by (source, incarnation, sequence), sequences start at 1 and
//    have no gaps. apply() adds a batch only when it is the next one of the source's current
//    incarnation; a batch it already applied is acknowledged again without being added (so a
//    shipper that lost the acknowledgement just resends); a batch past a gap is refused
//    (FailedPrecondition naming the expected sequence). The shipper keeps every batch until it is
//    acknowledged and resends the same bytes: at-least-once delivery plus this check is exactly once.
//  - Restarts: an instance that (re)starts calls begin(source) on the aggregator, which hands out a
//    new incarnation and fences the old one (its late batches are refused), and returns the
//    source's checkpoint: an opaque number the instance commits together with each batch, such as
//    the offset of the last event of its input queue the batch covers. Resuming from there redoes
//    exactly the work whose usage was lost with the crashed process. (An instance whose work cannot
//    be replayed loses at most what it recorded since its last batch: ship often, and ship once more
//    on shutdown.)
//  - Authenticated: batches and the aggregator's saved state carry an HMAC-SHA256 under the fleet
//    key (base/hmac.hpp, OpenSSL); a forged, altered or truncated batch is refused (DataLoss) and
//    changes nothing. A checkpoint that goes backwards within a source is refused (InvalidArgument).
//    begin() takes no MAC (it carries no usage), but it fences the running instance: expose it only
//    to authenticated callers (mTLS, or a request your transport authenticates).
//  - The total is a `delta` snapshot (snapshot.hpp) over the hull of the batches' times, summed
//    exactly with merge() (saturating, with the overflow flag, past 2^64 - 1).
//  - The aggregator's state (total, and per source its incarnation, last sequence and checkpoint)
//    survives its own restart through save() / restore(): save after apply() and acknowledge only
//    once the state is durable, and a restarted aggregator neither loses nor repeats a batch.
//  - Thread safety: fleet_aggregator is safe to call from many threads (one mutex; apply() is
//    serialized). A delta_shipper belongs to one thread at a time.
//
// Example:
//   std::array<unsigned char, 32> secret{};                       // the fleet key, from your secret store
//   absl::StatusOr<tokenmaxx::base::hmac_sha256> agg_key = tokenmaxx::base::hmac_sha256::create(secret);
//   absl::StatusOr<tokenmaxx::base::hmac_sha256> svc_key = tokenmaxx::base::hmac_sha256::create(secret);
//   if (!agg_key.ok() || !svc_key.ok()) return absl::InternalError("key");
//   tokenmaxx::fleet_aggregator aggregator(*std::move(agg_key));
//   absl::StatusOr<tokenmaxx::fleet_welcome> hello = aggregator.begin("api-1");   // at service start
//   if (!hello.ok()) return hello.status();
//   tokenmaxx::ledger ledger;
//   tokenmaxx::delta_shipper shipper("api-1", hello->incarnation, *std::move(svc_key));
//   if (absl::Status st = ledger.record("acme", "gpt-4o", {.input = 10, .requests = 1}); !st.ok()) return st;
//   absl::StatusOr<std::string> batch = shipper.seal(ledger.snapshot(), /*checkpoint=*/1);
//   if (!batch.ok()) return batch.status();
//   for (int attempt = 0; attempt < 2; ++attempt) {                // a resend after a lost acknowledgement
//     absl::StatusOr<tokenmaxx::fleet_receipt> r = aggregator.apply(*batch);
//     if (!r.ok()) return r.status();
//     shipper.acknowledge(r->sequence);
//   }
//   const tokenmaxx::usage_row* row = aggregator.total().find("acme", "gpt-4o");   // input 10, not 20
//   if (row == nullptr || row->tokens_of(tokenmaxx::token_type::input) != 10) return absl::InternalError("fleet");
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/bytes.hpp"
#include "tokenmaxx/base/hmac.hpp"
#include "tokenmaxx/usage/detail/keys.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

namespace tokenmaxx {

// One delta of one source, as the aggregator receives it.
struct fleet_batch {
  std::string source;
  std::uint64_t incarnation = 0;
  std::uint64_t sequence = 0;    // 1, 2, 3, ... within an incarnation
  std::uint64_t checkpoint = 0;  // the caller's resume point covered by this batch (opaque)
  usage_snapshot delta;          // kind delta
};

// What begin() hands a starting instance.
struct fleet_welcome {
  std::uint64_t incarnation = 0;
  std::uint64_t checkpoint = 0;  // resume from here (0: from the start)
};

// What apply() answers. `applied` is false for a batch that had been applied before (a resend).
struct fleet_receipt {
  std::uint64_t sequence = 0;
  bool applied = false;
};

// Where a source stands at the aggregator.
struct fleet_source_state {
  std::uint64_t incarnation = 0;
  std::uint64_t last_sequence = 0;
  std::uint64_t checkpoint = 0;
  std::uint64_t batches_applied = 0;  // over all incarnations
  friend bool operator==(const fleet_source_state&, const fleet_source_state&) = default;
};

namespace usage_detail {

inline constexpr std::string_view fleet_batch_magic = "TMXF";
inline constexpr std::string_view fleet_state_magic = "TMXA";
inline constexpr std::uint16_t fleet_format_version = 1;

// `body` followed by its HMAC-SHA256 under `key`.
inline absl::StatusOr<std::string> with_mac(std::string body, const base::hmac_sha256& key) {
  std::array<unsigned char, seal_bytes> mac{};
  if (absl::Status st = key.mac(body, mac); !st.ok()) return st;
  body.append(reinterpret_cast<const char*>(mac.data()), mac.size());
  return body;
}

// The body of `bytes` once its trailing HMAC checks out under `key`.
inline absl::StatusOr<std::string_view> verified_body(std::string_view bytes, std::string_view magic,
                                                      const base::hmac_sha256& key, std::string_view what) {
  if (bytes.size() < magic.size() + 2 + seal_bytes)
    return absl::DataLossError(std::string(what) + ": truncated (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes.substr(0, magic.size()) != magic) return absl::InvalidArgumentError(std::string(what) + ": bad magic");
  const std::string_view body = bytes.substr(0, bytes.size() - seal_bytes);
  std::array<unsigned char, seal_bytes> want{};
  if (absl::Status st = key.mac(body, want); !st.ok()) return st;
  if (CRYPTO_memcmp(bytes.data() + body.size(), want.data(), seal_bytes) != 0)
    return absl::DataLossError(std::string(what) + ": HMAC-SHA256 mismatch (altered, truncated, forged, or another key)");
  base::byte_reader version_reader(body.substr(magic.size()));
  std::uint16_t version = 0;
  version_reader.le(version);
  if (version != fleet_format_version)
    return absl::UnimplementedError(std::string(what) + ": unsupported format version " + std::to_string(version));
  return body.substr(magic.size() + 2);
}

inline void put_string(std::string& out, std::string_view s) {
  base::put_le<std::uint16_t>(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}
inline bool read_string(base::byte_reader& rd, std::string& s) {
  std::uint16_t n = 0;
  return rd.le(n) && rd.bytes(n, s);
}
inline void put_snapshot(std::string& out, const usage_snapshot& s) {
  const std::string bytes = encode_binary(s);
  base::put_le<std::uint32_t>(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}
inline absl::StatusOr<usage_snapshot> read_snapshot(base::byte_reader& rd) {
  std::uint32_t n = 0;
  std::string bytes;
  if (!rd.le(n) || !rd.bytes(n, bytes)) return absl::DataLossError("snapshot truncated");
  return decode_binary(bytes);
}

}  // namespace usage_detail

// The bytes of `b`, authenticated with `key`. Errors: InvalidArgument for an invalid source name
// (tenant rules: non-empty UTF-8 without control characters, at most 256 bytes), a sequence of 0
// or a delta that is not of kind delta.
inline absl::StatusOr<std::string> encode_fleet_batch(const fleet_batch& b, const base::hmac_sha256& key) {
  if (absl::Status st = usage_detail::check_key("fleet source", b.source, false); !st.ok()) return st;
  if (b.sequence == 0) return absl::InvalidArgumentError("fleet batch: sequences start at 1");
  if (b.delta.kind != snapshot_kind::delta) return absl::InvalidArgumentError("fleet batch: the snapshot must be a delta");
  std::string out(usage_detail::fleet_batch_magic);
  base::put_le<std::uint16_t>(out, usage_detail::fleet_format_version);
  usage_detail::put_string(out, b.source);
  base::put_le<std::uint64_t>(out, b.incarnation);
  base::put_le<std::uint64_t>(out, b.sequence);
  base::put_le<std::uint64_t>(out, b.checkpoint);
  usage_detail::put_snapshot(out, b.delta);
  return usage_detail::with_mac(std::move(out), key);
}

// The batch in `bytes`. Errors: DataLoss (truncated, or the HMAC does not match), InvalidArgument
// (malformed), Unimplemented (another format version).
inline absl::StatusOr<fleet_batch> decode_fleet_batch(std::string_view bytes, const base::hmac_sha256& key) {
  absl::StatusOr<std::string_view> body = usage_detail::verified_body(bytes, usage_detail::fleet_batch_magic, key, "fleet batch");
  if (!body.ok()) return body.status();
  base::byte_reader rd(*body);
  fleet_batch b;
  if (!usage_detail::read_string(rd, b.source) || !rd.le(b.incarnation) || !rd.le(b.sequence) || !rd.le(b.checkpoint))
    return absl::InvalidArgumentError("fleet batch: header truncated");
  absl::StatusOr<usage_snapshot> delta = usage_detail::read_snapshot(rd);
  if (!delta.ok()) return absl::InvalidArgumentError("fleet batch: " + std::string(delta.status().message()));
  if (rd.remaining() != 0) return absl::InvalidArgumentError("fleet batch: trailing bytes");
  b.delta = *std::move(delta);
  if (absl::Status st = usage_detail::check_key("fleet source", b.source, false); !st.ok()) return st;
  if (b.sequence == 0 || b.delta.kind != snapshot_kind::delta) return absl::InvalidArgumentError("fleet batch: malformed");
  return b;
}

// One instance's side: numbers its deltas and keeps them until acknowledged.
class delta_shipper {
 public:
  // `incarnation` is the one begin() returned for `source`.
  delta_shipper(std::string source, std::uint64_t incarnation, base::hmac_sha256 key)
      : source_(std::move(source)), incarnation_(incarnation), key_(std::move(key)) {}

  // Seals the usage since the previous seal() (or since the ledger started) as the next batch,
  // covering the caller's work up to `checkpoint`, and keeps it pending. `cumulative` is a
  // ledger.snapshot() taken after that work was recorded. Returns the batch's bytes (also in
  // pending()). Errors: those of subtract() (snapshots out of order or of another ledger) and of
  // encode_fleet_batch(); nothing changes then.
  absl::StatusOr<std::string> seal(usage_snapshot cumulative, std::uint64_t checkpoint) {
    absl::StatusOr<usage_snapshot> delta = subtract(cumulative, last_);
    if (!delta.ok()) return delta.status();
    absl::StatusOr<std::string> bytes =
        encode_fleet_batch({source_, incarnation_, next_sequence_, checkpoint, *std::move(delta)}, key_);
    if (!bytes.ok()) return bytes.status();
    last_ = std::move(cumulative);
    pending_.push_back({next_sequence_++, *bytes});
    return bytes;
  }

  // Drops the pending batches up to and including `sequence` (the aggregator has them).
  void acknowledge(std::uint64_t sequence) {
    while (!pending_.empty() && pending_.front().sequence <= sequence) pending_.pop_front();
  }

  struct pending_batch {
    std::uint64_t sequence;
    std::string bytes;
  };
  // Not yet acknowledged, oldest first: send them in this order.
  const std::deque<pending_batch>& pending() const noexcept { return pending_; }
  const std::string& source() const noexcept { return source_; }
  std::uint64_t incarnation() const noexcept { return incarnation_; }

 private:
  std::string source_;
  std::uint64_t incarnation_;
  base::hmac_sha256 key_;
  usage_snapshot last_;  // cumulative, empty at the start
  std::uint64_t next_sequence_ = 1;
  std::deque<pending_batch> pending_;
};

// The fleet's side: applies each source's batches once and in order.
class fleet_aggregator {
 public:
  explicit fleet_aggregator(base::hmac_sha256 key) : key_(std::move(key)) { total_.kind = snapshot_kind::delta; }

  // A (re)starting instance of `source`: a new incarnation (the previous one is fenced off) and the
  // checkpoint to resume from. Errors: InvalidArgument for an invalid source name.
  absl::StatusOr<fleet_welcome> begin(std::string_view source) {
    if (absl::Status st = usage_detail::check_key("fleet source", source, false); !st.ok()) return st;
    std::lock_guard<std::mutex> lock(mu_);
    fleet_source_state& s = sources_[std::string(source)];
    s.incarnation += 1;
    s.last_sequence = 0;
    return fleet_welcome{s.incarnation, s.checkpoint};
  }

  // Applies the batch in `bytes` if it is the next of its source's current incarnation. Errors
  // (nothing applied): those of decode_fleet_batch(); FailedPrecondition for a source that never
  // called begin(), an incarnation that is not the current one (fenced, or never handed out) and a
  // gap in the sequence; InvalidArgument for a checkpoint behind the source's and for rows merge()
  // refuses.
  absl::StatusOr<fleet_receipt> apply(std::string_view bytes) {
    absl::StatusOr<fleet_batch> b = decode_fleet_batch(bytes, key_);
    if (!b.ok()) return b.status();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sources_.find(b->source);
    if (it == sources_.end()) return absl::FailedPreconditionError("fleet: source '" + b->source + "' has not called begin()");
    fleet_source_state& s = it->second;
    const std::string who = "fleet: source '" + b->source + "' incarnation " + std::to_string(b->incarnation);
    if (b->incarnation < s.incarnation)
      return absl::FailedPreconditionError(who + " is fenced (superseded by incarnation " + std::to_string(s.incarnation) + ")");
    if (b->incarnation > s.incarnation) return absl::FailedPreconditionError(who + " was never handed out by begin()");
    if (b->sequence <= s.last_sequence) return fleet_receipt{b->sequence, false};
    if (b->sequence != s.last_sequence + 1)
      return absl::FailedPreconditionError(who + ": batch " + std::to_string(b->sequence) + " after a gap; expected " +
                                           std::to_string(s.last_sequence + 1));
    if (b->checkpoint < s.checkpoint)
      return absl::InvalidArgumentError(who + ": checkpoint " + std::to_string(b->checkpoint) + " is behind " +
                                        std::to_string(s.checkpoint));
    absl::StatusOr<usage_snapshot> merged = merge(total_, b->delta);
    if (!merged.ok()) return merged.status();
    total_ = *std::move(merged);
    s.last_sequence = b->sequence;
    s.checkpoint = b->checkpoint;
    s.batches_applied += 1;
    return fleet_receipt{b->sequence, true};
  }

  // The fleet's total so far, rows in canonical order.
  usage_snapshot total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }
  std::optional<fleet_source_state> source(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sources_.find(name);
    if (it == sources_.end()) return std::nullopt;
    return it->second;
  }

  // The whole state as bytes authenticated with the key (write them atomically: temporary file,
  // fsync, rename).
  absl::StatusOr<std::string> save() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out(usage_detail::fleet_state_magic);
    base::put_le<std::uint16_t>(out, usage_detail::fleet_format_version);
    base::put_le<std::uint32_t>(out, static_cast<std::uint32_t>(sources_.size()));
    for (const auto& [name, s] : sources_) {
      usage_detail::put_string(out, name);
      for (std::uint64_t v : {s.incarnation, s.last_sequence, s.checkpoint, s.batches_applied}) base::put_le<std::uint64_t>(out, v);
    }
    usage_detail::put_snapshot(out, total_);
    return usage_detail::with_mac(std::move(out), key_);
  }

  // An aggregator with the state save() wrote under the same key. Errors: DataLoss (truncated or
  // altered, or another key), InvalidArgument (malformed), Unimplemented (another format version).
  static absl::StatusOr<fleet_aggregator> restore(std::string_view bytes, base::hmac_sha256 key) {
    absl::StatusOr<std::string_view> body = usage_detail::verified_body(bytes, usage_detail::fleet_state_magic, key, "fleet state");
    if (!body.ok()) return body.status();
    fleet_aggregator out(std::move(key));
    base::byte_reader rd(*body);
    std::uint32_t count = 0;
    if (!rd.le(count)) return absl::InvalidArgumentError("fleet state: truncated");
    for (std::uint32_t i = 0; i < count; ++i) {
      std::string name;
      fleet_source_state s;
      if (!usage_detail::read_string(rd, name) || !rd.le(s.incarnation) || !rd.le(s.last_sequence) || !rd.le(s.checkpoint) ||
          !rd.le(s.batches_applied))
        return absl::InvalidArgumentError("fleet state: source " + std::to_string(i) + " truncated");
      if (absl::Status st = usage_detail::check_key("fleet state source", name, false); !st.ok()) return st;
      if (!out.sources_.emplace(std::move(name), s).second) return absl::InvalidArgumentError("fleet state: duplicate source");
    }
    absl::StatusOr<usage_snapshot> total = usage_detail::read_snapshot(rd);
    if (!total.ok()) return absl::InvalidArgumentError("fleet state: " + std::string(total.status().message()));
    if (total->kind != snapshot_kind::delta) return absl::InvalidArgumentError("fleet state: the total must be a delta");
    if (rd.remaining() != 0) return absl::InvalidArgumentError("fleet state: trailing bytes");
    out.total_ = *std::move(total);
    return out;
  }

  // Moving is not thread-safe: no other thread may use either aggregator meanwhile.
  fleet_aggregator(fleet_aggregator&& o) noexcept
      : key_(std::move(o.key_)), sources_(std::move(o.sources_)), total_(std::move(o.total_)) {}
  fleet_aggregator& operator=(fleet_aggregator&& o) noexcept {
    key_ = std::move(o.key_);
    sources_ = std::move(o.sources_);
    total_ = std::move(o.total_);
    return *this;
  }

 private:
  base::hmac_sha256 key_;
  mutable std::mutex mu_;
  std::map<std::string, fleet_source_state, std::less<>> sources_;
  usage_snapshot total_;
};

}  // namespace tokenmaxx

// One instance of a service in the fleet example: records a deterministic stream of usage events
// into its own ledger and ships a delta batch every --ship-every events to the aggregator, with the
// event offset as the checkpoint. On (re)start it asks the aggregator where to resume, so a killed
// instance's unshipped events are redone exactly once; a lost connection or acknowledgement is
// handled by resending the pending batches in order.
//
//   fleet_service --source NAME --port P --key-file KEY --events N [--ship-every K] [--salt S]
//                 [--pause-ms MS]
//
// Event i: tenant "tenant-((7i+S) mod 5)", model ["gpt-4o","gpt-4o-mini","o3"][(i+S) mod 3],
// input (37i+S) mod 1000 + 1, cached_input 128 when i mod 4 = 0, output 11i mod 300, one request.
// --pause-ms sleeps halfway through each batch (and prints "unshipped I" first): the test kills
// the process there, with events recorded but not shipped.
#include <chrono>
#include <cstdio>
#include <thread>

#include "tokenmaxx/usage/fleet.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "wire.hpp"

namespace {

using namespace fleet_example;

struct connection {
  std::uint16_t port;
  int fd = -1;

  // Connects, retrying for up to 30 s (the aggregator may be restarting).
  bool ensure() {
    if (fd >= 0) return true;
    for (int attempt = 0; attempt < 600; ++attempt) {
      fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = loopback(port);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
      ::close(fd);
      fd = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void drop() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  // One request and its answer; nothing when the connection broke (the caller resends).
  std::optional<frame> call(char type, std::string_view payload) {
    if (!ensure()) return std::nullopt;
    std::optional<frame> answer;
    if (send_frame(fd, type, payload)) answer = read_frame(fd);
    if (!answer) drop();
    return answer;
  }
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fleet_service: %s\n", what.c_str());
  std::exit(2);
}

// Sends the pending batches oldest first until all are acknowledged.
void flush(connection& conn, tokenmaxx::delta_shipper& shipper) {
  for (int broken = 0; !shipper.pending().empty();) {
    const auto& batch = shipper.pending().front();
    std::optional<frame> answer = conn.call('B', batch.bytes);
    if (!answer) {
      if (++broken > 100) fail("the aggregator does not answer");
      continue;
    }
    if (answer->type != 'A' || answer->payload.size() != 9) fail("batch refused: " + answer->payload.substr(answer->payload.empty() ? 0 : 1));
    tokenmaxx::base::byte_reader rd(answer->payload);
    std::uint64_t sequence = 0;
    rd.le(sequence);
    const bool applied = answer->payload[8] != 0;
    std::printf("%s %llu\n", applied ? "shipped" : "repeat", static_cast<unsigned long long>(sequence));
    std::fflush(stdout);
    shipper.acknowledge(sequence);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source = flag(argc, argv, "--source");
  const std::uint64_t events = std::stoull(flag(argc, argv, "--events", "0"));
  const std::uint64_t ship_every = std::max<std::uint64_t>(1, std::stoull(flag(argc, argv, "--ship-every", "500")));
  const std::uint64_t salt = std::stoull(flag(argc, argv, "--salt", "0"));
  const int pause_ms = std::stoi(flag(argc, argv, "--pause-ms", "0"));
  absl::StatusOr<tokenmaxx::base::hmac_sha256> key = read_key(flag(argc, argv, "--key-file"));
  if (!key.ok()) fail(key.status().ToString());
  connection conn{static_cast<std::uint16_t>(std::stoul(flag(argc, argv, "--port", "0")))};

  std::optional<frame> welcome;
  for (int attempt = 0; attempt < 100 && !welcome; ++attempt) welcome = conn.call('H', source);
  if (!welcome || welcome->type != 'W' || welcome->payload.size() != 16) fail("no welcome from the aggregator");
  tokenmaxx::base::byte_reader rd(welcome->payload);
  std::uint64_t incarnation = 0, checkpoint = 0;
  rd.le(incarnation);
  rd.le(checkpoint);
  std::printf("welcome incarnation %llu checkpoint %llu\n", static_cast<unsigned long long>(incarnation),
              static_cast<unsigned long long>(checkpoint));
  std::fflush(stdout);

  static constexpr const char* models[] = {"gpt-4o", "gpt-4o-mini", "o3"};
  tokenmaxx::ledger ledger;
  tokenmaxx::delta_shipper shipper(source, incarnation, *std::move(key));
  for (std::uint64_t i = checkpoint; i < events; ++i) {
    const tokenmaxx::usage u{.input = (37 * i + salt) % 1000 + 1, .cached_input = i % 4 == 0 ? 128u : 0u,
                             .output = 11 * i % 300, .requests = 1};
    if (absl::Status st = ledger.record("tenant-" + std::to_string((7 * i + salt) % 5), models[(i + salt) % 3], u); !st.ok())
      fail(st.ToString());
    if (pause_ms > 0 && (i + 1) % ship_every == ship_every / 2) {
      std::printf("unshipped %llu\n", static_cast<unsigned long long>(i + 1));
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    }
    if ((i + 1) % ship_every == 0 || i + 1 == events) {
      absl::StatusOr<std::string> batch = shipper.seal(ledger.snapshot(), i + 1);
      if (!batch.ok()) fail(batch.status().ToString());
      flush(conn, shipper);
    }
  }
  std::printf("done\n");
  return 0;
}

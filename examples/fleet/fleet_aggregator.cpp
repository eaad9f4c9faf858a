// The aggregator of the fleet example: one tokenmaxx::fleet_aggregator behind a loopback TCP port,
// its state saved (temporary file, fsync, rename) before each acknowledgement, so a restarted
// aggregator neither loses nor repeats a batch.
//
//   fleet_aggregator --key-file KEY [--port 0] [--state FILE] [--drop-ack-every K]
//
// Prints "listening PORT" once it accepts connections. --drop-ack-every K closes the connection
// instead of acknowledging every K-th applied batch (a lost acknowledgement: the service resends).
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tokenmaxx/usage/fleet.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"
#include "wire.hpp"

namespace {

using namespace fleet_example;

struct server {
  server(tokenmaxx::fleet_aggregator agg, std::string state, std::uint64_t drop_every)
      : aggregator(std::move(agg)), state_path(std::move(state)), drop_ack_every(drop_every) {}
  tokenmaxx::fleet_aggregator aggregator;
  std::string state_path;
  std::uint64_t drop_ack_every = 0;
  std::atomic<std::uint64_t> applied{0};
  std::mutex persist_mu;

  // The state on disk before an answer leaves: a crash after this point repeats nothing.
  absl::Status persist() {
    if (state_path.empty()) return absl::OkStatus();
    std::lock_guard<std::mutex> lock(persist_mu);
    absl::StatusOr<std::string> bytes = aggregator.save();
    if (!bytes.ok()) return bytes.status();
    const std::string tmp = state_path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return absl::InternalError("cannot write " + tmp);
    const bool ok = write_all_file(fd, *bytes) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), state_path.c_str()) != 0) return absl::InternalError("cannot save " + state_path);
    return absl::OkStatus();
  }
  static bool write_all_file(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd, data.data(), data.size());
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void serve(int fd) {
    while (std::optional<frame> f = read_frame(fd)) {
      std::string reply;
      char type = 'E';
      if (f->type == 'H') {
        absl::StatusOr<tokenmaxx::fleet_welcome> w = aggregator.begin(f->payload);
        absl::Status saved = w.ok() ? persist() : w.status();
        if (saved.ok()) {
          type = 'W';
          tokenmaxx::base::put_le<std::uint64_t>(reply, w->incarnation);
          tokenmaxx::base::put_le<std::uint64_t>(reply, w->checkpoint);
        } else {
          reply = error_payload(saved);
        }
      } else if (f->type == 'B') {
        absl::StatusOr<tokenmaxx::fleet_receipt> r = aggregator.apply(f->payload);
        absl::Status saved = r.ok() ? (r->applied ? persist() : absl::OkStatus()) : r.status();
        if (saved.ok()) {
          if (r->applied && drop_ack_every != 0 && ++applied % drop_ack_every == 0) {
            std::fprintf(stderr, "aggregator: dropped the acknowledgement of a batch (sequence %llu)\n",
                         static_cast<unsigned long long>(r->sequence));
            break;
          }
          type = 'A';
          tokenmaxx::base::put_le<std::uint64_t>(reply, r->sequence);
          reply.push_back(r->applied ? 1 : 0);
        } else {
          std::fprintf(stderr, "aggregator: refused a batch: %s\n", saved.ToString().c_str());
          reply = error_payload(saved);
        }
      } else if (f->type == 'T') {
        type = 'J';
        reply = tokenmaxx::encode_json(aggregator.total());
      } else {
        reply = error_payload(absl::InvalidArgumentError("unknown frame type"));
      }
      if (!send_frame(fd, type, reply)) break;
    }
    ::close(fd);
  }
  static std::string error_payload(const absl::Status& st) {
    std::string out(1, static_cast<char>(st.code()));
    out.append(st.ToString());
    return out;
  }
};

// The saved state when there is one (refused if damaged or of another key), else an empty aggregator.
absl::StatusOr<tokenmaxx::fleet_aggregator> load_or_create(const std::string& state_path, tokenmaxx::base::hmac_sha256 key) {
  if (state_path.empty() || !std::filesystem::exists(state_path)) return tokenmaxx::fleet_aggregator(std::move(key));
  std::ifstream in(state_path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::fprintf(stderr, "aggregator: restoring %s\n", state_path.c_str());
  return tokenmaxx::fleet_aggregator::restore(bytes.str(), std::move(key));
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<tokenmaxx::base::hmac_sha256> key = read_key(flag(argc, argv, "--key-file"));
  if (!key.ok()) {
    std::fprintf(stderr, "fleet_aggregator: %s\n", key.status().ToString().c_str());
    return 2;
  }
  const std::string state_path = flag(argc, argv, "--state");
  absl::StatusOr<tokenmaxx::fleet_aggregator> agg = load_or_create(state_path, *std::move(key));
  if (!agg.ok()) {
    std::fprintf(stderr, "fleet_aggregator: %s: %s\n", state_path.c_str(), agg.status().ToString().c_str());
    return 2;
  }
  server srv{*std::move(agg), state_path, std::stoull(flag(argc, argv, "--drop-ack-every", "0"))};

  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = loopback(static_cast<std::uint16_t>(std::stoul(flag(argc, argv, "--port", "0"))));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 64) != 0) {
    std::perror("fleet_aggregator: bind/listen");
    return 2;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("listening %u\n", static_cast<unsigned>(ntohs(addr.sin_port)));
  std::fflush(stdout);
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread([&srv, fd] { srv.serve(fd); }).detach();
  }
}

// The loopback transport of the fleet example: length-prefixed frames over TCP, blocking sockets.
// A frame is a little-endian u32 length (of what follows), a one-byte type and the payload.
// Frames: 'H' source -> 'W' incarnation, checkpoint (fleet_aggregator::begin)
//         'B' batch bytes -> 'A' sequence, applied | 'E' status code, message (apply)
//         'T' -> 'J' the total as checksummed JSON (snapshot_codec.hpp)
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tokenmaxx/base/bytes.hpp"
#include "tokenmaxx/base/hmac.hpp"

namespace fleet_example {

inline constexpr std::uint32_t max_frame_bytes = 64u << 20;

struct frame {
  char type = 0;
  std::string payload;
};

inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

inline bool read_exact(int fd, char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::recv(fd, out, n, 0);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

inline bool send_frame(int fd, char type, std::string_view payload) {
  std::string out;
  tokenmaxx::base::put_le<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size() + 1));
  out.push_back(type);
  out.append(payload);
  return write_all(fd, out);
}

// Nothing on a closed connection or an oversized frame.
inline std::optional<frame> read_frame(int fd) {
  std::array<char, 4> len_bytes{};
  if (!read_exact(fd, len_bytes.data(), len_bytes.size())) return std::nullopt;
  std::uint32_t len = 0;
  tokenmaxx::base::byte_reader rd(std::string_view(len_bytes.data(), len_bytes.size()));
  rd.le(len);
  if (len == 0 || len > max_frame_bytes) return std::nullopt;
  std::string body(len, '\0');
  if (!read_exact(fd, body.data(), len)) return std::nullopt;
  return frame{body[0], body.substr(1)};
}

// The fleet key: 64 hex digits in a file (a secret store in production).
inline absl::StatusOr<tokenmaxx::base::hmac_sha256> read_key(const std::string& path) {
  std::ifstream in(path);
  std::string hex;
  if (!(in >> hex) || hex.size() != 64) return absl::InvalidArgumentError(path + ": expected 64 hex digits");
  std::array<unsigned char, 32> secret{};
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned value = 0;
    if (std::sscanf(hex.c_str() + 2 * i, "%2x", &value) != 1) return absl::InvalidArgumentError(path + ": not hex");
    secret[i] = static_cast<unsigned char>(value);
  }
  return tokenmaxx::base::hmac_sha256::create(secret);
}

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Value of `--name value` in argv, or `fallback`.
inline std::string flag(int argc, char** argv, std::string_view name, std::string fallback = {}) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

}  // namespace fleet_example

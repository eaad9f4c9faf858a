// libFuzzer target: the usage-snapshot decoders (snapshot_codec.hpp). Arbitrary bytes are decoded as
// JSON and as binary, and also sealed with a correct SHA-256 trailer (and with a correct HMAC-SHA256
// trailer under a fixed key) so the fuzzer reaches the binary parser behind the seal. Properties:
//  - accepted binary input re-encodes to exactly the same bytes (one encoding per snapshot);
//  - anything accepted is a valid snapshot (canonical rows, valid keys, remainders in range) whose
//    binary and JSON encodings decode back to it, and whose JSON encoding is a fixed point;
//  - an authenticated input is refused without its key, and a checksummed one with a key;
//  - everything else is an error with a message and one of the documented codes, never a crash.
// fuzz/usage/replay_main.cpp runs the same checks over the seed corpus in every build (ctest).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tokenmaxx/base/hmac.hpp"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

namespace {

using tokenmaxx::usage_snapshot;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "snapshot_fuzz: property violated: %s (input of %zu bytes)\n", what, input.size());
  std::abort();
}

const tokenmaxx::base::hmac_sha256& fuzz_key() {
  static const tokenmaxx::base::hmac_sha256 key = [] {
    std::array<unsigned char, 32> k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<unsigned char>(0xA5 ^ i);
    auto made = tokenmaxx::base::hmac_sha256::create(k);
    if (!made.ok()) std::abort();
    return *std::move(made);
  }();
  return key;
}

void check_error(const absl::Status& s, std::string_view input) {
  if (s.message().empty()) fail("error without a message", input);
  switch (s.code()) {
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnimplemented: return;
    default: fail("error with an undocumented status code", input);
  }
}

void check_snapshot(const usage_snapshot& s, std::string_view input) {
  if (!tokenmaxx::usage_detail::validate_snapshot(s).ok()) fail("accepted an invalid snapshot", input);
  const std::string bin = tokenmaxx::encode_binary(s);
  const auto from_bin = tokenmaxx::decode_binary(bin);
  if (!from_bin.ok() || !(*from_bin == s)) fail("binary round trip", input);
  if (tokenmaxx::encode_binary(*from_bin) != bin) fail("binary encoding is not a fixed point", input);
  const std::string json = tokenmaxx::encode_json(s);
  const auto from_json = tokenmaxx::decode_json(json);
  if (!from_json.ok() || !(*from_json == s)) fail("JSON round trip", input);
  if (tokenmaxx::encode_json(*from_json) != json) fail("JSON encoding is not a fixed point", input);
  const auto authenticated = tokenmaxx::encode_binary(s, fuzz_key());
  if (!authenticated.ok()) fail("HMAC encoding failed", input);
  const auto from_mac = tokenmaxx::decode_binary(*authenticated, fuzz_key());
  if (!from_mac.ok() || !(*from_mac == s)) fail("authenticated round trip", input);
  if (tokenmaxx::decode_binary(*authenticated).ok()) fail("authenticated snapshot accepted without the key", input);
  if (tokenmaxx::decode_binary(bin, fuzz_key()).ok()) fail("checksummed snapshot accepted as authenticated", input);
}

// Binary input: accepted means canonical, byte for byte.
void check_binary(const absl::StatusOr<usage_snapshot>& decoded, std::string_view bytes,
                  const tokenmaxx::base::hmac_sha256* key) {
  if (!decoded.ok()) return check_error(decoded.status(), bytes);
  const std::string again = key ? *tokenmaxx::encode_binary(*decoded, *key) : tokenmaxx::encode_binary(*decoded);
  if (again != bytes) fail("accepted binary input that re-encodes differently", bytes);
  check_snapshot(*decoded, bytes);
}

void check_json(const absl::StatusOr<usage_snapshot>& decoded, std::string_view text) {
  if (!decoded.ok()) return check_error(decoded.status(), text);
  check_snapshot(*decoded, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_json(tokenmaxx::decode_json(bytes), bytes);
  check_json(tokenmaxx::decode_json(bytes, fuzz_key()), bytes);
  check_binary(tokenmaxx::decode_binary(bytes), bytes, nullptr);
  check_binary(tokenmaxx::decode_binary(bytes, fuzz_key()), bytes, &fuzz_key());

  tokenmaxx::base::sha256_digest digest{};
  if (!tokenmaxx::base::try_sha256(bytes, digest)) std::abort();
  std::string sealed(bytes);
  sealed.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  check_binary(tokenmaxx::decode_binary(sealed), sealed, nullptr);

  std::array<unsigned char, 32> mac{};
  if (!fuzz_key().mac(bytes, mac).ok()) std::abort();
  std::string authenticated(bytes);
  authenticated.append(reinterpret_cast<const char*>(mac.data()), mac.size());
  check_binary(tokenmaxx::decode_binary(authenticated, fuzz_key()), authenticated, &fuzz_key());
  if (tokenmaxx::decode_binary(authenticated).ok()) fail("HMAC-sealed input accepted without the key", authenticated);
  return 0;
}

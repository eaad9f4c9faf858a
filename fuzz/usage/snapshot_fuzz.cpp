// libFuzzer target: usage-snapshot decoders. Arbitrary bytes are decoded as JSON and as binary,
// and also re-sealed with a correct SHA-256 trailer so the fuzzer reaches the binary parser behind
// the checksum. Whatever decodes must re-encode and decode to an equal snapshot; everything else
// must be a clean error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

namespace {

void check_round_trip(const absl::StatusOr<tokenmaxx::usage_snapshot>& decoded) {
  if (!decoded.ok()) return;
  const auto again = tokenmaxx::decode_binary(tokenmaxx::encode_binary(*decoded));
  if (!again.ok() || !(*again == *decoded)) __builtin_trap();
  const auto again_json = tokenmaxx::decode_json(tokenmaxx::encode_json(*decoded));
  if (!again_json.ok() || !(*again_json == *decoded)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_round_trip(tokenmaxx::decode_json(bytes));
  check_round_trip(tokenmaxx::decode_binary(bytes));
  std::string sealed(bytes);
  tokenmaxx::base::sha256_digest digest{};
  if (!tokenmaxx::base::try_sha256(sealed, digest)) __builtin_trap();
  sealed.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  check_round_trip(tokenmaxx::decode_binary(sealed));
  return 0;
}

// Writes the seed inputs of fuzz/usage/corpus/snapshot from a real ledger: each encoding of a
// snapshot, the unsealed bodies (the fuzzer seals them itself, with SHA-256 and with its HMAC key),
// and a snapshot with saturated rows.
// Usage: make_snapshot_seeds fuzz/usage/corpus/snapshot
#include <fstream>
#include <string>

#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
  };
  using tokenmaxx::usage_detail::seal_kind;
  tokenmaxx::ledger l({.capacity = 16, .start_time = 100});
  if (!l.record("acme", "gpt-4o", {.input = 1200, .cached_input = 800, .cache_creation_1h = 5, .output = 300, .requests = 1}).ok() ||
      !l.record("beta", "o3", {.input = 5, .output = 7, .reasoning = 9, .requests = 2, .errors = 1}).ok())
    return 1;
  const tokenmaxx::usage_snapshot snap = l.snapshot(123);
  const std::string bin = tokenmaxx::encode_binary(snap);
  write("two_rows.bin", bin);
  write("two_rows_unsealed.bin", bin.substr(0, bin.size() - 32));
  write("two_rows_hmac_unsealed.bin", tokenmaxx::usage_detail::encode_snapshot_body(snap, seal_kind::hmac_sha256));
  write("two_rows.json", tokenmaxx::encode_json(snap));
  tokenmaxx::usage_snapshot saturated = l.snapshot_and_reset(200);
  saturated.rows[0].tokens[0] = UINT64_MAX;
  saturated.rows[0].overflow = true;
  saturated.rows[1].cost = {.micros = UINT64_MAX, .remainder = 0, .unpriced_tokens = 3, .overflow = true};
  write("saturated_delta_unsealed.bin", tokenmaxx::usage_detail::encode_snapshot_body(saturated, seal_kind::sha256));
  write("saturated_delta.json", tokenmaxx::encode_json(saturated));
  tokenmaxx::usage_snapshot empty;
  write("empty.json", tokenmaxx::encode_json(empty));
  return 0;
}

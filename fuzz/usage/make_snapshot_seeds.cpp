// Writes the seed inputs of fuzz/corpus/snapshot: usage_snapshot encodings of a two-key ledger.
// Usage: make_snapshot_seeds fuzz/corpus/snapshot
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"
#include <fstream>
int main(int, char** argv) {
  tokenmaxx::ledger l({.capacity = 16});
  auto h = l.resolve("acme", "gpt-4o");
  l.record(*h, {.input = 1200, .cached_input = 800, .output = 300, .requests = 1});
  auto h2 = l.resolve("beta", "o3");
  l.record(*h2, {.input = 5, .output = 7, .reasoning = 9, .requests = 2, .errors = 1});
  auto snap = l.snapshot(123);
  std::ofstream(std::string(argv[1]) + "/two_rows.bin", std::ios::binary) << tokenmaxx::encode_binary(snap);
  std::string bin = tokenmaxx::encode_binary(snap);
  std::ofstream(std::string(argv[1]) + "/two_rows_unsealed.bin", std::ios::binary) << bin.substr(0, bin.size() - 32);
  std::ofstream(std::string(argv[1]) + "/two_rows.json", std::ios::binary) << tokenmaxx::encode_json(snap);
}

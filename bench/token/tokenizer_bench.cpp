// Tokenizer throughput (MB/s of UTF-8 input) on the shared corpus and on hostile inputs.
// Exactness is checked before timing: every corpus document's count must equal tiktoken's
// expected count, or the benchmark aborts.
//
//   TOKENMAXX_VOCAB_DIR=../shared/vocab TOKENMAXX_CORPUS_DIR=../shared/corpus \
//   TOKENMAXX_EXPECTED_DIR=../shared/expected build/release/bench/token/tokenizer_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tokenmaxx/token.hpp"

namespace {

std::string env_or_die(const char* var) {
  const char* v = std::getenv(var);
  if (!v || !*v) {
    std::cerr << "set " << var << "\n";
    std::exit(2);
  }
  return v;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// A corpus file as the list of its documents' texts.
std::vector<std::string> documents(const std::string& file) {
  const auto path = std::filesystem::path(env_or_die("TOKENMAXX_CORPUS_DIR")) / file;
  if (path.extension() == ".txt") return {read_file(path)};
  std::vector<std::string> docs;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) docs.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  return docs;
}

void check_exact(const tokenmaxx::encoding& enc, const std::string& file, const std::vector<std::string>& docs) {
  const std::string stem = file.substr(0, file.rfind('.'));
  std::istringstream in(read_file(std::filesystem::path(env_or_die("TOKENMAXX_EXPECTED_DIR")) /
                                  (stem + "." + enc.name() + ".jsonl")));
  std::string line;
  std::size_t i = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto want = nlohmann::json::parse(line).at("count").get<std::size_t>();
    if (i >= docs.size() || enc.count(docs[i]) != want) {
      std::cerr << "exactness check failed: " << file << " " << enc.name() << " document " << i << "\n";
      std::exit(1);
    }
    ++i;
  }
}

void bm_count(benchmark::State& state, std::string enc_name, std::string file) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = documents(file);
  check_exact(*enc, file, docs);
  std::size_t bytes = 0, tokens = 0;
  for (const auto& d : docs) bytes += d.size();
  for (auto _ : state) {
    tokens = 0;
    for (const auto& d : docs) tokens += enc->count(d);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes));
  state.counters["tokens"] = double(tokens);
}

void bm_encode(benchmark::State& state, std::string enc_name, std::string file) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = documents(file);
  check_exact(*enc, file, docs);
  std::size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  std::vector<tokenmaxx::rank_t> ids;
  for (auto _ : state) {
    for (const auto& d : docs) {
      ids.clear();
      enc->encode_ordinary_into(d, ids);
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes));
}

// Hostile inputs: one megabyte without a split point.
std::string hostile(const std::string& kind) {
  const std::size_t n = 1 << 20;
  if (kind == "a") return std::string(n, 'a');
  if (kind == "caret") return std::string(n, '^');
  if (kind == "space") return std::string(n, ' ');
  std::mt19937_64 rng(42);  // base64 alphabet, fixed seed: a reproducible random blob
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s(n, 'A');
  for (auto& c : s) c = kB64[rng() % 64];
  return s;
}

void bm_hostile(benchmark::State& state, std::string enc_name, std::string kind) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const std::string text = hostile(kind);
  std::size_t tokens = 0;
  for (auto _ : state) {
    tokens = enc->count(text);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
  state.counters["tokens"] = double(tokens);
}

// count_until on a hostile megabyte with a limit far below its token count: the piece's lower
// bound (length / longest token) passes the limit, so nothing is merged.
void bm_hostile_count_until(benchmark::State& state, std::string enc_name, std::string kind, std::size_t limit) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const std::string text = hostile(kind);
  std::size_t tokens = 0;
  for (auto _ : state) {
    tokens = enc->count_until(text, limit);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
  state.counters["tokens"] = double(tokens);
}

// encode() with the default disallowed set on text dense in '<' (the first byte of every special):
// o200k_harmony has 1,104 specials, so this is where a naive special search goes quadratic.
void bm_encode_special_dense(benchmark::State& state, std::string enc_name) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  std::string text;
  while (text.size() < (600u << 10)) text += "<a>";
  std::size_t tokens = 0;
  for (auto _ : state) {
    tokens = enc->encode(text).size();
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
  state.counters["tokens"] = double(tokens);
}

void bm_load_vocab(benchmark::State& state, std::string file) {
  const auto path = std::filesystem::path(env_or_die("TOKENMAXX_VOCAB_DIR")) / file;
  const auto* known = tokenmaxx::find_known_vocab_file(file);
  for (auto _ : state) {
    auto v = tokenmaxx::vocabulary::load_file(path, known->sha256);
    benchmark::DoNotOptimize(v.size());
  }
}

int register_all() {
  for (const char* enc : {"r50k_base", "cl100k_base", "o200k_base"}) {
    for (const char* file : {"prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl"}) {
      benchmark::RegisterBenchmark((std::string("count/") + enc + "/" + file).c_str(), bm_count, enc, file)
          ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark((std::string("encode/") + enc + "/prose_en.txt").c_str(), bm_encode, enc,
                                 "prose_en.txt")
        ->Unit(benchmark::kMillisecond);
    for (const char* kind : {"a", "caret", "space", "base64"})
      benchmark::RegisterBenchmark((std::string("hostile_1MiB/") + enc + "/" + kind).c_str(), bm_hostile, enc, kind)
          ->Unit(benchmark::kMillisecond);
  }
  for (const char* enc : {"cl100k_base", "o200k_base"})
    benchmark::RegisterBenchmark((std::string("hostile_1MiB_count_until_4096/") + enc + "/a").c_str(),
                                 bm_hostile_count_until, enc, "a", std::size_t{4096})
        ->Unit(benchmark::kMillisecond);
  for (const char* enc : {"o200k_base", "o200k_harmony"})
    benchmark::RegisterBenchmark((std::string("encode_special_dense_600KiB/") + enc).c_str(), bm_encode_special_dense, enc)
        ->Unit(benchmark::kMillisecond);
  for (const char* f : {"cl100k_base.tiktoken", "o200k_base.tiktoken"})
    benchmark::RegisterBenchmark((std::string("load_vocab/") + f).c_str(), bm_load_vocab, f)->Unit(benchmark::kMillisecond);
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();

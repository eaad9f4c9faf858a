// Shared helpers for tokenizer tests: locating ../shared through environment variables, reading
// corpus documents and tiktoken's expected answers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx_test {

inline std::filesystem::path env_dir(const char* var) {
  const char* v = std::getenv(var);
  return v ? std::filesystem::path(v) : std::filesystem::path();
}
inline std::filesystem::path corpus_dir() { return env_dir("TOKENMAXX_CORPUS_DIR"); }
inline std::filesystem::path expected_dir() { return env_dir("TOKENMAXX_EXPECTED_DIR"); }
inline std::filesystem::path vocab_dir() { return env_dir("TOKENMAXX_VOCAB_DIR"); }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

struct document {
  std::string id;
  std::string text;
};

// The documents of one corpus file: a .txt file is one document named after the file; a .jsonl
// file has one document per row.
inline std::vector<document> load_corpus(const std::string& file) {
  const auto path = corpus_dir() / file;
  std::vector<document> docs;
  if (path.extension() == ".txt") {
    docs.push_back({file, read_file(path)});
    return docs;
  }
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line);
    docs.push_back({row.at("id").get<std::string>(), row.at("text").get<std::string>()});
  }
  return docs;
}

struct expectation {
  std::size_t bytes = 0, count = 0;
  std::string ids_sha256;
};
inline std::map<std::string, expectation> load_expected(const std::string& corpus_file, const std::string& enc) {
  const std::string stem = corpus_file.substr(0, corpus_file.rfind('.'));
  std::istringstream in(read_file(expected_dir() / (stem + "." + enc + ".jsonl")));
  std::map<std::string, expectation> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line);
    out[row.at("id").get<std::string>()] = {row.at("bytes").get<std::size_t>(), row.at("count").get<std::size_t>(),
                                             row.at("ids_sha256").get<std::string>()};
  }
  return out;
}

// SHA-256 of the ids as decimal numbers joined by commas, as ../shared/expected stores them.
inline std::string ids_sha256(const std::vector<tokenmaxx::rank_t>& ids) {
  std::string s;
  s.reserve(ids.size() * 6);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) s.push_back(',');
    s += std::to_string(ids[i]);
  }
  return tokenmaxx::base::sha256_hex(s);
}

// The corpus files the parity tests require: tests/token/corpus_files.txt (shared with
// compare_with_tiktoken.py). A missing or empty list is an error, never zero test cases.
inline const std::vector<std::string>& corpus_files() {
  static const std::vector<std::string> files = [] {
    std::istringstream in(read_file(TOKENMAXX_TEST_CORPUS_LIST));
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') names.push_back(line);
    if (names.empty()) throw std::runtime_error(std::string("no corpus files listed in ") + TOKENMAXX_TEST_CORPUS_LIST);
    return names;
  }();
  return files;
}

#define TOKENMAXX_REQUIRE_SHARED_DATA()                                                      \
  do {                                                                                       \
    if (tokenmaxx_test::vocab_dir().empty() || tokenmaxx_test::corpus_dir().empty() ||       \
        tokenmaxx_test::expected_dir().empty())                                              \
      FAIL() << "set TOKENMAXX_VOCAB_DIR, TOKENMAXX_CORPUS_DIR and TOKENMAXX_EXPECTED_DIR "  \
                "(scripts/test.sh does)";                                                    \
  } while (0)

}  // namespace tokenmaxx_test

// Parity with tiktoken: count and token ids (by SHA-256) for every document of every corpus file
// in ../shared/corpus and each of the four base encodings, against ../shared/expected.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "test_data.hpp"
#include "tokenmaxx/token.hpp"

namespace {

using tokenmaxx_test::corpus_files;

struct parity_case {
  std::string corpus;
  std::string encoding;
};

class parity : public ::testing::TestWithParam<parity_case> {};

TEST_P(parity, ids_and_counts_match_tiktoken) {
  TOKENMAXX_REQUIRE_SHARED_DATA();
  const auto& [corpus, enc_name] = GetParam();
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = tokenmaxx_test::load_corpus(corpus);
  const auto expected = tokenmaxx_test::load_expected(corpus, enc_name);
  // Nothing to compare is a failure, not a pass: an empty corpus file or expected file, or
  // documents that share an id (the map of expectations would hide one of them).
  ASSERT_FALSE(docs.empty()) << corpus << " has no documents";
  ASSERT_FALSE(expected.empty()) << "no expected rows for " << corpus << " / " << enc_name;
  ASSERT_EQ(docs.size(), expected.size()) << corpus;
  std::set<std::string> ids_seen;
  for (const auto& doc : docs) ASSERT_TRUE(ids_seen.insert(doc.id).second) << "document id " << doc.id << " repeats";
  std::size_t mismatches = 0, bytes = 0;
  for (const auto& doc : docs) {
    auto it = expected.find(doc.id);
    ASSERT_NE(it, expected.end()) << "no expectation for " << doc.id;
    ASSERT_EQ(doc.text.size(), it->second.bytes) << doc.id;
    bytes += doc.text.size();
    const auto ids = enc->encode_ordinary(doc.text);
    const bool same = ids.size() == it->second.count && tokenmaxx_test::ids_sha256(ids) == it->second.ids_sha256;
    if (!same && ++mismatches <= 10)
      ADD_FAILURE() << corpus << " / " << enc_name << ": document " << doc.id << " gives " << ids.size()
                    << " tokens, tiktoken " << it->second.count;
    EXPECT_EQ(enc->count(doc.text), it->second.count) << doc.id;
    EXPECT_EQ(enc->decode(ids), doc.text) << "decode(encode(x)) != x for " << doc.id;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(bytes, 0u) << corpus << " holds no text";
  RecordProperty("documents", static_cast<int>(docs.size()));
  RecordProperty("bytes", static_cast<int>(bytes));
  std::printf("[parity] %s %s: %zu documents, %zu bytes, %zu mismatches\n", corpus.c_str(), enc_name.c_str(),
              docs.size(), bytes, mismatches);
}

std::vector<parity_case> all_cases() {
  std::vector<parity_case> cases;
  for (const auto& c : corpus_files())
    for (const char* e : {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"}) cases.push_back({c, e});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(corpus, parity, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  std::string n = info.param.corpus + "_" + info.param.encoding;
  for (auto& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

}  // namespace

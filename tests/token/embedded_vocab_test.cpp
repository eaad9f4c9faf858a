// With tokenmaxx::embedded_vocab linked, encodings load with no vocabulary file anywhere.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_data.hpp"
#include "tokenmaxx/token.hpp"

TEST(embedded_vocab, encodings_load_without_any_file_and_stay_exact) {
  TOKENMAXX_REQUIRE_SHARED_DATA();
  const auto docs = tokenmaxx_test::load_corpus("prose_en.txt");
  // Nothing on disk to find: no vocabulary directory, an empty cache.
  const auto empty = std::filesystem::temp_directory_path() / ("tokenmaxx-empty-cache-" + std::to_string(::getpid()));
  std::filesystem::create_directories(empty);
  ::unsetenv("TOKENMAXX_VOCAB_DIR");
  ::setenv("TOKENMAXX_CACHE_DIR", empty.c_str(), 1);
  for (const char* name : {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"}) {
    const auto enc = tokenmaxx::get_encoding(name);
    EXPECT_NE(enc->vocab().source().find("embedded"), std::string::npos) << enc->vocab().source();
    const auto expected = tokenmaxx_test::load_expected("prose_en.txt", name);
    EXPECT_EQ(enc->count(docs[0].text), expected.at("prose_en.txt").count) << name;
  }
  std::filesystem::remove_all(empty);
}

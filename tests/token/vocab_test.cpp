// Rank-file loading: parsing, pinned-hash verification, tampering, malformed lines, lookup.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "test_data.hpp"
#include "tokenmaxx/token/errors.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace {

namespace fs = std::filesystem;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tokenmaxx::vocab_error& e) {
    return e.what();
  }
  return "";
}

TEST(vocab, parses_lines_and_looks_up_both_ways) {
  const auto v = tokenmaxx::vocabulary::parse("YQ== 0\nYg== 1\nYWI= 2\naGVsbG8= 7\n", "inline");
  EXPECT_EQ(v.size(), 4u);
  EXPECT_EQ(v.find("ab"), 2u);
  EXPECT_EQ(v.find("hello"), 7u);
  EXPECT_EQ(v.find("abc"), tokenmaxx::no_rank);
  EXPECT_EQ(*v.bytes_of(7), "hello");
  EXPECT_FALSE(v.bytes_of(3));  // a gap in the ranks
  EXPECT_EQ(v.max_rank(), 7u);
}

TEST(vocab, malformed_lines_are_errors_that_name_the_line) {
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ== 0\nY!== 1\n", "f"); }).find("line 2"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ== 0\nYg==\n", "f"); }).find("line 2"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ== 0\nYg== x1\n", "f"); }).find("line 2"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ== 0\nYg== 0\n", "f"); }).find("duplicate rank"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ== 0\nYQ== 1\n", "f"); }).find("same token"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ= 0\n", "f"); }).find("line 1"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("", "f"); }).find("empty"), std::string::npos);
  // Found by fuzz/vocab_fuzz: a huge rank must be refused, not allocated for.
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ7= 0888389888\n", "f"); }).find("out of range"), std::string::npos);
  EXPECT_NE(message_of([] { tokenmaxx::vocabulary::parse("YQ== 99999999999\n", "f"); }).find("line 1"), std::string::npos);
}

TEST(vocab, official_files_load_and_match_their_pinned_hashes) {
  TOKENMAXX_REQUIRE_SHARED_DATA();
  for (const auto& k : tokenmaxx::known_vocab_files) {
    const auto v = tokenmaxx::vocabulary::load_known(k.file_name);
    EXPECT_GT(v.size(), 50000u) << k.file_name;
    for (int b = 0; b < 256; ++b) EXPECT_NE(v.find(std::string(1, char(b))), tokenmaxx::no_rank);
  }
}

class tampered_vocab : public ::testing::Test {
 protected:
  void SetUp() override {
    TOKENMAXX_REQUIRE_SHARED_DATA();
    dir_ = fs::temp_directory_path() / ("tokenmaxx-vocab-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::string contents = tokenmaxx_test::read_file(tokenmaxx_test::vocab_dir() / "cl100k_base.tiktoken");
    contents[contents.size() / 2] ^= 0x01;  // flip one bit in the middle of the file
    std::ofstream(dir_ / "cl100k_base.tiktoken", std::ios::binary) << contents;
    old_ = std::getenv("TOKENMAXX_VOCAB_DIR");
    ::setenv("TOKENMAXX_VOCAB_DIR", dir_.c_str(), 1);
    ::setenv("TOKENMAXX_CACHE_DIR", (dir_ / "empty-cache").c_str(), 1);
  }
  void TearDown() override {
    if (old_) ::setenv("TOKENMAXX_VOCAB_DIR", old_->c_str(), 1);
    ::unsetenv("TOKENMAXX_CACHE_DIR");
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::optional<std::string> old_;
};

TEST_F(tampered_vocab, is_rejected_with_file_expected_and_actual_hash) {
  const std::string msg = message_of([] { tokenmaxx::vocabulary::load_known("cl100k_base.tiktoken"); });
  ASSERT_FALSE(msg.empty()) << "a tampered file was accepted";
  EXPECT_NE(msg.find("cl100k_base.tiktoken"), std::string::npos) << msg;
  EXPECT_NE(msg.find("223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("actual"), std::string::npos) << msg;
}

TEST_F(tampered_vocab, missing_file_names_the_places_searched) {
  const std::string msg = message_of([] { tokenmaxx::vocabulary::load_known("o200k_base.tiktoken"); });
  EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
  EXPECT_NE(msg.find(dir_.string()), std::string::npos) << msg;
}

}  // namespace

namespace {

TEST(vocab, from_ranks_builds_the_same_table_as_parsing_and_rejects_bad_input) {
  const auto parsed = tokenmaxx::vocabulary::parse("YQ== 0\nYg== 1\nYWI= 2\n", "inline");
  const auto built = tokenmaxx::vocabulary::from_ranks({{"a", 0}, {"b", 1}, {"ab", 2}}, "pairs");
  for (const char* t : {"a", "b", "ab", "abc"}) EXPECT_EQ(built.find(t), parsed.find(t)) << t;
  EXPECT_THROW(tokenmaxx::vocabulary::from_ranks({{"a", 0}, {"b", 0}}), tokenmaxx::vocab_error);
  EXPECT_THROW(tokenmaxx::vocabulary::from_ranks({{"a", 0}, {"a", 1}}), tokenmaxx::vocab_error);
  EXPECT_THROW(tokenmaxx::vocabulary::from_ranks({{"", 0}}), tokenmaxx::vocab_error);
  EXPECT_THROW(tokenmaxx::vocabulary::from_ranks({{"a", tokenmaxx::vocabulary::max_rank_limit + 1}}), tokenmaxx::vocab_error);
  EXPECT_THROW(tokenmaxx::vocabulary::from_ranks({}), tokenmaxx::vocab_error);
}

}  // namespace

namespace {

// Found by fuzz/token/vocab_fuzz's reference parser (seed fuzz/token/corpus/vocab/blank_only.tiktoken):
// an empty file is an error ("is empty") and so is from_ranks({}), but a file of blank lines parses
// into a vocabulary with no token at all, which then fails on the first byte it is asked to encode.
TEST(vocab, a_file_of_only_blank_lines_is_as_empty_as_an_empty_file) {
  for (const char* blank : {"\n", "\r\n", "\n\r\n\n"}) {
    EXPECT_THROW(tokenmaxx::vocabulary::parse(blank, "blank"), tokenmaxx::vocab_error) << "lines: " << std::strlen(blank);
  }
}

}  // namespace

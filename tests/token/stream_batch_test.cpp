// token/batch.hpp and token/stream.hpp: results equal the one-text calls, whatever the thread
// count or the way a text is cut into chunks.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "test_data.hpp"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/token/batch.hpp"
#include "tokenmaxx/token/registry.hpp"
#include "tokenmaxx/token/stream.hpp"

namespace {

using tokenmaxx::get_encoding;

// Text that stresses the places where splitting depends on what comes next: contractions that
// o200k joins to the word before, whitespace before letters and newlines, digit groups, case runs,
// multi-byte letters and marks, emoji, invalid bytes (for the lossy policy).
std::string awkward_text(std::mt19937& rng, std::size_t pieces) {
  static const std::vector<std::string> parts = {
      "don", "'", "t", "'s", "'LL", " ", "  ", "\n", "\r\n", "\t", "123", "4", "56789", "ABC", "def", "Ünïcödé",
      "日本語", "\xCC\x81", "👍🏽", ".", ",", "...", "/", "(", "x", "Hello", " world", "   \n  ", "ſ", "'ſ"};
  std::string out;
  for (std::size_t i = 0; i < pieces; ++i) out += parts[rng() % parts.size()];
  return out;
}

TEST(Stream, EqualsWholeTextCountForRandomChunkings) {
  std::mt19937 rng(20261203);
  for (const char* name : {"r50k_base", "cl100k_base", "o200k_base"}) {
    const auto enc = get_encoding(name);
    for (int round = 0; round < 300; ++round) {
      const std::string text = awkward_text(rng, 1 + rng() % 60);
      tokenmaxx::token_counter counter(enc);
      std::size_t pos = 0;
      while (pos < text.size()) {
        const std::size_t len = std::min<std::size_t>(text.size() - pos, rng() % 9);
        counter.append(std::string_view(text).substr(pos, len));
        pos += len;
        // Valid at every UTF-8 boundary; in the middle of a sequence count() must refuse.
        if (tokenmaxx::base::is_valid_utf8(std::string_view(text).substr(0, pos))) {
          ASSERT_EQ(counter.count(), enc->count(std::string_view(text).substr(0, pos)))
              << name << " prefix " << pos << ": " << testing::PrintToString(text.substr(0, pos));
        }
      }
      ASSERT_EQ(counter.count(), enc->count(text)) << name << ": " << text;
      ASSERT_EQ(counter.bytes(), text.size());
    }
  }
}

TEST(Stream, StrictRejectsInvalidUtf8AtItsStreamOffset) {
  const auto enc = get_encoding("cl100k_base");
  tokenmaxx::token_counter counter(enc);
  counter.append("abc\xE2\x82");  // an incomplete sequence: fine until the text is counted
  EXPECT_THROW(counter.count(), tokenmaxx::invalid_utf8_error);
  counter.append("\xAC");  // completes U+20AC
  EXPECT_EQ(counter.count(), enc->count("abc\xE2\x82\xAC"));
  try {
    counter.append("x\xFFy");
    FAIL() << "no error for 0xFF";
  } catch (const tokenmaxx::invalid_utf8_error& e) {
    EXPECT_EQ(e.offset(), 7u);
  }
}

TEST(Stream, ReplacePolicyMatchesWholeTextReplacement) {
  std::mt19937 rng(7);
  const auto enc = get_encoding("o200k_base");
  const std::string text = "ok \xE2\x82 then \xF0\x9F\x98 and \xFF\xFE end \xE2\x82";
  for (int round = 0; round < 200; ++round) {
    tokenmaxx::token_counter counter(enc, tokenmaxx::utf8_policy::replace);
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t len = std::min<std::size_t>(text.size() - pos, 1 + rng() % 5);
      counter.append(std::string_view(text).substr(pos, len));
      pos += len;
    }
    ASSERT_EQ(counter.count(), enc->count(text, tokenmaxx::utf8_policy::replace));
  }
}

TEST(Batch, EqualsOneTextCallsForAnyThreadCount) {
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(awkward_text(rng, rng() % 40));
  texts.push_back(std::string(100000, 'a'));
  const std::vector<std::string_view> views(texts.begin(), texts.end());
  for (const char* name : {"cl100k_base", "o200k_harmony"}) {
    const auto enc = get_encoding(name);
    std::vector<std::size_t> want;
    std::vector<std::vector<tokenmaxx::rank_t>> want_ids;
    for (const auto& t : texts) {
      want.push_back(enc->count(t));
      want_ids.push_back(enc->encode_ordinary(t));
    }
    for (std::size_t threads : {1u, 2u, 7u, 0u}) {
      EXPECT_EQ(tokenmaxx::count_batch(*enc, views, threads), want) << threads;
      EXPECT_EQ(tokenmaxx::encode_ordinary_batch(*enc, views, threads), want_ids) << threads;
    }
  }
}

TEST(Batch, ReportsTheFirstFailingTextInInputOrder) {
  const auto enc = get_encoding("cl100k_base");
  const std::vector<std::string_view> texts{"fine", "bad \xFF here", "<|endoftext|>", "also \xC0 bad"};
  EXPECT_THROW(tokenmaxx::count_batch(*enc, texts, 4), tokenmaxx::invalid_utf8_error);
  try {
    tokenmaxx::encode_batch(*enc, std::vector<std::string_view>{"ok", "<|endoftext|>", "\xFF"}, {}, tokenmaxx::special_set::all(), 3);
    FAIL();
  } catch (const tokenmaxx::disallowed_special_error& e) {
    EXPECT_EQ(e.token(), "<|endoftext|>");
  }
}

}  // namespace

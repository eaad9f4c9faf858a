// hf_tokenizer.hpp: a byte-level BPE tokenizer.json. The expected ids are what Hugging Face
// `tokenizers` 0.23 gives for the same file (bindings/python/tests/test_hf_tokenizer.py compares
// with it directly, on models trained on the shared corpus).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenmaxx/token.hpp"

namespace {

using tokenmaxx::rank_t;
using json = nlohmann::json;

// GPT-2's bytes_to_unicode: the character a byte is written as in tokenizer.json.
std::string byte_level(unsigned char b) {
  unsigned next = 256;
  for (unsigned c = 0; c < 256; ++c) {
    const bool printable = (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
    const unsigned cp = printable ? c : next++;
    if (c == b) {
      std::string out;
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
      return out;
    }
  }
  return {};
}

// Byte b has id b; then ab 256, abc 257, bc 258, bcd 259 with merges a+b, ab+c, b+c (in that order).
json small_model() {
  json vocab = json::object();
  for (unsigned b = 0; b < 256; ++b) vocab[byte_level(static_cast<unsigned char>(b))] = b;
  vocab["ab"] = 256;
  vocab["abc"] = 257;
  vocab["bc"] = 258;
  vocab["bcd"] = 259;
  return json{{"version", "1.0"},
              {"added_tokens", json::array()},
              {"normalizer", nullptr},
              {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
              {"model",
               {{"type", "BPE"}, {"dropout", nullptr}, {"ignore_merges", false}, {"vocab", vocab},
                {"merges", json::array({"a b", "ab c", "b c"})}}}};
}

TEST(hf_tokenizer, merges_apply_in_list_order) {
  const auto tok = tokenmaxx::hf_tokenizer::parse(small_model().dump());
  EXPECT_EQ(tok.encode("abc"), (std::vector<rank_t>{257}));
  // "bcd" is a vocabulary token but no merge makes it: tokenizers stops at bc + d (tiktoken's
  // rule would give one token).
  EXPECT_EQ(tok.encode("bcd"), (std::vector<rank_t>{258, 'd'}));
  EXPECT_EQ(tok.encode("abcd"), (std::vector<rank_t>{257, 'd'}));
  EXPECT_EQ(tok.encode("xbcdx"), (std::vector<rank_t>{'x', 258, 'd', 'x'}));
  EXPECT_EQ(tok.encode("a bc"), (std::vector<rank_t>{'a', ' ', 258}));  // ByteLevel's split: "a", " bc"
  EXPECT_EQ(tok.count("xbcdx"), 4u);
  EXPECT_EQ(tok.decode(tok.encode("a bcd\xc3\xa9")), "a bcd\xc3\xa9");
  EXPECT_EQ(tok.vocab_size(), 260u);
}

TEST(hf_tokenizer, a_sequence_of_pre_tokenizers_splits_each_piece_again) {
  json spec = small_model();
  spec["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers", json::array({{{"type", "Split"}, {"pattern", {{"Regex", " ?\\p{L}+|\\p{N}"}}}, {"behavior", "Isolated"},
                                      {"invert", false}},
                                     {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}})}};
  const auto tok = tokenmaxx::hf_tokenizer::parse(spec.dump());
  EXPECT_EQ(tok.encode("abc12 bcd"), (std::vector<rank_t>{257, '1', '2', ' ', 258, 'd'}));
  EXPECT_EQ(tok.encode("x abcd!"), (std::vector<rank_t>{'x', ' ', 257, 'd', '!'}));
}

TEST(hf_tokenizer, added_tokens_split_the_text_and_keep_tokenizers_ids) {
  json spec = small_model();
  spec["added_tokens"] = json::array({{{"id", 260}, {"content", "<|im_start|>"}, {"special", true}}});
  const auto tok = tokenmaxx::hf_tokenizer::parse(spec.dump());
  EXPECT_EQ(tok.encode("x<|im_start|>abc"), (std::vector<rank_t>{'x', 260, 257}));
  const std::vector<rank_t> plain = tok.encode_ordinary("<|im_start|>");
  EXPECT_GT(plain.size(), 1u);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), rank_t{260}), 0);
  EXPECT_EQ(tok.token_to_id("<|im_start|>"), 260u);
  // tokenizers gives an added token the next free id whatever the file says (260 here, not 300).
  spec["added_tokens"][0]["id"] = 300;
  const auto renumbered = tokenmaxx::try_parse_hf_tokenizer(spec.dump());
  ASSERT_FALSE(renumbered.ok());
  EXPECT_NE(renumbered.status().message().find("renumbers it to 260"), std::string_view::npos) << renumbered.status();
}

TEST(hf_tokenizer, unsupported_features_are_refused_by_name) {
  const auto refused = [](json spec, std::string_view feature) {
    const auto st = tokenmaxx::try_parse_hf_tokenizer(spec.dump(), "t.json");
    ASSERT_FALSE(st.ok()) << feature;
    EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(st.status().message()).find(feature), std::string::npos) << st.status();
    EXPECT_THROW(tokenmaxx::hf_tokenizer::parse(spec.dump()), tokenmaxx::error);
  };
  json s = small_model();
  s["normalizer"] = {{"type", "NFKC"}};
  refused(s, "normalizer NFKC");
  s = small_model();
  s["model"]["type"] = "WordPiece";
  refused(s, "model WordPiece");
  s["model"]["type"] = "Unigram";
  refused(s, "model Unigram");
  s = small_model();
  s["model"]["dropout"] = 0.1;
  refused(s, "BPE dropout");
  s = small_model();
  s["pre_tokenizer"] = {{"type", "Whitespace"}};
  refused(s, "pre_tokenizer Whitespace");
  s["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "a"}}}, {"behavior", "MergedWithPrevious"}};
  refused(s, "Split behavior MergedWithPrevious");
  s = small_model();
  s["model"]["vocab"].erase(byte_level(0));
  refused(s, "without the byte 0");
  s = small_model();
  s["added_tokens"] = json::array({{{"id", 260}, {"content", "<x>"}, {"lstrip", true}}});
  refused(s, "added token with lstrip");
  // Fields of the wrong type are errors, not exceptions from the JSON library.
  s = small_model();
  s["model"]["ignore_merges"] = "yes";
  refused(s, "ignore_merges is not a boolean");
  s = small_model();
  s["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", json::array({5})}};
  refused(s, "not an object");
  s["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", 1}};
  refused(s, "not a boolean");
}

TEST(hf_tokenizer, bad_input_is_an_error) {
  const auto tok = tokenmaxx::hf_tokenizer::parse(small_model().dump());
  EXPECT_THROW(tok.encode("a\xff"), tokenmaxx::error);
  EXPECT_EQ(tokenmaxx::try_count(tok, "a\xff").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(tokenmaxx::try_parse_hf_tokenizer("{not json").ok());
  EXPECT_EQ(tokenmaxx::try_load_hf_tokenizer("/nonexistent/tokenizer.json").status().code(),
            absl::StatusCode::kNotFound);
  const rank_t unknown[] = {999};
  EXPECT_THROW((void)tok.decode(unknown), tokenmaxx::error);
}

}  // namespace

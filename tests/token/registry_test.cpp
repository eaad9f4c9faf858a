// registry.hpp: the built-in encodings are tiktoken's (names, vocabulary files, special tokens with
// their ids, n_vocab, eot_token: tiktoken_data/encodings.inc and models.inc), loaded once per
// process and shared, also when the first calls race.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tiktoken_cases.hpp"
#include "tokenmaxx/token.hpp"

namespace {

using tokenmaxx::rank_t;

using tokenmaxx_test::encoding_cases;
using tokenmaxx_test::tiktoken_encoding_names;

// First in this file on purpose: nothing in this process has loaded p50k_edit or o200k_harmony
// yet, so the threads below race on the very first load (gtest runs a file's tests in order).
TEST(registry, concurrent_first_calls_load_once_and_share_the_result) {
  constexpr int threads = 8;
  std::barrier start(threads);
  std::vector<std::shared_ptr<const tokenmaxx::encoding>> got(2 * threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      const char* first = t % 2 ? "p50k_edit" : "o200k_harmony";
      const char* second = t % 2 ? "o200k_harmony" : "p50k_edit";
      got[2 * t] = tokenmaxx::get_encoding(first);
      got[2 * t + 1] = tokenmaxx::get_encoding(second);
    });
  for (auto& th : pool) th.join();
  const auto edit = tokenmaxx::get_encoding("p50k_edit"), harmony = tokenmaxx::get_encoding("o200k_harmony");
  for (const auto& e : got) EXPECT_TRUE(e == edit || e == harmony) << "a second instance was made";
  EXPECT_EQ(std::count(got.begin(), got.end(), edit), threads);
  EXPECT_EQ(edit->count("hello world"), 2u);
  EXPECT_EQ(harmony->count("hello world"), 2u);
}

TEST(registry, names_are_tiktokens_then_the_open_models) {
  const auto names = tokenmaxx::list_encoding_names();
  std::vector<std::string_view> expected = tiktoken_encoding_names;
  for (std::string_view open_model : {"llama3", "llama4", "tekken"}) expected.push_back(open_model);
  EXPECT_EQ(std::vector<std::string_view>(names.begin(), names.end()), expected);
  for (auto name : names) ASSERT_NE(tokenmaxx::find_builtin_encoding(name), nullptr);
  // The open models' files come from the vendors' packages (tokenizer_vs_vendors loads them).
  for (auto name : tiktoken_encoding_names) EXPECT_EQ(tokenmaxx::get_encoding(name)->name(), name);
}

TEST(registry, each_encoding_has_tiktokens_specials_sizes_and_eot) {
  for (const auto& c : encoding_cases) {
    const auto enc = tokenmaxx::get_encoding(c.name);
    EXPECT_EQ(enc->n_vocab(), c.n_vocab) << c.name;
    EXPECT_EQ(enc->max_token_value(), c.max_token_value) << c.name;
    EXPECT_EQ(enc->eot_token(), c.eot) << c.name;
    auto specials = enc->special_tokens();
    std::sort(specials.begin(), specials.end());
    std::vector<std::pair<std::string, rank_t>> want;
    for (const auto& s : c.specials) want.emplace_back(s.text, s.id);
    std::sort(want.begin(), want.end());
    EXPECT_EQ(specials, want) << c.name;
    for (const auto& s : c.specials) {
      EXPECT_EQ(enc->special_token_id(s.text), s.id) << s.text;
      EXPECT_EQ(enc->decode(std::vector<rank_t>{s.id}), s.decodes_to) << s.id;
      EXPECT_EQ(enc->token_bytes(s.id), s.decodes_to) << s.id;
    }
    EXPECT_EQ(tokenmaxx::builtin_special_tokens(c.name), enc->special_tokens()) << c.name;
    EXPECT_NE(enc->vocab().source().find(std::string(tokenmaxx::find_builtin_encoding(c.name)->vocab_file)),
              std::string::npos) << enc->vocab().source();
  }
  EXPECT_EQ(std::size(encoding_cases), 6u);
}

TEST(registry, gpt2_is_r50k_base_under_another_name) {
  // tiktoken builds gpt2 from other files (not available offline), with r50k_base's ranks.
  const auto gpt2 = tokenmaxx::get_encoding("gpt2"), r50k = tokenmaxx::get_encoding("r50k_base");
  EXPECT_EQ(&gpt2->vocab(), &r50k->vocab());
  EXPECT_EQ(gpt2->special_tokens(), r50k->special_tokens());
  EXPECT_EQ(gpt2->n_vocab(), r50k->n_vocab());
  EXPECT_EQ(gpt2->family(), r50k->family());
}

TEST(registry, instances_and_vocabularies_are_shared) {
  EXPECT_EQ(tokenmaxx::get_encoding("o200k_base").get(), tokenmaxx::get_encoding("o200k_base").get());
  EXPECT_EQ(&tokenmaxx::get_encoding("o200k_base")->vocab(), &tokenmaxx::get_encoding("o200k_harmony")->vocab());
  EXPECT_EQ(&tokenmaxx::get_encoding("p50k_base")->vocab(), &tokenmaxx::get_encoding("p50k_edit")->vocab());
  EXPECT_NE(&tokenmaxx::get_encoding("p50k_base")->vocab(), &tokenmaxx::get_encoding("r50k_base")->vocab());
}

TEST(registry, unknown_names_are_errors_that_list_the_valid_ones) {
  try {
    tokenmaxx::get_encoding("cl100k");
    FAIL();
  } catch (const tokenmaxx::unknown_name_error& e) {
    EXPECT_NE(std::string(e.what()).find("'cl100k'"), std::string::npos);
    for (auto n : tiktoken_encoding_names) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << n;
  }
  for (const char* bad : {"", "CL100K_BASE", "cl100k_base ", "o200k"}) {
    EXPECT_THROW(tokenmaxx::get_encoding(bad), tokenmaxx::unknown_name_error) << bad;
    EXPECT_EQ(tokenmaxx::find_builtin_encoding(bad), nullptr);
    EXPECT_TRUE(tokenmaxx::builtin_special_tokens(bad).empty());
  }
}

}  // namespace

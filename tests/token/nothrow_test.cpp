// nothrow.hpp: each try_ twin returns the Status code that docs/ERRORS.md and the header document,
// with the same message as the exception its throwing twin raises, and the same value on success.
// (The Internal code, for an OpenSSL failure, cannot be provoked from a test.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/nothrow.hpp"

namespace {

namespace fs = std::filesystem;
using absl::StatusCode;
using tokenmaxx::rank_t;
using tokenmaxx::special_set;

// Runs the throwing call, expects an exception of type E, and checks the Status of the try_ twin.
template <class E, class Status>
void expect_twins(const std::function<void()>& throwing, const Status& status, StatusCode code) {
  std::string what;
  try {
    throwing();
    ADD_FAILURE() << "the throwing twin did not throw";
  } catch (const E& e) {
    what = e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another type: " << e.what();
  }
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(std::string(status.message()), what);
  EXPECT_FALSE(what.empty());
}
template <class E, class T>
void expect_twins(const std::function<void()>& throwing, const absl::StatusOr<T>& result, StatusCode code) {
  expect_twins<E>(throwing, result.status(), code);
}

// Sets an environment variable for the scope of one test.
class scoped_env {
 public:
  scoped_env(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~scoped_env() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

fs::path temp_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("tokenmaxx-nothrow-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(nothrow, vocabulary_parsing_and_tables) {
  using tokenmaxx::vocabulary;
  expect_twins<tokenmaxx::vocab_error>([] { vocabulary::parse("YQ== 0\nnot base64\n", "f"); },
                                       tokenmaxx::try_parse_vocabulary("YQ== 0\nnot base64\n", "f"), StatusCode::kDataLoss);
  expect_twins<tokenmaxx::vocab_error>([] { vocabulary::parse(""); }, tokenmaxx::try_parse_vocabulary(""),
                                       StatusCode::kDataLoss);
  const std::vector<std::vector<std::pair<std::string, rank_t>>> bad_tables = {
      {}, {{"", 0}}, {{"a", 0}, {"b", 0}}, {{"a", 0}, {"a", 1}}, {{"a", vocabulary::max_rank_limit + 1}}};
  for (const auto& t : bad_tables)
    expect_twins<tokenmaxx::vocab_error>([&] { vocabulary::from_ranks(t); }, tokenmaxx::try_vocabulary_from_ranks(t),
                                         StatusCode::kInvalidArgument);
  const auto ok = tokenmaxx::try_parse_vocabulary("YQ== 0\nYg== 1\nYWI= 2\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->find("ab"), 2u);
  EXPECT_EQ(tokenmaxx::try_vocabulary_from_ranks({{"x", 5}})->find("x"), 5u);
}

TEST(nothrow, vocabulary_files) {
  const fs::path dir = temp_dir("files");
  const std::string missing = (dir / "missing.tiktoken").string();
  expect_twins<tokenmaxx::vocab_error>([&] { tokenmaxx::vocabulary::load_file(missing); },
                                       tokenmaxx::try_load_vocabulary_file(missing), StatusCode::kNotFound);
  const std::string file = (dir / "small.tiktoken").string();
  std::ofstream(file) << "YQ== 0\nYg== 1\n";
  const std::string wrong_hash(64, '0');
  expect_twins<tokenmaxx::vocab_error>([&] { tokenmaxx::vocabulary::load_file(file, wrong_hash); },
                                       tokenmaxx::try_load_vocabulary_file(file, wrong_hash), StatusCode::kDataLoss);
  EXPECT_EQ(tokenmaxx::try_load_vocabulary_file(file)->size(), 2u);
  const std::string malformed = (dir / "malformed.tiktoken").string();
  std::ofstream(malformed) << "YQ== zero\n";
  expect_twins<tokenmaxx::vocab_error>([&] { tokenmaxx::vocabulary::load_file(malformed); },
                                       tokenmaxx::try_load_vocabulary_file(malformed), StatusCode::kDataLoss);
  fs::remove_all(dir);
}

TEST(nothrow, known_vocabularies_unknown_missing_and_tampered) {
  expect_twins<tokenmaxx::unknown_name_error>([] { tokenmaxx::vocabulary::load_known("nope.tiktoken"); },
                                              tokenmaxx::try_load_known_vocabulary("nope.tiktoken"), StatusCode::kNotFound);
  const fs::path empty = temp_dir("empty"), cache = temp_dir("cache"), tampered = temp_dir("tampered");
  {
    const scoped_env vocab("TOKENMAXX_VOCAB_DIR", empty.string()), cache_dir("TOKENMAXX_CACHE_DIR", cache.string());
    expect_twins<tokenmaxx::vocab_error>([] { tokenmaxx::vocabulary::load_known("r50k_base.tiktoken"); },
                                         tokenmaxx::try_load_known_vocabulary("r50k_base.tiktoken"), StatusCode::kNotFound);
  }
  std::ofstream(tampered / "r50k_base.tiktoken") << "YQ== 0\n";
  {
    const scoped_env vocab("TOKENMAXX_VOCAB_DIR", tampered.string()), cache_dir("TOKENMAXX_CACHE_DIR", cache.string());
    const auto status = tokenmaxx::try_load_known_vocabulary("r50k_base.tiktoken").status();
    expect_twins<tokenmaxx::vocab_error>([] { tokenmaxx::vocabulary::load_known("r50k_base.tiktoken"); }, status,
                                         StatusCode::kDataLoss);
    EXPECT_NE(std::string(status.message()).find(tokenmaxx::find_known_vocab_file("r50k_base.tiktoken")->sha256),
              std::string::npos)
        << "names the pinned hash: " << status;
  }
  fs::remove_all(empty);
  fs::remove_all(cache);
  fs::remove_all(tampered);
}

TEST(nothrow, custom_encodings) {
  auto vocab = std::make_shared<const tokenmaxx::vocabulary>(tokenmaxx::vocabulary::parse("YQ== 0\nYg== 1\n"));
  using specials = std::vector<std::pair<std::string, rank_t>>;
  const auto family = tokenmaxx::pretokenizer_family::gpt2;
  struct bad_case {
    std::shared_ptr<const tokenmaxx::vocabulary> vocab;
    specials sp;
    std::optional<std::size_t> n_vocab;
  };
  for (const bad_case& c : {bad_case{nullptr, {}, std::nullopt}, bad_case{vocab, {{"<|x|>", 1}}, std::nullopt},
                            bad_case{vocab, {{"", 5}}, std::nullopt}, bad_case{vocab, {{"<|x|>", 5}}, 7}}) {
    expect_twins<tokenmaxx::error>([&] { tokenmaxx::encoding("e", family, c.vocab, c.sp, c.n_vocab); },
                                   tokenmaxx::try_make_encoding("e", family, c.vocab, c.sp, c.n_vocab),
                                   StatusCode::kInvalidArgument);
  }
  const auto made = tokenmaxx::try_make_encoding("e", family, vocab, {{"<|x|>", 5}}, 6);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ((*made)->encode("ab<|x|>", special_set::all()), (std::vector<rank_t>{0, 1, 5}));
}

TEST(nothrow, registry_and_model_table) {
  expect_twins<tokenmaxx::unknown_name_error>([] { tokenmaxx::get_encoding("nope"); }, tokenmaxx::try_get_encoding("nope"),
                                              StatusCode::kNotFound);
  expect_twins<tokenmaxx::unknown_name_error>([] { tokenmaxx::encoding_name_for_model("llama"); },
                                              tokenmaxx::try_encoding_name_for_model("llama"), StatusCode::kNotFound);
  expect_twins<tokenmaxx::unknown_name_error>([] { tokenmaxx::encoding_for_model("llama"); },
                                              tokenmaxx::try_encoding_for_model("llama"), StatusCode::kNotFound);
  EXPECT_EQ(tokenmaxx::try_get_encoding("cl100k_base")->get(), tokenmaxx::get_encoding("cl100k_base").get());
  EXPECT_EQ(*tokenmaxx::try_encoding_name_for_model("gpt-4o"), "o200k_base");
  EXPECT_EQ(tokenmaxx::try_encoding_for_model("gpt-4")->get(), tokenmaxx::get_encoding("cl100k_base").get());
}

TEST(nothrow, encoding_calls) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const std::string bad = "ok \xed\xa0\x80";
  expect_twins<tokenmaxx::invalid_utf8_error>([&] { enc->encode_ordinary(bad); }, tokenmaxx::try_encode_ordinary(*enc, bad),
                                              StatusCode::kInvalidArgument);
  expect_twins<tokenmaxx::invalid_utf8_error>([&] { enc->encode(bad); }, tokenmaxx::try_encode(*enc, bad),
                                              StatusCode::kInvalidArgument);
  expect_twins<tokenmaxx::invalid_utf8_error>([&] { enc->count(bad); }, tokenmaxx::try_count(*enc, bad),
                                              StatusCode::kInvalidArgument);
  expect_twins<tokenmaxx::invalid_utf8_error>([&] { enc->count_until(bad, 3); }, tokenmaxx::try_count_until(*enc, bad, 3),
                                              StatusCode::kInvalidArgument);
  const std::string special = "a <|endoftext|>";
  expect_twins<tokenmaxx::disallowed_special_error>([&] { enc->encode(special); }, tokenmaxx::try_encode(*enc, special),
                                                    StatusCode::kInvalidArgument);
  expect_twins<tokenmaxx::disallowed_special_error>(
      [&] { enc->encode("say foo", special_set::none(), special_set{"foo"}); },
      tokenmaxx::try_encode(*enc, "say foo", special_set::none(), special_set{"foo"}), StatusCode::kInvalidArgument);
  const std::vector<rank_t> unknown = {15339, 100256};
  expect_twins<tokenmaxx::invalid_token_error>([&] { enc->decode(unknown); }, tokenmaxx::try_decode(*enc, unknown),
                                               StatusCode::kInvalidArgument);

  // Success: the same values as the throwing calls.
  const std::string text = "hello world <|endoftext|> \xff";
  EXPECT_EQ(*tokenmaxx::try_encode_ordinary(*enc, "hello world"), enc->encode_ordinary("hello world"));
  EXPECT_EQ(*tokenmaxx::try_encode_ordinary(*enc, text, tokenmaxx::utf8_policy::replace),
            enc->encode_ordinary(text, tokenmaxx::utf8_policy::replace));
  EXPECT_EQ(*tokenmaxx::try_encode(*enc, text, special_set::all(), special_set::all(), tokenmaxx::utf8_policy::replace),
            enc->encode(text, special_set::all(), special_set::all(), tokenmaxx::utf8_policy::replace));
  EXPECT_EQ(*tokenmaxx::try_count(*enc, special), enc->count(special));
  EXPECT_EQ(*tokenmaxx::try_count_until(*enc, special, 1), 2u);
  EXPECT_EQ(*tokenmaxx::try_decode(*enc, enc->encode(special, special_set::all())), special);
}

}  // namespace

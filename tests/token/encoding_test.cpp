// encoding.hpp beyond corpus parity: special tokens (allowed, disallowed, explicit sets, against
// tiktoken's answers in tiktoken_data/specials.inc), UTF-8 handling, count_until, decode, custom
// encodings, and many threads sharing encodings. The merge, the pretokenizers, the registry and
// the model table have their own test files.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "test_data.hpp"
#include "tiktoken_cases.hpp"
#include "tokenmaxx/token.hpp"

namespace {

using tokenmaxx::rank_t;
using tokenmaxx::special_set;

std::vector<rank_t> concat(std::initializer_list<std::vector<rank_t>> parts) {
  std::vector<rank_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(encoding, empty_input_is_zero_tokens) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  EXPECT_TRUE(enc->encode_ordinary("").empty());
  EXPECT_TRUE(enc->encode("").empty());
  EXPECT_EQ(enc->count(""), 0u);
  EXPECT_EQ(enc->count_until("", 0), 0u);
  EXPECT_EQ(enc->decode(std::vector<rank_t>{}), "");
}

TEST(encoding, disallowed_special_throws_and_names_the_token) {
  for (const char* name : {"r50k_base", "cl100k_base", "o200k_base"}) {
    const auto enc = tokenmaxx::get_encoding(name);
    try {
      enc->encode("hello <|endoftext|> world");
      FAIL() << name << ": expected disallowed_special_error";
    } catch (const tokenmaxx::disallowed_special_error& e) {
      EXPECT_EQ(e.token(), "<|endoftext|>");
      EXPECT_NE(std::string(e.what()).find("<|endoftext|>"), std::string::npos);
    }
  }
  // The leftmost disallowed special is the one reported.
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  try {
    enc->encode("x <|fim_prefix|> y <|endoftext|>");
    FAIL();
  } catch (const tokenmaxx::disallowed_special_error& e) {
    EXPECT_EQ(e.token(), "<|fim_prefix|>");
  }
}

TEST(encoding, explicit_disallowed_strings_need_not_be_special_tokens) {
  // tiktoken searches the text for every string of an explicit disallowed set, special or not.
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  try {
    enc->encode("say foo then <|endoftext|>", special_set::none(), special_set{"<|endoftext|>", "foo"});
    FAIL() << "expected disallowed_special_error";
  } catch (const tokenmaxx::disallowed_special_error& e) {
    EXPECT_EQ(e.token(), "foo");  // the leftmost one
  }
  EXPECT_EQ(enc->encode("no match here", special_set::none(), special_set{"foo"}), enc->encode_ordinary("no match here"));
  // An explicit disallow wins over an allow, as in tiktoken.
  EXPECT_THROW(enc->encode("<|endoftext|>", special_set::all(), special_set{"<|endoftext|>"}),
               tokenmaxx::disallowed_special_error);
}

TEST(encoding, harmony_specials_are_found_among_many_lookalikes) {
  const auto enc = tokenmaxx::get_encoding("o200k_harmony");
  const auto id = enc->special_token_id("<|reserved_200100|>");
  ASSERT_TRUE(id.has_value());
  const std::string noise = "<a><|reserved_2001|><|<|reserved_200100";
  const std::string text = noise + "<|reserved_200100|>" + noise;
  EXPECT_EQ(enc->encode(text, special_set{"<|reserved_200100|>"}),
            concat({enc->encode_ordinary(noise), {*id}, enc->encode_ordinary(noise)}));
  try {
    enc->encode(text);
    FAIL() << "expected disallowed_special_error";
  } catch (const tokenmaxx::disallowed_special_error& e) {
    EXPECT_EQ(e.token(), "<|reserved_200100|>");
  }
}

using tokenmaxx_test::special_cases;

special_set as_set(bool all, const std::vector<std::string_view>& names) {
  return all ? special_set::all() : special_set(std::vector<std::string>(names.begin(), names.end()));
}

TEST(encoding, special_tokens_are_allowed_and_disallowed_as_tiktoken_does) {
  ASSERT_GT(std::size(special_cases), 15u);
  for (const auto& c : special_cases) {
    const auto enc = tokenmaxx::get_encoding(c.encoding);
    const auto allowed = as_set(c.allow_all, c.allowed), disallowed = as_set(c.disallow_all, c.disallowed);
    if (c.error_token.empty()) {
      EXPECT_EQ(enc->encode(c.text, allowed, disallowed), c.tokens) << c.encoding << ": " << c.text;
      continue;
    }
    try {
      enc->encode(c.text, allowed, disallowed);
      ADD_FAILURE() << c.encoding << ": " << c.text << " should name " << c.error_token;
    } catch (const tokenmaxx::disallowed_special_error& e) {
      EXPECT_EQ(e.token(), c.error_token) << c.encoding << ": " << c.text;
    }
  }
}

TEST(encoding, allowed_special_becomes_its_id_and_splits_the_text) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const std::string text = "hello  <|endoftext|>  world<|endofprompt|>";
  const auto ids = enc->encode(text, special_set::all());
  // Text between specials is tokenized as its own segment (so `\s++$` applies before a special).
  EXPECT_EQ(ids, concat({enc->encode_ordinary("hello  "), {100257}, enc->encode_ordinary("  world"), {100276}}));
  EXPECT_NE(ids, enc->encode_ordinary(text));
  EXPECT_EQ(enc->decode(ids), text);

  // Allowing one special while the other stays disallowed still throws for the other.
  EXPECT_THROW(enc->encode(text, special_set{"<|endoftext|>"}), tokenmaxx::disallowed_special_error);
  // Allowing one and disallowing none: the other is plain text.
  const auto partial = enc->encode(text, special_set{"<|endoftext|>"}, special_set::none());
  EXPECT_EQ(partial, concat({enc->encode_ordinary("hello  "), {100257}, enc->encode_ordinary("  world<|endofprompt|>")}));
  // Disallowing none: everything is plain text, as encode_ordinary.
  EXPECT_EQ(enc->encode(text, special_set::none(), special_set::none()), enc->encode_ordinary(text));
  // count never throws on special text.
  EXPECT_EQ(enc->count(text), enc->encode_ordinary(text).size());
}

TEST(encoding, encode_tracking_last_piece_counts_the_last_pieces_tokens) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  std::size_t last = 99;
  // " unbelievablyxyz" is one piece of several tokens; the ids equal encode()'s.
  const std::string text = "hello unbelievablyxyz";
  EXPECT_EQ(enc->encode_tracking_last_piece(text, special_set::none(), special_set::all(), last), enc->encode(text));
  EXPECT_EQ(last, enc->encode_ordinary(" unbelievablyxyz").size());
  EXPECT_GT(last, 1u);
  // Ending with an allowed special: no trailing piece. Empty text: none either.
  EXPECT_EQ(enc->encode_tracking_last_piece("hi<|endoftext|>", special_set::all(), special_set::all(), last),
            (std::vector<rank_t>{6151, 100257}));
  EXPECT_EQ(last, 0u);
  EXPECT_TRUE(enc->encode_tracking_last_piece("", special_set::none(), special_set::all(), last).empty());
  EXPECT_EQ(last, 0u);
  // Text after the special: its last piece counts again; disallowed specials still throw.
  enc->encode_tracking_last_piece("<|endoftext|> x", special_set::all(), special_set::all(), last);
  EXPECT_EQ(last, 1u);
  EXPECT_THROW(enc->encode_tracking_last_piece("<|endoftext|>", special_set::none(), special_set::all(), last),
               tokenmaxx::disallowed_special_error);
}

TEST(encoding, special_token_ids_and_vocab_sizes_match_tiktoken) {
  struct row {
    const char* name;
    std::size_t n_vocab;
    rank_t eot;
  };
  for (const row& r : {row{"gpt2", 50257, 50256}, row{"r50k_base", 50257, 50256}, row{"p50k_base", 50281, 50256},
                       row{"p50k_edit", 50284, 50256}, row{"cl100k_base", 100277, 100257},
                       row{"o200k_base", 200019, 199999}, row{"o200k_harmony", 201088, 199999}}) {
    const auto enc = tokenmaxx::get_encoding(r.name);
    EXPECT_EQ(enc->n_vocab(), r.n_vocab) << r.name;
    ASSERT_TRUE(enc->eot_token()) << r.name;
    EXPECT_EQ(*enc->eot_token(), r.eot) << r.name;
  }
  const auto harmony = tokenmaxx::get_encoding("o200k_harmony");
  EXPECT_EQ(harmony->special_token_id("<|start|>"), 200006u);
  EXPECT_EQ(harmony->special_token_id("<|call|>"), 200012u);
  EXPECT_EQ(harmony->special_token_id("<|reserved_201087|>"), 201087u);
  EXPECT_EQ(harmony->encode("<|start|>assistant<|message|>", special_set::all()).front(), 200006u);
  const auto edit = tokenmaxx::get_encoding("p50k_edit");
  EXPECT_EQ(edit->encode("<|fim_middle|>", special_set::all()), std::vector<rank_t>{50282});
}

TEST(encoding, decode_rejects_unknown_ids) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  EXPECT_THROW(enc->decode(std::vector<rank_t>{100256}), tokenmaxx::invalid_token_error);  // the gap
  EXPECT_THROW(enc->decode(std::vector<rank_t>{5000000}), tokenmaxx::invalid_token_error);
  EXPECT_EQ(enc->decode(std::vector<rank_t>{100257}), "<|endoftext|>");
}

TEST(encoding, invalid_utf8_is_an_error_with_the_byte_offset) {
  const auto enc = tokenmaxx::get_encoding("o200k_base");
  struct row {
    std::string bytes;
    std::size_t offset;
  };
  for (const row& r : {row{"ab\xff", 2}, row{"\xe2\x82", 0}, row{"ok \xed\xa0\x80", 3}, row{"\xc0\xaf", 0},
                       row{"\xf4\x90\x80\x80", 0}, row{"caf\xc3\xa9\x80", 5}, row{std::string("a\0\xfe", 3), 2}}) {
    try {
      enc->encode_ordinary(r.bytes);
      FAIL() << "no error for " << r.bytes;
    } catch (const tokenmaxx::invalid_utf8_error& e) {
      EXPECT_EQ(e.offset(), r.offset);
      EXPECT_NE(std::string(e.what()).find(std::to_string(r.offset)), std::string::npos);
    }
    EXPECT_THROW(enc->count(r.bytes), tokenmaxx::invalid_utf8_error);
    EXPECT_THROW(enc->encode(r.bytes), tokenmaxx::invalid_utf8_error);
  }
}

TEST(encoding, lossy_mode_replaces_like_python_errors_replace) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const std::string fffd = "\xEF\xBF\xBD";
  // Expected strings are what Python's bytes.decode("utf-8", "replace") returns for these inputs.
  struct row {
    std::string bytes, replaced;
  };
  for (const row& r : {row{"a\xff" "b", "a" + fffd + "b"}, row{"\xe2\x82x", fffd + "x"},
                       row{"\xed\xa0\x80", fffd + fffd + fffd}, row{"\xf0\x9f\x98", fffd},
                       row{"\xc0\xaf", fffd + fffd}, row{"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},
                       row{"ok\xe2", "ok" + fffd}}) {
    const auto lossy = enc->encode_ordinary(r.bytes, tokenmaxx::utf8_policy::replace);
    EXPECT_EQ(lossy, enc->encode_ordinary(r.replaced));
    EXPECT_EQ(enc->decode(lossy), r.replaced);
    EXPECT_EQ(enc->count(r.bytes, tokenmaxx::utf8_policy::replace), lossy.size());
  }
}

TEST(encoding, count_until_agrees_with_count) {
  TOKENMAXX_REQUIRE_SHARED_DATA();
  const auto enc = tokenmaxx::get_encoding("o200k_base");
  const auto docs = tokenmaxx_test::load_corpus("chat.jsonl");
  for (std::size_t d = 0; d < docs.size(); d += 7) {
    const std::size_t n = enc->count(docs[d].text);
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, n / 2, n - std::min<std::size_t>(n, 1), n, n + 1, n * 2}) {
      EXPECT_EQ(enc->count_until(docs[d].text, limit), std::min(n, limit + 1)) << docs[d].id << " limit " << limit;
    }
  }
}

TEST(encoding, count_until_on_one_huge_piece) {
  // The early exit skips merging a piece whose fewest possible tokens already pass the limit;
  // the answer must still be exact on both sides of the limit.
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const std::string text(1 << 16, 'a');
  const std::size_t n = enc->count(text);
  ASSERT_GT(n, 2u);
  EXPECT_EQ(enc->count_until(text, 1), 2u);
  EXPECT_EQ(enc->count_until(text, n - 1), n);
  EXPECT_EQ(enc->count_until(text, n), n);
  EXPECT_EQ(enc->count_until("hi " + text, 1), 2u);
}

// Many threads on shared encodings at once, checked against single-threaded answers. A barrier
// starts every round on all threads together, and each thread walks the jobs from its own offset,
// so threads tokenize the same text with the same encoding at the same time: the shared vocabulary
// and special-token index, the per-thread merge memo (repeated words) and the per-thread heap
// scratch (pieces of thousands of bytes) are all under concurrent use. `max_in_flight` records
// that the work really overlapped.
TEST(concurrency, shared_encodings_give_identical_results_on_many_threads) {
  TOKENMAXX_REQUIRE_SHARED_DATA();
  const auto docs = tokenmaxx_test::load_corpus("udhr.jsonl");
  std::vector<std::string> texts;
  for (std::size_t d = 0; d < docs.size(); d += 37) {
    const std::string& t = docs[d].text;
    std::size_t half = t.size() / 2;
    while (half < t.size() && (static_cast<unsigned char>(t[half]) & 0xC0) == 0x80) ++half;  // a character boundary
    texts.push_back(t.substr(0, half) + "<|endoftext|>" + t.substr(half));
  }
  texts.push_back(std::string(6000, 'x') + " " + std::string(3000, '-') + "\n" + std::string(2000, '7'));
  struct job {
    std::shared_ptr<const tokenmaxx::encoding> enc;
    const std::string* text;
    std::vector<rank_t> ordinary, with_specials;
  };
  std::vector<job> jobs;
  for (const char* name : {"o200k_base", "cl100k_base", "r50k_base", "o200k_harmony"})
    for (const auto& t : texts) {
      const auto enc = tokenmaxx::get_encoding(name);
      jobs.push_back({enc, &t, enc->encode_ordinary(t), enc->encode(t, special_set::all())});
    }
  constexpr int thread_count = 6, rounds = 2;
  std::barrier start_round(thread_count);
  std::atomic<int> in_flight{0}, max_in_flight{0};
  std::vector<int> failures(thread_count, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < rounds; ++round) {
        start_round.arrive_and_wait();
        for (std::size_t k = 0; k < jobs.size(); ++k) {
          const job& j = jobs[(k + static_cast<std::size_t>(t * 5 + round)) % jobs.size()];
          const int now = ++in_flight;
          for (int seen = max_in_flight.load(); now > seen && !max_in_flight.compare_exchange_weak(seen, now);) {
          }
          if (j.enc->encode_ordinary(*j.text) != j.ordinary) ++failures[t];
          if (j.enc->count(*j.text) != j.ordinary.size()) ++failures[t];
          if (j.enc->encode(*j.text, special_set::all()) != j.with_specials) ++failures[t];
          --in_flight;
        }
      }
    });
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  EXPECT_GE(max_in_flight.load(), 2) << "the threads never tokenized at the same time";
  EXPECT_GT(jobs.size(), 30u);
}

}  // namespace

namespace {

// Two custom vocabularies in which "abc" merges differently; interleaving them on one thread
// must never serve one vocabulary's merge result to the other (the merge memo is per vocabulary).
TEST(custom_encoding, same_piece_merges_per_its_own_vocabulary) {
  // bytes a=0 b=1 c=2; A ranks "ab" before "bc", B the other way round.
  auto a = std::make_shared<const tokenmaxx::vocabulary>(tokenmaxx::vocabulary::parse("YQ== 0\nYg== 1\nYw== 2\nYWI= 3\nYmM= 4\n", "A"));
  auto b = std::make_shared<const tokenmaxx::vocabulary>(tokenmaxx::vocabulary::parse("YQ== 0\nYg== 1\nYw== 2\nYmM= 3\nYWI= 4\n", "B"));
  const tokenmaxx::encoding enc_a("A", tokenmaxx::pretokenizer_family::gpt2, a, {{"<|end|>", 10}});
  const tokenmaxx::encoding enc_b("B", tokenmaxx::pretokenizer_family::gpt2, b, {});
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(enc_a.encode_ordinary("abc"), (std::vector<rank_t>{3, 2}));
    EXPECT_EQ(enc_b.encode_ordinary("abc"), (std::vector<rank_t>{0, 3}));
  }
  EXPECT_EQ(enc_a.n_vocab(), 11u);
  EXPECT_EQ(enc_a.encode("abc<|end|>", special_set::all()), (std::vector<rank_t>{3, 2, 10}));
  // A special token id may not collide with a rank.
  EXPECT_THROW(tokenmaxx::encoding("bad", tokenmaxx::pretokenizer_family::gpt2, a, {{"<|x|>", 3}}), tokenmaxx::error);
  // Bytes the vocabulary lacks are an error, not a crash or a silent zero.
  EXPECT_THROW(enc_a.encode_ordinary("abz"), tokenmaxx::error);
}

}  // namespace

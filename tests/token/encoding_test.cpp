// Behaviour of the public encoding API beyond corpus parity: special tokens, UTF-8 handling,
// count_until, the model table and the registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "reference_bpe.hpp"
#include "test_data.hpp"
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

TEST(encoding, long_piece_merge_matches_short_piece_merge) {
  // Pieces longer than the small-piece threshold use the heap merge; compare it with the plain
  // reference merge.
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const auto& vocab = enc->vocab();
  std::string b64 = "QmFzZTY0IGJsb2IgdGhhdCBpcyBsb25nZXIgdGhhbiBvbmUgaHVuZHJlZCBieXRlcyB3aXRob3V0IGFueSBzcGFjZXM";
  int compared = 0;
  for (std::string piece : {b64 + b64 + b64, std::string(300, 'a'), std::string(257, '-'), std::string(1000, 'x')}) {
    if (vocab.find(piece) != tokenmaxx::no_rank) continue;
    ++compared;
    std::vector<rank_t> got;
    tokenmaxx::token_detail::bpe_encode_piece(vocab.table(), reinterpret_cast<const std::uint8_t*>(piece.data()),
                                        piece.size(), [&](rank_t r) { got.push_back(r); });
    EXPECT_EQ(got, tokenmaxx_test::reference_merge(vocab, piece)) << piece.substr(0, 20) << "... (" << piece.size() << " bytes)";
  }  EXPECT_EQ(compared, 4) << "every piece should be too long to be a single vocabulary entry";
}

TEST(models, encoding_for_model_follows_tiktokens_table) {
  struct row {
    const char* model;
    const char* encoding;
  };
  for (const row& r : {row{"gpt-5", "o200k_base"}, row{"gpt-5-mini", "o200k_base"}, row{"gpt-4.1", "o200k_base"},
                       row{"gpt-4.1-nano-2025-04-14", "o200k_base"}, row{"gpt-4o", "o200k_base"},
                       row{"gpt-4o-2024-05-13", "o200k_base"}, row{"o1", "o200k_base"}, row{"o3-mini", "o200k_base"},
                       row{"o4-mini", "o200k_base"}, row{"gpt-4", "cl100k_base"}, row{"gpt-4-0314", "cl100k_base"},
                       row{"gpt-3.5-turbo", "cl100k_base"}, row{"gpt-35-turbo-16k", "cl100k_base"},
                       row{"text-embedding-3-large", "cl100k_base"}, row{"gpt-oss-120b", "o200k_harmony"},
                       row{"davinci", "r50k_base"}, row{"text-davinci-003", "p50k_base"},
                       row{"code-davinci-edit-001", "p50k_edit"}, row{"ft:gpt-4o-mini:org::id", "o200k_base"},
                       row{"gpt2", "gpt2"}}) {
    EXPECT_EQ(tokenmaxx::encoding_name_for_model(r.model), r.encoding) << r.model;
  }
  try {
    tokenmaxx::encoding_name_for_model("llama-3");
    FAIL();
  } catch (const tokenmaxx::unknown_name_error& e) {
    EXPECT_NE(std::string(e.what()).find("gpt-4o"), std::string::npos);
  }
  EXPECT_EQ(tokenmaxx::encoding_for_model("gpt-4o-mini")->name(), "o200k_base");
}

TEST(registry, unknown_encoding_lists_valid_ones_and_instances_are_shared) {
  try {
    tokenmaxx::get_encoding("cl100k");
    FAIL();
  } catch (const tokenmaxx::unknown_name_error& e) {
    for (auto n : tokenmaxx::list_encoding_names()) EXPECT_NE(std::string(e.what()).find(std::string(n)), std::string::npos);
  }
  EXPECT_EQ(tokenmaxx::get_encoding("o200k_base").get(), tokenmaxx::get_encoding("o200k_base").get());
  EXPECT_EQ(&tokenmaxx::get_encoding("o200k_base")->vocab(), &tokenmaxx::get_encoding("o200k_harmony")->vocab());
}

TEST(concurrency, shared_encoding_gives_identical_results_on_many_threads) {
  TOKENMAXX_REQUIRE_SHARED_DATA();
  const auto docs = tokenmaxx_test::load_corpus("udhr.jsonl");
  const auto enc = tokenmaxx::get_encoding("o200k_base");
  std::vector<std::vector<rank_t>> expected;
  for (std::size_t d = 0; d < docs.size(); d += 11) expected.push_back(enc->encode_ordinary(docs[d].text));
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::size_t k = 0;
      for (std::size_t d = 0; d < docs.size(); d += 11, ++k) {
        if (enc->encode_ordinary(docs[d].text) != expected[k]) ++failures[t];
        if (enc->count(docs[d].text) != expected[k].size()) ++failures[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
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

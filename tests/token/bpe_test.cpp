// Byte-pair merging, through its public entry points: encoding::encode_piece (a piece that is a
// token is that token, else the merge: tiktoken's _encode_single_piece) and byte_pair_encode in
// unstable.hpp (always the merge: tiktoken's byte_pair_encode). Small hand-made vocabularies pin
// the rule (lowest rank first, leftmost on ties, ranks of concatenated bytes rather than a merges
// list); random vocabularies and real ones check every piece length, short and long (the heap
// merge), against the quadratic reference in reference_bpe.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reference_bpe.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/unstable.hpp"

namespace {

using tokenmaxx::rank_t;
using ids = std::vector<rank_t>;
using tokenmaxx_test::reference_merge;
using tokenmaxx_test::whole_piece;

std::shared_ptr<const tokenmaxx::encoding> encoding_over(const std::vector<std::pair<std::string, rank_t>>& ranks) {
  auto vocab = std::make_shared<const tokenmaxx::vocabulary>(tokenmaxx::vocabulary::from_ranks(ranks, "test"));
  return std::make_shared<const tokenmaxx::encoding>("test", tokenmaxx::pretokenizer_family::gpt2, vocab,
                                                     std::vector<std::pair<std::string, rank_t>>{});
}

TEST(bpe, lowest_rank_merges_first_not_leftmost) {
  // "bc" outranks "ab": a left-to-right merge would give [ab][c], tiktoken gives [a][bc].
  const auto enc = encoding_over({{"a", 0}, {"b", 1}, {"c", 2}, {"bc", 3}, {"ab", 4}});
  EXPECT_EQ(enc->encode_piece("abc"), (ids{0, 3}));
  EXPECT_EQ(enc->encode_ordinary("abc"), (ids{0, 3}));
  EXPECT_EQ(tokenmaxx::byte_pair_encode(enc->vocab(), "abc"), (ids{0, 3}));
  // Each merge is judged by the rank of the joined bytes, after earlier merges: "abc" now exists
  // but is not a pair until "ab" or "bc" has formed.
  const auto chain = encoding_over({{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}, {"cd", 4}, {"ab", 5}, {"abcd", 6}, {"bcd", 7}});
  // cd (4) first: [a][b][cd]; then ab (5) before bcd (7): [ab][cd]; then abcd (6): one token.
  EXPECT_EQ(tokenmaxx::byte_pair_encode(chain->vocab(), "abcd"), (ids{6}));
  EXPECT_EQ(chain->encode_piece("abcda"), (ids{6, 0}));
}

TEST(bpe, equal_ranks_merge_the_leftmost_pair) {
  const auto enc = encoding_over({{"a", 0}, {"aa", 1}, {"aaa", 2}});
  EXPECT_EQ(enc->encode_piece("aa"), (ids{1}));
  // "aaaa": pairs at 0, 1, 2 all rank 1; the leftmost merges: [aa][a][a] -> [aa][aa].
  EXPECT_EQ(enc->encode_piece("aaaa"), (ids{1, 1}));
  // "aaaaa": [aa][a][a][a]; then "aa" (1) at index 1 beats "aaa" (2) at index 0: [aa][aa][a];
  // then "aaa" (2) at index 1: [aa][aaa].
  EXPECT_EQ(enc->encode_piece("aaaaa"), (ids{1, 2}));
  EXPECT_EQ(reference_merge(enc->vocab(), "aaaaa"), (ids{1, 2}));
}

TEST(bpe, a_piece_that_is_a_token_is_one_token_even_when_merges_never_reach_it) {
  const auto enc = encoding_over({{"a", 0}, {"b", 1}, {"c", 2}, {"abc", 3}});
  EXPECT_EQ(enc->encode_piece("abc"), (ids{3}));
  EXPECT_EQ(enc->encode_ordinary("abc"), (ids{3}));
  EXPECT_EQ(tokenmaxx::byte_pair_encode(enc->vocab(), "abc"), (ids{0, 1, 2}));
  EXPECT_EQ(enc->encode_piece("abca"), (ids{0, 1, 2, 0}));
}

TEST(bpe, a_byte_without_a_token_is_an_error) {
  const auto enc = encoding_over({{"a", 0}, {"b", 1}});
  EXPECT_THROW(enc->encode_piece("abz"), tokenmaxx::error);
  EXPECT_THROW(enc->encode_piece(std::string(200, 'a') + "z"), tokenmaxx::error);  // the long-piece merge too
  EXPECT_THROW(tokenmaxx::byte_pair_encode(enc->vocab(), "za"), tokenmaxx::error);
  EXPECT_EQ(enc->encode_piece(""), ids{});
  // A byte without a token of its own is fine once a merge has absorbed it.
  const auto absorbed = encoding_over({{"a", 0}, {"b", 1}, {"zb", 2}});
  EXPECT_EQ(absorbed->encode_piece("zba"), (ids{2, 0}));
  EXPECT_EQ(reference_merge(absorbed->vocab(), "zba"), (ids{2, 0}));
  EXPECT_THROW(absorbed->encode_piece("zab"), tokenmaxx::error);
}

// A random vocabulary over a 3-letter alphabet: tokens made by joining two earlier tokens (so
// merges reach them) plus a few random strings at random ranks (so some are not reachable).
std::vector<std::pair<std::string, rank_t>> random_vocabulary(std::mt19937& rng) {
  std::vector<std::pair<std::string, rank_t>> ranks = {{"a", 0}, {"b", 1}, {"c", 2}};
  std::vector<std::string> tokens = {"a", "b", "c"};
  std::set<std::string> seen(tokens.begin(), tokens.end());
  const int wanted = std::uniform_int_distribution<int>(5, 60)(rng);
  std::vector<rank_t> free_ranks;
  for (rank_t r = 3; r < rank_t(3 + 2 * wanted); ++r) free_ranks.push_back(r);
  std::shuffle(free_ranks.begin(), free_ranks.end(), rng);
  for (int k = 0; k < wanted; ++k) {
    std::string t;
    if (k % 5 == 4) {
      for (int n = std::uniform_int_distribution<int>(2, 6)(rng); n > 0; --n) t.push_back("abc"[rng() % 3]);
    } else {
      t = tokens[rng() % tokens.size()] + tokens[rng() % tokens.size()];
    }
    if (t.size() > 24 || !seen.insert(t).second) continue;
    tokens.push_back(t);
    ranks.emplace_back(t, free_ranks[static_cast<std::size_t>(k)]);
  }
  return ranks;
}

TEST(bpe, random_vocabularies_and_pieces_of_every_length_match_the_reference) {
  std::mt19937 rng(12345);
  std::size_t compared = 0, long_pieces = 0;
  for (int round = 0; round < 60; ++round) {
    const auto enc = encoding_over(random_vocabulary(rng));
    for (int k = 0; k < 40; ++k) {
      // Lengths from 1 to 400 cover both sides of any short/long threshold the merge uses.
      const std::size_t len = k < 20 ? std::size_t(k + 1) : std::uniform_int_distribution<std::size_t>(1, 400)(rng);
      std::string piece;
      for (std::size_t i = 0; i < len; ++i) piece.push_back("abc"[rng() % 3]);
      ASSERT_EQ(enc->encode_piece(piece), reference_merge(enc->vocab(), piece)) << piece;
      ASSERT_EQ(tokenmaxx::byte_pair_encode(enc->vocab(), piece),
                reference_merge(enc->vocab(), piece, whole_piece::merge_anyway))
          << piece;
      ++compared;
      long_pieces += len > 128;
    }
  }
  EXPECT_EQ(compared, 2400u);
  EXPECT_GT(long_pieces, 500u);
}

TEST(bpe, real_vocabularies_on_long_hostile_pieces_match_the_reference) {
  std::string b64 = "QmFzZTY0IGJsb2IgdGhhdCBpcyBsb25nZXIgdGhhbiBvbmUgaHVuZHJlZCBieXRlcyB3aXRob3V0IGFueSBzcGFjZXM";
  std::vector<std::string> pieces = {b64 + b64 + b64, std::string(300, 'a'), std::string(257, '-'),
                                     std::string(1000, 'x'), std::string(97, ' '), std::string(500, '\n')};
  std::mt19937 rng(7);
  for (int k = 0; k < 30; ++k) {  // random bytes, not necessarily UTF-8: encode_piece takes any bytes
    std::string p;
    for (std::size_t n = std::uniform_int_distribution<std::size_t>(60, 500)(rng); n > 0; --n)
      p.push_back(static_cast<char>(k % 2 ? rng() % 256 : "0123456789abcdef"[rng() % 16]));
    pieces.push_back(p);
  }
  for (const char* name : {"r50k_base", "cl100k_base", "o200k_base"}) {
    const auto enc = tokenmaxx::get_encoding(name);
    for (const auto& piece : pieces) {
      ASSERT_EQ(enc->encode_piece(piece), reference_merge(enc->vocab(), piece))
          << name << ": " << piece.substr(0, 20) << "... (" << piece.size() << " bytes)";
      ASSERT_EQ(tokenmaxx::byte_pair_encode(enc->vocab(), piece),
                reference_merge(enc->vocab(), piece, whole_piece::merge_anyway))
          << name << ": " << piece.substr(0, 20);
    }
  }
}

TEST(bpe, many_distinct_short_pieces_stay_exact_when_repeated_in_another_order) {
  // More distinct short pieces than any per-thread memo of merged pieces holds, encoded twice in
  // different orders: a memo entry may only ever return its own piece's tokens.
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  std::mt19937 rng(99);
  std::vector<std::string> pieces;
  for (int k = 0; k < 12000; ++k) {
    std::string p;
    for (std::size_t n = std::uniform_int_distribution<std::size_t>(2, 40)(rng); n > 0; --n)
      p.push_back("etaoinshrdluXYZ"[rng() % 15]);
    pieces.push_back(p);
  }
  std::vector<ids> first;
  for (const auto& p : pieces) first.push_back(enc->encode_piece(p));
  for (std::size_t k = pieces.size(); k-- > 0;) ASSERT_EQ(enc->encode_piece(pieces[k]), first[k]) << pieces[k];
  for (std::size_t k = 0; k < pieces.size(); k += 7) ASSERT_EQ(first[k], reference_merge(enc->vocab(), pieces[k])) << pieces[k];
}

}  // namespace

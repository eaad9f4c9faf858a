// libFuzzer target: any byte string through every built-in encoding (gpt2, r50k_base, p50k_base,
// p50k_edit, cl100k_base, o200k_base, o200k_harmony), checked against references that share no
// code with the tokenizer:
//  - UTF-8: tests/base/reference_utf8.hpp (Unicode Table 3-7). Strict calls fail exactly on
//    invalid input, at its first invalid byte, with the same message from the try_ twin; lossy
//    calls tokenize exactly the text that U+FFFD substitution of maximal subparts gives.
//  - Splitting: tests/token/reference_pretokenizer.hpp, tiktoken's published patterns run by PCRE2.
//    `encoding::pieces` must equal its matches, piece for piece. Texts with a code point whose
//    class PCRE2's Unicode 14 does not know as Unicode 15 does (4,430 code points new in 15.0) are
//    not compared, only checked to tile.
//  - Merging: tests/token/reference_bpe.hpp, the quadratic lowest-rank-first merge. encode_ordinary
//    equals the reference merge of the reference pieces (pieces up to 1 KiB); count, count_until,
//    encode_piece and decode agree with it. Encodings that share a vocabulary and a pattern must
//    give the same ordinary tokens.
//  - Special tokens: encode with every special allowed equals the reference splitting of the text
//    between the leftmost special-token occurrences plus their ids; by default it throws naming the
//    leftmost one; with nothing disallowed it is encode_ordinary.
// Invalid input is also checked as its repaired text, so every input exercises all of the above.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "reference_bpe.hpp"
#include "reference_pretokenizer.hpp"
#include "reference_utf8.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/nothrow.hpp"

namespace {

using tokenmaxx::rank_t;
using tokenmaxx::special_set;
using tokenmaxx_fuzz::check;
using tokenmaxx_fuzz::fail;
using piece_ranges = std::vector<std::pair<std::size_t, std::size_t>>;

// An encoding to check, and the one before it with the same vocabulary and pattern (gpt2 and
// r50k_base, p50k_edit and p50k_base, o200k_harmony and o200k_base): only special tokens tell
// those apart, so their ordinary tokens are compared with the sibling's instead of merged again.
struct checked_encoding {
  std::shared_ptr<const tokenmaxx::encoding> enc;
  std::shared_ptr<const tokenmaxx::encoding> sibling;
};

struct fixture {
  std::vector<checked_encoding> encodings;
  std::map<tokenmaxx::pretokenizer_family, tokenmaxx_test::reference_splitter> splitters;
  tokenmaxx_test::unicode_gap gap;

  static std::string ucd_dir() {
    if (const char* d = std::getenv("TOKENMAXX_UCD_DIR"); d && *d) return d;
    return TOKENMAXX_TEST_UCD_DIR;
  }
  fixture() : gap(ucd_dir()) {
    for (const char* name : {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"})
      encodings.push_back({tokenmaxx::get_encoding(name), nullptr});
    for (auto [name, sibling] : {std::pair{"gpt2", "r50k_base"}, std::pair{"p50k_edit", "p50k_base"},
                                 std::pair{"o200k_harmony", "o200k_base"}})
      encodings.push_back({tokenmaxx::get_encoding(name), tokenmaxx::get_encoding(sibling)});
    for (auto family : {tokenmaxx::pretokenizer_family::gpt2, tokenmaxx::pretokenizer_family::cl100k,
                        tokenmaxx::pretokenizer_family::o200k})
      splitters.emplace(family, tokenmaxx_test::reference_splitter(tokenmaxx::canonical_pattern(family)));
  }
};

const fixture& the_fixture() {
  static const fixture f;
  return f;
}

std::string show(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out + (bytes.size() > 64 ? "..." : "");
}

std::string first_difference(const piece_ranges& got, const piece_ranges& want, std::string_view text) {
  std::size_t k = 0;
  while (k < got.size() && k < want.size() && got[k] == want[k]) ++k;
  const auto at = [&](const piece_ranges& p) {
    return k < p.size() ? "\"" + show(text.substr(p[k].first, p[k].second - p[k].first)) + "\"" : std::string("(none)");
  };
  return "piece " + std::to_string(k) + ": tokenmaxx " + at(got) + ", reference " + at(want);
}

// Pieces longer than this are not merged by the quadratic reference (a 4 KiB piece costs it ~10^7
// lookups per encoding: a few runs a minute under ASan); tokenmaxx's ids for them are compared with
// encode_piece only. tests/token/bpe_test.cpp checks pieces up to 1,000 bytes against the reference.
constexpr std::size_t max_reference_piece = 1024;

std::vector<rank_t> reference_tokens(const tokenmaxx::encoding& enc, std::string_view piece) {
  return piece.size() <= max_reference_piece ? tokenmaxx_test::reference_merge(enc.vocab(), piece) : enc.encode_piece(piece);
}

// The reference splitting of `segment`, or tokenmaxx's own when the reference cannot judge it.
piece_ranges reference_pieces(const tokenmaxx::encoding& enc, std::string_view segment, bool comparable) {
  if (!comparable) return enc.pieces(segment);
  return the_fixture().splitters.at(enc.family()).split(segment);
}

void append_reference_tokens(const tokenmaxx::encoding& enc, std::string_view segment, bool comparable,
                             std::vector<rank_t>& out) {
  for (const auto& [b, e] : reference_pieces(enc, segment, comparable))
    for (rank_t r : reference_tokens(enc, segment.substr(b, e - b))) out.push_back(r);
}

// tiktoken's encode loop: the leftmost occurrence of a special token, then the next one after it.
struct special_hit {
  std::size_t begin, end;
  rank_t id;
  std::string_view text;
};
std::vector<special_hit> special_occurrences(const tokenmaxx::encoding& enc, std::string_view text) {
  std::vector<special_hit> hits;
  const auto& specials = enc.special_tokens();
  bool can_start[256] = {};
  for (const auto& [s, id] : specials) can_start[static_cast<unsigned char>(s[0])] = true;
  for (std::size_t i = 0; i < text.size();) {
    if (!can_start[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    std::optional<special_hit> hit;
    for (const auto& [s, id] : specials) {
      if (text.substr(i).starts_with(s)) {
        check(!hit, "two special tokens of " + enc.name() + " match at one place: ambiguous reference");
        hit = special_hit{i, i + s.size(), id, s};
      }
    }
    if (hit) {
      hits.push_back(*hit);
      i = hit->end;
    } else {
      ++i;
    }
  }
  return hits;
}

void check_invalid_utf8(const tokenmaxx::encoding& enc, std::string_view text,
                        const tokenmaxx_test::decoded_utf8& ref) {
  const std::string where = enc.name() + " on \"" + show(text) + "\"";
  try {
    (void)enc.count(text);
    fail("strict count accepted invalid UTF-8: " + where);
  } catch (const tokenmaxx::invalid_utf8_error& e) {
    check(e.offset() == ref.first_invalid, "invalid UTF-8 reported at " + std::to_string(e.offset()) +
                                               ", first invalid byte is " + std::to_string(ref.first_invalid) + ": " + where);
    const auto status = tokenmaxx::try_count(enc, text);
    check(!status.ok() && status.status().code() == absl::StatusCode::kInvalidArgument &&
              status.status().message() == e.what(),
          "try_count disagrees with count on invalid UTF-8: " + where);
  }
  for (const auto& call : {+[](const tokenmaxx::encoding& en, std::string_view t) { (void)en.encode_ordinary(t); },
                           +[](const tokenmaxx::encoding& en, std::string_view t) { (void)en.encode(t, special_set::all()); },
                           +[](const tokenmaxx::encoding& en, std::string_view t) { (void)en.pieces(t); }}) {
    try {
      call(enc, text);
      fail("a strict call accepted invalid UTF-8: " + where);
    } catch (const tokenmaxx::invalid_utf8_error& e) {
      check(e.offset() == ref.first_invalid, "wrong invalid UTF-8 offset: " + where);
    }
  }
  const auto lossy = enc.encode_ordinary(text, tokenmaxx::utf8_policy::replace);
  check(lossy == enc.encode_ordinary(ref.repaired), "lossy tokens differ from the repaired text's: " + where);
  check(enc.decode(lossy) == ref.repaired, "lossy tokens do not decode to the repaired text: " + where);
  check(enc.count(text, tokenmaxx::utf8_policy::replace) == lossy.size(), "lossy count differs: " + where);
}

void check_specials(const tokenmaxx::encoding& enc, std::string_view text, bool comparable,
                    const std::vector<rank_t>& ids) {
  const std::string where = enc.name() + " on \"" + show(text) + "\"";
  const auto hits = special_occurrences(enc, text);
  std::vector<rank_t> with_specials;
  if (hits.empty()) {
    with_specials = ids;  // already checked against the reference
  } else {
    std::size_t from = 0;
    for (const auto& h : hits) {
      append_reference_tokens(enc, text.substr(from, h.begin - from), comparable, with_specials);
      with_specials.push_back(h.id);
      from = h.end;
    }
    append_reference_tokens(enc, text.substr(from), comparable, with_specials);
  }
  check(enc.encode(text, special_set::all()) == with_specials, "encode with every special allowed: " + where);
  check(enc.encode(text, special_set::none(), special_set::none()) == ids, "encode with nothing disallowed: " + where);
  try {
    check(enc.encode(text) == ids, "encode differs from encode_ordinary on text without specials: " + where);
    check(hits.empty(), "encode accepted disallowed special-token text: " + where);
  } catch (const tokenmaxx::disallowed_special_error& e) {
    check(!hits.empty() && e.token() == hits.front().text, "encode named the wrong special token: " + where);
  }
}

void check_valid(const tokenmaxx::encoding& enc, const tokenmaxx::encoding* sibling, std::string_view text,
                 bool comparable) {
  const std::string where = enc.name() + " on \"" + show(text) + "\"";
  if (sibling) {
    const auto ids = enc.encode_ordinary(text);
    check(ids == sibling->encode_ordinary(text) && enc.count(text) == ids.size(),
          "differs from " + sibling->name() + ", which has the same vocabulary and pattern: " + where);
    check(enc.pieces(text) == sibling->pieces(text), "splits unlike " + sibling->name() + ": " + where);
    return check_specials(enc, text, comparable, ids);
  }
  // Where the pieces split.
  const piece_ranges pieces = enc.pieces(text);
  std::size_t next = 0;
  for (const auto& [b, e] : pieces) {
    check(b == next && e > b, "pieces do not tile the text: " + where);
    next = e;
  }
  check(next == text.size(), "pieces do not cover the text: " + where);
  if (comparable) {
    const piece_ranges want = the_fixture().splitters.at(enc.family()).split(text);
    if (pieces != want) fail("pieces differ from tiktoken's pattern (PCRE2): " + where + "; " + first_difference(pieces, want, text));
  }
  // What the pieces merge into.
  std::vector<rank_t> want;
  for (const auto& [b, e] : pieces) {
    const std::string_view piece = text.substr(b, e - b);
    const auto merged = reference_tokens(enc, piece);
    check(enc.encode_piece(piece) == merged, "encode_piece differs from the reference merge on \"" + show(piece) + "\": " + where);
    want.insert(want.end(), merged.begin(), merged.end());
  }
  const auto ids = enc.encode_ordinary(text);
  check(ids == want, "encode_ordinary differs from the reference merge: " + where);
  check(enc.count(text) == ids.size(), "count differs from encode_ordinary: " + where);
  for (std::size_t limit : {std::size_t{0}, ids.size() / 2, ids.size() ? ids.size() - 1 : 0, ids.size()})
    check(enc.count_until(text, limit) == std::min(ids.size(), limit + 1), "count_until disagrees: " + where);
  check(enc.decode(ids) == text, "decode(encode_ordinary(x)) != x: " + where);
  check_specials(enc, text, comparable, ids);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fixture& f = the_fixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const tokenmaxx_test::decoded_utf8 ref = tokenmaxx_test::decode_utf8(text);
  const bool comparable = !f.gap.any_in(ref.code_points);
  for (const auto& [enc, sibling] : f.encodings) {
    if (ref.first_invalid != std::string_view::npos) check_invalid_utf8(*enc, text, ref);
    check_valid(*enc, sibling.get(), ref.repaired, comparable);
  }
  return 0;
}

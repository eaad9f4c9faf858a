// libFuzzer target: the rank-file parser against a reference parser written here from the format
// (one `base64(token bytes) SPACE rank` per line; standard padded base64; a decimal rank of at
// most 10 digits, at most vocabulary::max_rank_limit; '\n' line ends, a '\r' before one is
// dropped, blank lines skipped; distinct ranks and distinct tokens; at least one token).
// Properties:
//  - parse accepts exactly what the reference accepts; everything else is a vocab_error (never
//    another exception, a crash or a hang), and try_parse_vocabulary returns DataLoss with the
//    same message;
//  - an accepted file gives the reference's table, rank for rank and byte for byte;
//  - no accepted input re-encodes differently: serialize -> parse gives the same table, and
//    serializing that again gives the same bytes; from_ranks of the same pairs agrees.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "tokenmaxx/token/nothrow.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace {

using tokenmaxx::rank_t;
using tokenmaxx_fuzz::check;
using tokenmaxx_fuzz::fail;
using rank_map = std::map<rank_t, std::string>;

constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::optional<std::string> reference_base64_decode(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  std::string out;
  std::uint32_t bits = 0;
  int nbits = 0;
  for (std::size_t i = 0; i < s.size() - pad; ++i) {
    const std::size_t v = base64_alphabet.find(s[i]);
    if (v == std::string_view::npos) return std::nullopt;  // also '=' anywhere but the end
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xFF));
    }
  }
  return out;  // leftover bits of the last group are ignored, as Python's b64decode does
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t w = 0;
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    for (std::size_t k = 0; k < 3; ++k)
      w = (w << 8) | (k < n ? static_cast<std::uint8_t>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k) out.push_back(k <= n ? base64_alphabet[(w >> (18 - 6 * k)) & 63] : '=');
  }
  return out;
}

std::optional<rank_map> reference_parse(std::string_view contents) {
  rank_map table;
  std::set<std::string> tokens;
  std::size_t pos = 0;
  while (pos < contents.size()) {
    std::size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) return std::nullopt;
    const auto token = reference_base64_decode(line.substr(0, space));
    const std::string_view digits = line.substr(space + 1);
    if (!token || digits.empty() || digits.size() > 10) return std::nullopt;
    std::uint64_t rank = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      rank = rank * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (rank > tokenmaxx::vocabulary::max_rank_limit) return std::nullopt;
    if (!table.emplace(static_cast<rank_t>(rank), *token).second || !tokens.insert(*token).second) return std::nullopt;
  }
  if (table.empty()) return std::nullopt;
  return table;
}

// The rank file of `v`, one line per rank of `ranks` in order (the reference's ranks: walking
// 0..max_rank instead would cost 16 million lookups on every input with a large rank; that `v`
// holds no other rank is checked by its size).
std::string serialize(const tokenmaxx::vocabulary& v, const rank_map& ranks) {
  std::string out;
  for (const auto& entry : ranks)
    if (auto b = v.bytes_of(entry.first)) out += base64_encode(*b) + " " + std::to_string(entry.first) + "\n";
  return out;
}

void check_same_table(const tokenmaxx::vocabulary& v, const rank_map& want, const std::string& what) {
  check(v.size() == want.size(), what + ": " + std::to_string(v.size()) + " tokens, expected " + std::to_string(want.size()));
  check(v.max_rank() == want.rbegin()->first, what + ": wrong max_rank");
  for (const auto& [rank, bytes] : want) {
    const auto got = v.bytes_of(rank);
    check(got && *got == bytes, what + ": rank " + std::to_string(rank) + " has other bytes");
    check(v.find(bytes) == rank, what + ": token of rank " + std::to_string(rank) + " looks up elsewhere");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view contents(reinterpret_cast<const char*>(data), size);
  const std::optional<rank_map> want = reference_parse(contents);
  std::optional<tokenmaxx::vocabulary> got;
  std::string error;
  try {
    got = tokenmaxx::vocabulary::parse(contents, "fuzz");
  } catch (const tokenmaxx::vocab_error& e) {
    error = e.what();
  }
  const auto status = tokenmaxx::try_parse_vocabulary(contents, "fuzz");
  if (!got) {
    check(!want, "parse rejected a file the reference accepts: " + error);
    check(!status.ok() && status.status().code() == absl::StatusCode::kDataLoss && status.status().message() == error,
          "try_parse_vocabulary does not return DataLoss with parse's message");
    return 0;
  }
  check(want.has_value(), "parse accepted a file the reference rejects (" + std::to_string(got->size()) + " tokens)");
  check(status.ok(), "try_parse_vocabulary failed where parse succeeded");
  check_same_table(*got, *want, "parse");
  check_same_table(*status, *want, "try_parse_vocabulary");

  const std::string once = serialize(*got, *want);
  const auto again = tokenmaxx::vocabulary::parse(once, "reserialized");
  check_same_table(again, *want, "parse(serialize(parse(x)))");
  check(serialize(again, *want) == once, "serialize is not a fixpoint after one round trip");

  std::vector<std::pair<std::string, rank_t>> pairs;
  for (const auto& [rank, bytes] : *want) pairs.emplace_back(bytes, rank);
  check_same_table(tokenmaxx::vocabulary::from_ranks(pairs, "pairs"), *want, "from_ranks");
  return 0;
}

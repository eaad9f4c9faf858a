// tokenmaxx/encoding.hpp
//
// Encodings: tiktoken-exact tokenization for r50k_base (gpt2), p50k_base, p50k_edit, cl100k_base,
// o200k_base and o200k_harmony, plus the registry (`get_encoding`) and tiktoken's model table
// (`encoding_for_model`).
//
// Guarantees:
//  - Exact: token ids equal tiktoken's for every valid UTF-8 input. Pretokenization uses
//    hand-written scanners that follow each encoding's regex (no regex engine); merging follows
//    tiktoken's lowest-rank-first rule.
//  - Linear: scanning is linear in the input and merging is O(n log n) per piece, so hostile
//    inputs (a megabyte without a split point) stay fast; no recursion, no stack growth.
//  - Input is UTF-8 bytes. Invalid UTF-8 throws `invalid_utf8_error` with the byte offset, unless
//    `utf8_policy::replace` is given, which first replaces each invalid sequence by U+FFFD exactly
//    as Python's `bytes.decode("utf-8", errors="replace")` does.
//  - `count` and `count_until` never throw on special-token text (it is plain text to them) and
//    allocate nothing per piece. `encode` follows tiktoken: by default every special token's text
//    is disallowed and throws `disallowed_special_error` naming it.
//  - An `encoding` is immutable; every member is safe to call from many threads at once. Each
//    thread that tokenizes keeps a 320 KiB memo of recently merged pieces (thread_local, exact:
//    an entry is used only when the vocabulary and every byte match).
//  - `encode` finds special tokens with a hash lookup per candidate length at each byte that can
//    start one, so it stays linear even for o200k_harmony's 1,104 specials.
//
//   auto enc = tokenmaxx::get_encoding("o200k_base");
//   std::vector<tokenmaxx::rank_t> ids = enc->encode_ordinary("hello world");
//   std::size_t n = enc->count("hello world");                 // == ids.size()
//   std::string bytes = enc->decode(ids);                       // "hello world"
//   auto ids2 = enc->encode("<|endoftext|>", tokenmaxx::special_set::all());
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tokenmaxx/detail/bpe.hpp"
#include "tokenmaxx/detail/pretokenize.hpp"
#include "tokenmaxx/detail/utf8.hpp"
#include "tokenmaxx/errors.hpp"
#include "tokenmaxx/vocab.hpp"

namespace tokenmaxx {

using detail::pretokenizer_family;

enum class utf8_policy {
  strict,   // invalid UTF-8 throws invalid_utf8_error with its byte offset
  replace,  // each invalid sequence becomes U+FFFD first, as Python's errors="replace"
};

// A set of special-token names, or "all of them" (tiktoken's "all").
class special_set {
 public:
  special_set() = default;
  special_set(std::initializer_list<std::string_view> names) : names_(names.begin(), names.end()) {}
  explicit special_set(std::vector<std::string> names) : names_(std::move(names)) {}
  static special_set all() {
    special_set s;
    s.all_ = true;
    return s;
  }
  static special_set none() { return {}; }
  bool is_all() const { return all_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  bool all_ = false;
  std::vector<std::string> names_;
};

class encoding {
 public:
  // A custom encoding over `vocab`, split with one of the three supported pattern families.
  encoding(std::string name, pretokenizer_family family, std::shared_ptr<const vocabulary> vocab,
           std::vector<std::pair<std::string, rank_t>> special_tokens,
           std::optional<std::size_t> explicit_n_vocab = std::nullopt)
      : name_(std::move(name)), family_(family), vocab_(std::move(vocab)), specials_(std::move(special_tokens)) {
    if (!vocab_) throw error("encoding " + name_ + ": no vocabulary");
    max_token_value_ = vocab_->size() ? vocab_->max_rank() : 0;
    for (std::size_t k = 0; k < specials_.size(); ++k) {
      const auto& [text, id] = specials_[k];
      if (text.empty()) throw error("encoding " + name_ + ": empty special token");
      if (vocab_->bytes_of(id)) throw error("encoding " + name_ + ": special token id " + std::to_string(id) + " collides with a vocabulary rank");
      max_token_value_ = std::max(max_token_value_, id);
      special_by_id_.emplace(id, text);
      special_index_.try_emplace(text, k);
      special_lengths_.push_back(text.size());
      special_first_bytes_[static_cast<std::uint8_t>(text[0])] = true;
    }
    std::sort(special_lengths_.begin(), special_lengths_.end(), std::greater<>());
    special_lengths_.erase(std::unique(special_lengths_.begin(), special_lengths_.end()), special_lengths_.end());
    if (explicit_n_vocab && *explicit_n_vocab != std::size_t(max_token_value_) + 1)
      throw error("encoding " + name_ + ": explicit n_vocab " + std::to_string(*explicit_n_vocab) +
                  " does not match max token value " + std::to_string(max_token_value_));
  }

  const std::string& name() const { return name_; }
  pretokenizer_family family() const { return family_; }
  const vocabulary& vocab() const { return *vocab_; }
  rank_t max_token_value() const { return max_token_value_; }
  std::size_t n_vocab() const { return std::size_t(max_token_value_) + 1; }
  const std::vector<std::pair<std::string, rank_t>>& special_tokens() const { return specials_; }
  std::optional<rank_t> special_token_id(std::string_view text) const {
    if (const std::size_t* k = special_index_of(text)) return specials_[*k].second;
    return std::nullopt;
  }
  // tiktoken's eot_token: the id of <|endoftext|>, if the encoding has it.
  std::optional<rank_t> eot_token() const { return special_token_id("<|endoftext|>"); }

  // Token ids of `text` with special-token text treated as plain text.
  std::vector<rank_t> encode_ordinary(std::string_view text, utf8_policy policy = utf8_policy::strict) const {
    std::vector<rank_t> out;
    out.reserve(text.size() / 3 + 1);
    encode_ordinary_into(text, out, policy);
    return out;
  }
  // Appends the tokens of `text` to `out`.
  void encode_ordinary_into(std::string_view text, std::vector<rank_t>& out,
                            utf8_policy policy = utf8_policy::strict) const {
    with_valid_utf8(text, policy, [&](std::string_view valid) {
      for_each_token_of_segment(valid, [&](rank_t r) { out.push_back(r); });
    });
  }

  // tiktoken's encode: special tokens in `allowed` become their ids (names that are not special
  // tokens of this encoding are ignored). If the text contains any string of `disallowed` (by
  // default: every special token not allowed; like tiktoken, an explicit set may also hold other
  // strings), it throws disallowed_special_error naming the leftmost one. Finding specials costs
  // a few hash lookups at each byte that can start one, so encode stays linear.
  std::vector<rank_t> encode(std::string_view text, const special_set& allowed = special_set::none(),
                             const special_set& disallowed = special_set::all(),
                             utf8_policy policy = utf8_policy::strict) const {
    std::vector<rank_t> out;
    encode_into(text, allowed, disallowed, policy, out, nullptr);
    return out;
  }

  // encode() that also sets `last_piece_tokens` to how many of the returned tokens came from the
  // text's last pretokenized piece (0 when the text is empty or ends with an allowed special
  // token): the starting point of tiktoken's encode_with_unstable and _encode_bytes.
  std::vector<rank_t> encode_tracking_last_piece(std::string_view text, const special_set& allowed,
                                                 const special_set& disallowed, std::size_t& last_piece_tokens,
                                                 utf8_policy policy = utf8_policy::strict) const {
    std::vector<rank_t> out;
    last_piece_tokens = 0;
    encode_into(text, allowed, disallowed, policy, out, &last_piece_tokens);
    return out;
  }

  // Number of tokens of encode_ordinary(text), computed without building the vector.
  std::size_t count(std::string_view text, utf8_policy policy = utf8_policy::strict) const {
    std::size_t n = 0;
    with_valid_utf8(text, policy, [&](std::string_view valid) {
      for_each_token_of_segment(valid, [&](rank_t) { ++n; });
    });
    return n;
  }

  // count(text) when it is at most `limit`; otherwise limit + 1. It stops at the first piece
  // that passes the limit, and skips merging a piece when even its fewest possible tokens
  // (its length over the longest token's) would pass it, so a huge piece costs no merge.
  std::size_t count_until(std::string_view text, std::size_t limit, utf8_policy policy = utf8_policy::strict) const {
    std::size_t n = 0;
    const auto& table = vocab_->table();
    const std::size_t longest = std::max<std::size_t>(table.max_token_length(), 1);
    with_valid_utf8(text, policy, [&](std::string_view valid) {
      const auto* s = reinterpret_cast<const std::uint8_t*>(valid.data());
      for_each_piece(valid, [&](std::size_t begin, std::size_t end) {
        const std::size_t fewest = (end - begin + longest - 1) / longest;
        if (fewest > limit - n) {
          n = limit + 1;
          return false;
        }
        detail::bpe_encode_piece(table, s + begin, end - begin, [&](rank_t) { ++n; });
        return n <= limit;
      });
    });
    return std::min(n, limit + 1);
  }

  // Bytes of a token sequence (special tokens decode to their text). Unknown ids throw.
  std::string decode(std::span<const rank_t> tokens) const {
    std::string out;
    for (rank_t r : tokens) out.append(token_bytes(r));
    return out;
  }
  std::string_view token_bytes(rank_t r) const {
    if (auto b = vocab_->bytes_of(r)) return *b;
    if (auto it = special_by_id_.find(r); it != special_by_id_.end()) return it->second;
    throw invalid_token_error(r);
  }

  // Calls f(begin, end) for each pretokenized piece of valid UTF-8 `text`; stops when f returns false.
  template <class F>
  void for_each_piece(std::string_view text, F&& f) const {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    switch (family_) {
      case pretokenizer_family::gpt2: return scan_pieces(s, n, f, detail::gpt2_piece_end);
      case pretokenizer_family::cl100k: return scan_pieces(s, n, f, detail::cl100k_piece_end);
      case pretokenizer_family::o200k: return scan_pieces(s, n, f, detail::o200k_piece_end);
    }
  }

 private:
  template <class F, class Scanner>
  static void scan_pieces(const std::uint8_t* s, std::size_t n, F& f, Scanner scanner) {
    std::size_t i = 0;
    while (i < n) {
      const std::size_t e = scanner(s, n, i);
      if constexpr (std::is_same_v<decltype(f(i, e)), bool>) {
        if (!f(i, e)) return;
      } else {
        f(i, e);
      }
      i = e;
    }
  }

  // encode() and encode_tracking_last_piece(); the tracking costs nothing when last_piece_tokens is null.
  void encode_into(std::string_view text, const special_set& allowed, const special_set& disallowed,
                   utf8_policy policy, std::vector<rank_t>& out, std::size_t* last_piece_tokens) const {
    out.reserve(text.size() / 3 + 1);
    const auto push = [&](rank_t r) { out.push_back(r); };
    const auto encode_segment = [&](std::string_view segment) {
      if (!last_piece_tokens) return for_each_token_of_segment(segment, push);
      const auto* s = reinterpret_cast<const std::uint8_t*>(segment.data());
      for_each_piece(segment, [&](std::size_t begin, std::size_t end) {
        const std::size_t before = out.size();
        detail::bpe_encode_piece(vocab_->table(), s + begin, end - begin, push);
        *last_piece_tokens = out.size() - before;
      });
    };
    with_valid_utf8(text, policy, [&](std::string_view valid) {
      std::vector<bool> is_allowed(specials_.size(), allowed.is_all());
      bool any_allowed = allowed.is_all() && !specials_.empty();
      if (!allowed.is_all())
        for (const std::string& name : allowed.names())
          if (const std::size_t* k = special_index_of(name)) is_allowed[*k] = any_allowed = true;
      std::vector<bool> is_disallowed(specials_.size(), false);
      std::vector<std::string_view> other_disallowed;  // explicit strings that are not special tokens
      bool any_disallowed = false;
      if (disallowed.is_all()) {
        for (std::size_t k = 0; k < specials_.size(); ++k) any_disallowed |= is_disallowed[k] = !is_allowed[k];
      } else {
        for (const std::string& name : disallowed.names()) {
          if (const std::size_t* k = special_index_of(name))
            is_disallowed[*k] = any_disallowed = true;
          else
            other_disallowed.push_back(name);
        }
      }
      if (any_disallowed || !other_disallowed.empty()) {
        std::size_t first_pos = std::string_view::npos;
        std::string_view first_name;
        if (any_disallowed)
          if (auto hit = find_special(valid, 0, is_disallowed)) {
            first_pos = hit->first;
            first_name = specials_[hit->second].first;
          }
        for (std::string_view name : other_disallowed) {
          const std::size_t pos = valid.find(name);
          if (pos != std::string_view::npos &&
              (pos < first_pos || (pos == first_pos && name.size() > first_name.size()))) {
            first_pos = pos;
            first_name = name;
          }
        }
        if (first_pos != std::string_view::npos) throw disallowed_special_error(std::string(first_name));
      }
      if (!any_allowed) return encode_segment(valid);
      std::size_t start = 0;
      while (true) {
        auto hit = find_special(valid, start, is_allowed);
        const std::size_t end = hit ? hit->first : valid.size();
        encode_segment(valid.substr(start, end - start));
        if (!hit) break;
        out.push_back(specials_[hit->second].second);
        if (last_piece_tokens) *last_piece_tokens = 0;
        start = hit->first + specials_[hit->second].first.size();
      }
    });
  }

  template <class Emit>
  void for_each_token_of_segment(std::string_view valid, Emit&& emit) const {
    const auto* s = reinterpret_cast<const std::uint8_t*>(valid.data());
    const auto& table = vocab_->table();
    for_each_piece(valid, [&](std::size_t begin, std::size_t end) {
      detail::bpe_encode_piece(table, s + begin, end - begin, emit);
    });
  }

  template <class F>
  static void with_valid_utf8(std::string_view text, utf8_policy policy, F&& f) {
    const std::size_t bad = detail::first_invalid_utf8(text);
    if (bad == std::string_view::npos) return f(text);
    if (policy == utf8_policy::strict) throw invalid_utf8_error(bad);
    const std::string repaired = detail::replace_invalid_utf8(text);
    f(std::string_view(repaired));
  }

  // Index in specials_ of the special token spelled `text`, or null.
  const std::size_t* special_index_of(std::string_view text) const {
    auto it = special_index_.find(absl::string_view(text.data(), text.size()));
    return it == special_index_.end() ? nullptr : &it->second;
  }

  // Leftmost occurrence at or after `from` of a special token selected by `mask`
  // (the longest one when several start at the same byte): (position, index in specials_).
  std::optional<std::pair<std::size_t, std::size_t>> find_special(std::string_view text, std::size_t from,
                                                                  const std::vector<bool>& mask) const {
    for (std::size_t i = from; i < text.size(); ++i) {
      if (!special_first_bytes_[static_cast<std::uint8_t>(text[i])]) continue;
      for (std::size_t len : special_lengths_) {
        if (i + len > text.size()) continue;
        if (const std::size_t* k = special_index_of(text.substr(i, len)); k && mask[*k]) return std::make_pair(i, *k);
      }
    }
    return std::nullopt;
  }

  std::string name_;
  pretokenizer_family family_;
  std::shared_ptr<const vocabulary> vocab_;
  std::vector<std::pair<std::string, rank_t>> specials_;
  std::map<rank_t, std::string> special_by_id_;
  absl::flat_hash_map<std::string, std::size_t> special_index_;  // text -> index in specials_ (first wins)
  std::vector<std::size_t> special_lengths_;
  bool special_first_bytes_[256] = {};
  rank_t max_token_value_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Registry of the built-in encodings and tiktoken's model table.

struct builtin_encoding_info {
  std::string_view name;
  std::string_view vocab_file;
  pretokenizer_family family;
};
inline constexpr builtin_encoding_info kBuiltinEncodings[] = {
    {"gpt2", "r50k_base.tiktoken", pretokenizer_family::gpt2},
    {"r50k_base", "r50k_base.tiktoken", pretokenizer_family::gpt2},
    {"p50k_base", "p50k_base.tiktoken", pretokenizer_family::gpt2},
    {"p50k_edit", "p50k_base.tiktoken", pretokenizer_family::gpt2},
    {"cl100k_base", "cl100k_base.tiktoken", pretokenizer_family::cl100k},
    {"o200k_base", "o200k_base.tiktoken", pretokenizer_family::o200k},
    {"o200k_harmony", "o200k_base.tiktoken", pretokenizer_family::o200k},
};

inline std::vector<std::string_view> list_encoding_names() {
  std::vector<std::string_view> names;
  for (const auto& e : kBuiltinEncodings) names.push_back(e.name);
  return names;
}

// The special tokens of a built-in encoding, with tiktoken's ids.
inline std::vector<std::pair<std::string, rank_t>> builtin_special_tokens(std::string_view name) {
  using v = std::vector<std::pair<std::string, rank_t>>;
  if (name == "gpt2" || name == "r50k_base" || name == "p50k_base") return v{{"<|endoftext|>", 50256}};
  if (name == "p50k_edit")
    return v{{"<|endoftext|>", 50256}, {"<|fim_prefix|>", 50281}, {"<|fim_middle|>", 50282}, {"<|fim_suffix|>", 50283}};
  if (name == "cl100k_base")
    return v{{"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259},
             {"<|fim_suffix|>", 100260}, {"<|endofprompt|>", 100276}};
  if (name == "o200k_base") return v{{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}};
  if (name == "o200k_harmony") {
    v s{{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}, {"<|startoftext|>", 199998},
        {"<|reserved_200000|>", 200000}, {"<|reserved_200001|>", 200001}, {"<|return|>", 200002},
        {"<|constrain|>", 200003}, {"<|reserved_200004|>", 200004}, {"<|channel|>", 200005},
        {"<|start|>", 200006}, {"<|end|>", 200007}, {"<|message|>", 200008},
        {"<|reserved_200009|>", 200009}, {"<|reserved_200010|>", 200010}, {"<|reserved_200011|>", 200011},
        {"<|call|>", 200012}};
    for (rank_t i = 200013; i < 201088; ++i) s.emplace_back("<|reserved_" + std::to_string(i) + "|>", i);
    return s;
  }
  return {};
}

inline std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

namespace detail {
struct encoding_registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const vocabulary>, std::less<>> vocabs;
  std::map<std::string, std::shared_ptr<const encoding>, std::less<>> encodings;
  static encoding_registry& instance() {
    static encoding_registry r;
    return r;
  }
};
}  // namespace detail

// The built-in encoding `name`, loaded once per process and shared. Thread-safe.
// Throws unknown_name_error (listing the valid names) or vocab_error.
inline std::shared_ptr<const encoding> get_encoding(std::string_view name) {
  const builtin_encoding_info* info = nullptr;
  for (const auto& e : kBuiltinEncodings)
    if (e.name == name) info = &e;
  if (!info)
    throw unknown_name_error("unknown encoding '" + std::string(name) + "'; valid encodings: " +
                             join_names(list_encoding_names()));
  auto& reg = detail::encoding_registry::instance();
  std::lock_guard lock(reg.mu);
  if (auto it = reg.encodings.find(name); it != reg.encodings.end()) return it->second;
  auto vit = reg.vocabs.find(info->vocab_file);
  if (vit == reg.vocabs.end())
    vit = reg.vocabs.emplace(std::string(info->vocab_file),
                             std::make_shared<const vocabulary>(vocabulary::load_known(info->vocab_file))).first;
  auto enc = std::make_shared<const encoding>(std::string(name), info->family, vit->second,
                                              builtin_special_tokens(name));
  reg.encodings.emplace(std::string(name), enc);
  return enc;
}

// tiktoken's model table (tiktoken/model.py): exact names first, then prefixes.
inline constexpr std::pair<std::string_view, std::string_view> kModelToEncoding[] = {
    {"o1", "o200k_base"}, {"o3", "o200k_base"}, {"o4-mini", "o200k_base"},
    {"gpt-5", "o200k_base"}, {"gpt-4.1", "o200k_base"}, {"gpt-4o", "o200k_base"},
    {"gpt-4", "cl100k_base"}, {"gpt-3.5-turbo", "cl100k_base"}, {"gpt-3.5", "cl100k_base"},
    {"gpt-35-turbo", "cl100k_base"}, {"davinci-002", "cl100k_base"}, {"babbage-002", "cl100k_base"},
    {"text-embedding-ada-002", "cl100k_base"}, {"text-embedding-3-small", "cl100k_base"},
    {"text-embedding-3-large", "cl100k_base"},
    {"text-davinci-003", "p50k_base"}, {"text-davinci-002", "p50k_base"}, {"text-davinci-001", "r50k_base"},
    {"text-curie-001", "r50k_base"}, {"text-babbage-001", "r50k_base"}, {"text-ada-001", "r50k_base"},
    {"davinci", "r50k_base"}, {"curie", "r50k_base"}, {"babbage", "r50k_base"}, {"ada", "r50k_base"},
    {"code-davinci-002", "p50k_base"}, {"code-davinci-001", "p50k_base"}, {"code-cushman-002", "p50k_base"},
    {"code-cushman-001", "p50k_base"}, {"davinci-codex", "p50k_base"}, {"cushman-codex", "p50k_base"},
    {"text-davinci-edit-001", "p50k_edit"}, {"code-davinci-edit-001", "p50k_edit"},
    {"text-similarity-davinci-001", "r50k_base"}, {"text-similarity-curie-001", "r50k_base"},
    {"text-similarity-babbage-001", "r50k_base"}, {"text-similarity-ada-001", "r50k_base"},
    {"text-search-davinci-doc-001", "r50k_base"}, {"text-search-curie-doc-001", "r50k_base"},
    {"text-search-babbage-doc-001", "r50k_base"}, {"text-search-ada-doc-001", "r50k_base"},
    {"code-search-babbage-code-001", "r50k_base"}, {"code-search-ada-code-001", "r50k_base"},
    {"gpt2", "gpt2"}, {"gpt-2", "gpt2"},
};
inline constexpr std::pair<std::string_view, std::string_view> kModelPrefixToEncoding[] = {
    {"o1-", "o200k_base"}, {"o3-", "o200k_base"}, {"o4-mini-", "o200k_base"},
    {"gpt-5", "o200k_base"}, {"gpt-4.5-", "o200k_base"}, {"gpt-4.1-", "o200k_base"},
    {"chatgpt-4o-", "o200k_base"}, {"gpt-4o-", "o200k_base"}, {"gpt-4-", "cl100k_base"},
    {"gpt-3.5-turbo-", "cl100k_base"}, {"gpt-35-turbo-", "cl100k_base"}, {"gpt-oss-", "o200k_harmony"},
    {"ft:gpt-4o", "o200k_base"}, {"ft:gpt-4", "cl100k_base"}, {"ft:gpt-3.5-turbo", "cl100k_base"},
    {"ft:davinci-002", "cl100k_base"}, {"ft:babbage-002", "cl100k_base"},
};

// The encoding name tiktoken uses for `model`. Throws unknown_name_error for unknown models.
inline std::string_view encoding_name_for_model(std::string_view model) {
  for (const auto& [m, e] : kModelToEncoding)
    if (m == model) return e;
  for (const auto& [prefix, e] : kModelPrefixToEncoding)
    if (model.substr(0, prefix.size()) == prefix) return e;
  std::vector<std::string_view> known;
  for (const auto& [m, e] : kModelToEncoding) known.push_back(m);
  std::string prefixes;
  for (const auto& [p, e] : kModelPrefixToEncoding) prefixes += (prefixes.empty() ? "" : ", ") + std::string(p) + "*";
  throw unknown_name_error("could not map model '" + std::string(model) + "' to an encoding; known models: " +
                           join_names(known) + "; known prefixes: " + prefixes);
}

inline std::shared_ptr<const encoding> encoding_for_model(std::string_view model) {
  return get_encoding(encoding_name_for_model(model));
}

}  // namespace tokenmaxx

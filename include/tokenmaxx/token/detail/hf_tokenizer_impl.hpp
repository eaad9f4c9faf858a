// Internal to the tokenizer; include <tokenmaxx/token/hf_tokenizer.hpp> instead.
//
// The out-of-line part of hf_tokenizer.hpp: reading tokenizer.json (refusing what is not
// supported, by name), the pre-tokenizer pipeline and `tokenizers`' BPE merge loop.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/token/detail/encoding_impl.hpp"
#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/nothrow_impl.hpp"
#include "tokenmaxx/token/detail/pcre2_pattern.hpp"
#include "tokenmaxx/token/detail/vocab_impl.hpp"
#include "tokenmaxx/token/hf_tokenizer.hpp"

namespace tokenmaxx {
namespace token_detail {

// ByteLevel's GPT-2 split (tokenizers' pre_tokenizers/byte_level.rs), an Oniguruma pattern.
inline constexpr std::string_view hf_byte_level_pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct hf_step {
  enum kind_t { split, byte_level } kind = split;
  std::shared_ptr<const compiled_pattern> pattern;  // split, or byte_level with use_regex
  bool remove_matches = false;                      // Split behaviour Removed (else Isolated)
  bool add_prefix_space = false;                    // byte_level
};

struct hf_model {
  std::string source;
  vocabulary vocab;                                  // token bytes <-> id
  rank_t byte_id[256] = {};                          // the id of each single byte
  absl::flat_hash_map<std::uint64_t, std::pair<std::uint32_t, rank_t>> merges;  // (left, right) -> (rank, merged)
  bool ignore_merges = false;
  std::vector<hf_step> steps;
  std::vector<std::pair<std::string, rank_t>> added;  // content, id
  std::shared_ptr<const special_index> added_index;
  std::size_t vocab_size = 0;

  static std::uint64_t pair_key(rank_t a, rank_t b) { return (std::uint64_t{a} << 32) | b; }

  // tokenizers' BPE::merge_word + Word::merge_all: the lowest merge rank first, leftmost on ties.
  template <class Emit>
  void merge_piece(const std::uint8_t* p, std::size_t n, Emit&& emit) const {
    if (n == 0) return;
    if (ignore_merges) {
      const rank_t whole = vocab.find(std::string_view(reinterpret_cast<const char*>(p), n));
      if (whole != no_rank) return emit(whole);
    }
    if (n == 1) return emit(byte_id[p[0]]);
    struct symbol {
      rank_t id;
      std::int64_t prev, next;
      bool alive;
    };
    struct candidate {
      std::uint32_t rank;
      std::size_t pos;
      rank_t merged;
      bool operator>(const candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    thread_local std::vector<symbol> sym;
    thread_local std::vector<candidate> heap;
    sym.resize(n);
    heap.clear();
    for (std::size_t i = 0; i < n; ++i)
      sym[i] = {byte_id[p[i]], static_cast<std::int64_t>(i) - 1, i + 1 < n ? static_cast<std::int64_t>(i + 1) : -1, true};
    const auto push = [&](std::size_t left) {
      const symbol& l = sym[left];
      if (l.next < 0) return;
      auto it = merges.find(pair_key(l.id, sym[static_cast<std::size_t>(l.next)].id));
      if (it == merges.end()) return;
      heap.push_back({it->second.first, left, it->second.second});
      std::push_heap(heap.begin(), heap.end(), std::greater<>{});
    };
    for (std::size_t i = 0; i + 1 < n; ++i) push(i);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), std::greater<>{});
      const candidate top = heap.back();
      heap.pop_back();
      symbol& left = sym[top.pos];
      if (!left.alive || left.next < 0) continue;
      const auto right_pos = static_cast<std::size_t>(left.next);
      auto it = merges.find(pair_key(left.id, sym[right_pos].id));
      if (it == merges.end() || it->second.second != top.merged) continue;  // stale
      left.id = top.merged;
      sym[right_pos].alive = false;
      left.next = sym[right_pos].next;
      if (left.next >= 0) sym[static_cast<std::size_t>(left.next)].prev = static_cast<std::int64_t>(top.pos);
      if (left.prev >= 0) push(static_cast<std::size_t>(left.prev));
      push(top.pos);
    }
    for (std::int64_t i = 0; i >= 0; i = sym[static_cast<std::size_t>(i)].next) emit(sym[static_cast<std::size_t>(i)].id);
  }

  // Splits `text` by steps[k..] and merges each final piece. Pieces never span a split of an
  // earlier step (each step runs on every piece of the one before, as tokenizers does).
  template <class Emit>
  void pieces(std::string_view text, std::size_t k, Emit&& emit) const {
    if (text.empty()) return;
    if (k == steps.size()) {
      merge_piece(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), emit);
      return;
    }
    const hf_step& step = steps[k];
    std::string prefixed;
    if (step.kind == hf_step::byte_level && step.add_prefix_space && text.front() != ' ') {
      prefixed = " " + std::string(text);
      text = prefixed;
    }
    if (!step.pattern) return pieces(text, k + 1, emit);
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    std::size_t prev = 0;
    step.pattern->for_each_match(s, text.size(), [&](std::size_t b, std::size_t e) {
      if (b > prev) pieces(text.substr(prev, b - prev), k + 1, emit);
      if (!step.remove_matches) pieces(text.substr(b, e - b), k + 1, emit);
      prev = e;
    });
    if (prev < text.size()) pieces(text.substr(prev), k + 1, emit);
  }
};

// GPT-2's bytes_to_unicode: the printable character standing for each byte in token strings.
inline std::array<char32_t, 256> byte_level_chars() {
  std::array<char32_t, 256> map{};
  std::vector<bool> printable(256, false);
  for (int b = '!'; b <= '~'; ++b) printable[static_cast<std::size_t>(b)] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) printable[static_cast<std::size_t>(b)] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) printable[static_cast<std::size_t>(b)] = true;
  char32_t next = 256;
  for (std::size_t b = 0; b < 256; ++b) map[b] = printable[b] ? char32_t(b) : next++;
  return map;
}

// A token string of the ByteLevel alphabet as the bytes it stands for; false if it is not one.
inline bool byte_level_bytes(std::string_view token, std::string& out) {
  static const auto reverse = [] {
    std::array<int, 512> r{};
    r.fill(-1);
    const auto chars = byte_level_chars();
    for (std::size_t b = 0; b < 256; ++b) r[chars[b]] = static_cast<int>(b);
    return r;
  }();
  out.clear();
  std::size_t i = 0;
  while (i < token.size()) {
    std::size_t bad = 0;
    const auto* s = reinterpret_cast<const std::uint8_t*>(token.data());
    const std::size_t len = base::utf8_sequence_length(s, token.size(), i, bad);
    if (len == 0) return false;
    char32_t c = len == 1 ? s[i] : len == 2 ? (char32_t(s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F) : 0x10000;
    if (c >= 512 || reverse[c] < 0) return false;
    out.push_back(static_cast<char>(reverse[c]));
    i += len;
  }
  return true;
}

struct hf_access {
  using json = nlohmann::json;

  // obj[key]: `fallback` when absent or null, nullopt when of another type than T (never a throw:
  // nlohmann's value() throws, or aborts without exceptions, on a wrong type).
  template <class T>
  static std::optional<T> member(const json& obj, const char* key, T fallback) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) return std::nullopt;
    } else {
      if (!it->is_string()) return std::nullopt;
    }
    return it->template get<T>();
  }

  static outcome<hf_tokenizer> parse(std::string_view text, std::string_view source) {
    using out = outcome<hf_tokenizer>;
    const std::string src(source);
    const auto refuse = [&](const std::string& what) {
      return out::fail(failure_kind::invalid_argument,
                       "tokenizer.json " + src + ": unsupported: " + what +
                           " (tokenmaxx reads byte-level BPE with ByteLevel/Split pre-tokenizers)");
    };
    const auto malformed = [&](const std::string& what) {
      return out::fail(failure_kind::invalid_argument, "tokenizer.json " + src + ": " + what);
    };
    const json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return malformed("not a JSON object");
    auto m = std::make_shared<hf_model>();
    m->source = src;

    // Model.
    const auto model = doc.find("model");
    if (model == doc.end() || !model->is_object()) return malformed("no \"model\"");
    const auto type_field = member<std::string>(*model, "type", "BPE");
    if (!type_field) return malformed("model type is not a string");
    const std::string type = *type_field;
    if (type != "BPE") return refuse("model " + type);
    if (model->contains("dropout") && !(*model)["dropout"].is_null()) return refuse("BPE dropout");
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"})
      if (model->contains(affix) && (*model)[affix].is_string() && !(*model)[affix].get<std::string>().empty())
        return refuse(std::string("BPE ") + affix);
    const auto ignore_merges = member<bool>(*model, "ignore_merges", false);
    if (!ignore_merges) return malformed("ignore_merges is not a boolean");
    m->ignore_merges = *ignore_merges;
    const auto vocab = model->find("vocab");
    if (vocab == model->end() || !vocab->is_object()) return malformed("model has no \"vocab\" object");
    std::vector<std::pair<std::string, rank_t>> ranks;
    ranks.reserve(vocab->size());
    absl::flat_hash_map<std::string, rank_t> by_string;
    std::string bytes;
    for (auto it = vocab->begin(); it != vocab->end(); ++it) {
      if (!it.value().is_number_unsigned() || it.value().get<std::uint64_t>() > vocabulary::max_rank_limit)
        return malformed("vocab id of '" + it.key() + "' is not a valid id");
      if (!byte_level_bytes(it.key(), bytes))
        return refuse("vocabulary token '" + it.key() + "' outside the ByteLevel alphabet (not a byte-level BPE)");
      const auto id = static_cast<rank_t>(it.value().get<std::uint64_t>());
      ranks.emplace_back(bytes, id);
      by_string.emplace(it.key(), id);
    }
    auto v = vocabulary_from_ranks(ranks, source);
    if (v.error) return {std::nullopt, failure{failure_kind::invalid_argument, v.error->message}};
    m->vocab = std::move(*v.value);
    for (std::size_t b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      const rank_t id = m->vocab.find(std::string_view(&c, 1));
      if (id == no_rank) return refuse("a vocabulary without the byte " + std::to_string(b) + " (unknown-token handling)");
      m->byte_id[b] = id;
    }
    const auto merges = model->find("merges");
    if (merges == model->end() || !merges->is_array()) return malformed("model has no \"merges\" list");
    std::uint32_t rank = 0;
    for (const auto& e : *merges) {
      std::string left, right;
      if (e.is_string()) {
        const std::string& s = e.get_ref<const std::string&>();
        const std::size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos) return malformed("merge '" + s + "'");
        left = s.substr(0, sp);
        right = s.substr(sp + 1);
      } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
        left = e[0].get<std::string>();
        right = e[1].get<std::string>();
      } else {
        return malformed("a merge that is neither \"a b\" nor [a, b]");
      }
      const auto l = by_string.find(left), r = by_string.find(right), lr = by_string.find(left + right);
      if (l == by_string.end() || r == by_string.end() || lr == by_string.end())
        return malformed("merge '" + left + " " + right + "' uses a token that is not in the vocabulary");
      m->merges.try_emplace(hf_model::pair_key(l->second, r->second), rank, lr->second);  // the first listing wins
      ++rank;
    }

    // Normalizer.
    if (const auto n = doc.find("normalizer"); n != doc.end() && !n->is_null()) {
      const std::string nt = member<std::string>(*n, "type", "?").value_or("?");
      if (!(nt == "Sequence" && n->contains("normalizers") && (*n)["normalizers"].empty())) return refuse("normalizer " + nt);
    }

    // Pre-tokenizer.
    std::vector<const json*> steps;
    if (const auto p = doc.find("pre_tokenizer"); p != doc.end() && !p->is_null()) {
      if (member<std::string>(*p, "type", "").value_or("") == "Sequence") {
        const auto list = p->find("pretokenizers");  // pointers into the document itself, not a copy
        if (list == p->end() || !list->is_array()) return malformed("a Sequence pre_tokenizer without a list");
        for (const auto& s : *list) steps.push_back(&s);
      } else {
        steps.push_back(&*p);
      }
    }
    for (const json* s : steps) {
      if (!s->is_object()) return malformed("a pre_tokenizer that is not an object");
      const std::string st = member<std::string>(*s, "type", "?").value_or("?");
      const auto add_prefix_space = member<bool>(*s, "add_prefix_space", false), use_regex = member<bool>(*s, "use_regex", true),
                 invert = member<bool>(*s, "invert", false);
      if (!add_prefix_space || !use_regex || !invert) return malformed("a pre_tokenizer flag that is not a boolean");
      hf_step step;
      if (st == "ByteLevel") {
        step.kind = hf_step::byte_level;
        step.add_prefix_space = *add_prefix_space;
        if (*use_regex) {
          auto c = compiled_pattern::compile(hf_byte_level_pattern, regex_dialect::oniguruma);
          if (c.error) return {std::nullopt, std::move(c.error)};
          step.pattern = *c.value;
        }
      } else if (st == "Split") {
        if (*invert) return refuse("Split with invert");
        const std::string behavior = member<std::string>(*s, "behavior", "?").value_or("?");
        if (behavior != "Isolated" && behavior != "Removed") return refuse("Split behavior " + behavior);
        step.remove_matches = behavior == "Removed";
        const auto pat = s->find("pattern");
        std::string regex;
        if (pat != s->end() && pat->contains("Regex") && (*pat)["Regex"].is_string()) {
          regex = (*pat)["Regex"].get<std::string>();
        } else if (pat != s->end() && pat->contains("String") && (*pat)["String"].is_string()) {
          for (const char ch : (*pat)["String"].get<std::string>()) {  // a literal: escape everything not alphanumeric
            const auto c = static_cast<unsigned char>(ch);
            if (c < 0x80 && !std::isalnum(c)) regex += '\\';
            regex += ch;
          }
        } else {
          return malformed("Split without a Regex or String pattern");
        }
        auto c = compiled_pattern::compile(regex, regex_dialect::oniguruma);
        if (c.error) return {std::nullopt, std::move(c.error)};
        step.pattern = *c.value;
      } else {
        return refuse("pre_tokenizer " + st);
      }
      m->steps.push_back(std::move(step));
    }

    // Added tokens. tokenizers ignores their ids when it loads the file: one whose content is a
    // vocabulary token gets that token's id, any other the next id after the vocabulary and the
    // added tokens so far (AddedVocabulary::add_tokens); a file whose ids say otherwise is refused.
    const std::size_t model_entries = vocab->size();
    std::optional<rank_t> max_added;
    std::vector<std::pair<std::string, rank_t>> added;
    const auto added_list = doc.find("added_tokens");
    if (added_list != doc.end() && !added_list->is_null() && !added_list->is_array())
      return malformed("added_tokens is not a list");
    for (const auto& a : added_list == doc.end() || added_list->is_null() ? json::array() : *added_list) {
      if (!a.is_object() || !a.contains("content") || !a["content"].is_string() || !a.contains("id") ||
          !a["id"].is_number_unsigned())
        return malformed("an added token without content or id");
      for (const char* flag : {"lstrip", "rstrip", "single_word"})
        if (member<bool>(a, flag, false).value_or(true)) return refuse(std::string("added token with ") + flag);
      const auto id = static_cast<rank_t>(a["id"].get<std::uint64_t>());
      const std::string content = a["content"].get<std::string>();
      std::optional<rank_t> assigned;
      for (const auto& [c, i] : added)
        if (c == content) assigned = i;
      if (!assigned)
        if (const auto it = by_string.find(content); it != by_string.end()) assigned = it->second;
      if (!assigned)
        assigned = !max_added ? static_cast<rank_t>(model_entries)
                   : (*max_added >= model_entries || model_entries == 0) ? *max_added + 1
                                                                         : static_cast<rank_t>(model_entries);
      if (*assigned != id)
        return refuse("added token '" + content + "' with id " + std::to_string(id) + " (tokenizers renumbers it to " +
                      std::to_string(*assigned) + ")");
      max_added = max_added ? std::max(*max_added, id) : id;
      added.emplace_back(content, id);
    }
    m->added = added;
    std::vector<std::pair<std::string, rank_t>> specials;  // those whose id is not the model's own token
    for (const auto& [content, id] : added)
      if (!m->vocab.bytes_of(id) || *m->vocab.bytes_of(id) != content) specials.emplace_back(content, id);
    rank_t unused = 0;
    auto idx = encoding_access::index_specials(src, m->vocab, specials, std::nullopt, unused);
    if (idx.error) return {std::nullopt, std::move(idx.error)};
    m->added_index = *idx.value;
    // Added tokens that are model tokens too are still matched as whole tokens in the text.
    auto all = std::make_shared<special_index>(*m->added_index);
    for (const auto& [content, id] : added)
      if (!all->find_text(content) && !content.empty()) {
        all->by_text.try_emplace(content, all->tokens.size());
        all->by_id.try_emplace(id, all->tokens.size());
        all->tokens.emplace_back(content, id);
        all->lengths.push_back(content.size());
        all->first_bytes[static_cast<std::uint8_t>(content[0])] = true;
      }
    std::sort(all->lengths.begin(), all->lengths.end(), std::greater<>());
    all->lengths.erase(std::unique(all->lengths.begin(), all->lengths.end()), all->lengths.end());
    m->added_index = std::move(all);
    m->vocab_size = std::max<std::size_t>(m->vocab.size() ? m->vocab.max_rank() + 1 : 0, unused + 1);
    hf_tokenizer tok;
    tok.model_ = std::move(m);
    return out::ok(std::move(tok));
  }

  static outcome<hf_tokenizer> load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return outcome<hf_tokenizer>::fail(failure_kind::file_not_found, "cannot open tokenizer.json " + path);
    const std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return outcome<hf_tokenizer>::fail(failure_kind::file_not_found, "cannot read " + path);
    return parse(contents, path);
  }

  // Tokens of valid UTF-8 `text`; added tokens split it first unless `ordinary`.
  template <class Emit>
  static std::optional<failure> tokens(const hf_tokenizer& tok, std::string_view text, bool ordinary, Emit&& emit) {
    const hf_model& m = *tok.model_;
    const std::size_t bad = base::first_invalid_utf8(text);
    if (bad != std::string_view::npos) return failure::bad_utf8(bad);
    pattern_scan_failure().reset();
    const std::vector<bool> all(m.added_index->tokens.size(), true);
    std::size_t start = 0;
    while (true) {
      const auto hit = ordinary ? std::nullopt : m.added_index->find_in(text, start, all);
      const std::size_t end = hit ? hit->first : text.size();
      m.pieces(text.substr(start, end - start), 0, emit);
      if (pattern_scan_failure()) return std::exchange(pattern_scan_failure(), std::nullopt);
      if (!hit) break;
      emit(m.added_index->tokens[hit->second].second);
      start = hit->first + m.added_index->tokens[hit->second].first.size();
    }
    return std::nullopt;
  }
};

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE hf_tokenizer hf_tokenizer::parse(std::string_view json, std::string_view source) {
  return token_detail::value_or_raise(token_detail::hf_access::parse(json, source));
}
TOKENMAXX_TOKEN_INLINE hf_tokenizer hf_tokenizer::load_file(const std::string& path) {
  return token_detail::value_or_raise(token_detail::hf_access::load(path));
}
TOKENMAXX_TOKEN_INLINE std::vector<rank_t> hf_tokenizer::encode(std::string_view text) const {
  std::vector<rank_t> out;
  token_detail::raise_if(token_detail::hf_access::tokens(*this, text, false, [&](rank_t r) { out.push_back(r); }));
  return out;
}
TOKENMAXX_TOKEN_INLINE std::vector<rank_t> hf_tokenizer::encode_ordinary(std::string_view text) const {
  std::vector<rank_t> out;
  token_detail::raise_if(token_detail::hf_access::tokens(*this, text, true, [&](rank_t r) { out.push_back(r); }));
  return out;
}
TOKENMAXX_TOKEN_INLINE std::size_t hf_tokenizer::count(std::string_view text) const {
  std::size_t n = 0;
  token_detail::raise_if(token_detail::hf_access::tokens(*this, text, false, [&](rank_t) { ++n; }));
  return n;
}
TOKENMAXX_TOKEN_INLINE std::string hf_tokenizer::decode(std::span<const rank_t> tokens) const {
  std::string out;
  for (rank_t r : tokens) {
    if (auto b = model_->vocab.bytes_of(r)) {
      out.append(*b);
    } else if (auto it = model_->added_index->by_id.find(r); it != model_->added_index->by_id.end()) {
      out.append(model_->added_index->tokens[it->second].first);
    } else {
      base::raise(invalid_token_error(r));
    }
  }
  return out;
}
TOKENMAXX_TOKEN_INLINE std::optional<rank_t> hf_tokenizer::token_to_id(std::string_view token_bytes) const {
  const rank_t r = model_->vocab.find(token_bytes);
  if (r != no_rank) return r;
  if (const std::size_t* k = model_->added_index->find_text(token_bytes)) return model_->added_index->tokens[*k].second;
  return std::nullopt;
}
TOKENMAXX_TOKEN_INLINE std::size_t hf_tokenizer::vocab_size() const { return model_->vocab_size; }
TOKENMAXX_TOKEN_INLINE const std::vector<std::pair<std::string, rank_t>>& hf_tokenizer::added_tokens() const {
  return model_->added;
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<hf_tokenizer> try_parse_hf_tokenizer(std::string_view json,
                                                                         std::string_view source) {
  return token_detail::to_status_or(token_detail::hf_access::parse(json, source));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<hf_tokenizer> try_load_hf_tokenizer(const std::string& path) {
  return token_detail::to_status_or(token_detail::hf_access::load(path));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::vector<rank_t>> try_encode(const hf_tokenizer& tok, std::string_view text) {
  std::vector<rank_t> out;
  auto f = token_detail::hf_access::tokens(tok, text, false, [&](rank_t r) { out.push_back(r); });
  return token_detail::value_unless(std::move(f), std::move(out));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::size_t> try_count(const hf_tokenizer& tok, std::string_view text) {
  std::size_t n = 0;
  auto f = token_detail::hf_access::tokens(tok, text, false, [&](rank_t) { ++n; });
  return token_detail::value_unless(std::move(f), std::move(n));
}

}  // namespace tokenmaxx

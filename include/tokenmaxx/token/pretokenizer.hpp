// tokenmaxx/token/pretokenizer.hpp: the pretokenizer of an encoding: a hand-written scanner or a compiled pattern.
//
// Before byte-pair merging, tiktoken splits text into pieces with a regular expression. tokenmaxx
// implements the patterns of the common encodings with hand-written scanners (no regex engine),
// one `pretokenizer_family` each: OpenAI's three, Llama 3's (which is also the older spelling of
// cl100k's) and Mistral Tekken's (Llama 4 uses o200k's pattern). Any other pattern tiktoken
// accepts runs through PCRE2 with tiktoken's semantics: a `pretokenizer` is either one.
//
// Guarantees:
//  - `family_for_pattern` recognises a pattern only by exact string equality with one of the
//    `family_patterns` strings; anything else is std::nullopt, never a guess. Each string is the
//    `pat_str` of a tiktoken encoding, a vendor tokenizer or an older tiktoken release, and the
//    scanner of its family splits exactly as tiktoken does with that string.
//  - `pretokenizer::from_pattern` uses the family's scanner when the pattern is one of those
//    strings and otherwise compiles it with PCRE2 (JIT) after rewriting it into PCRE2 syntax with
//    fancy-regex's meaning (lookaround, possessive and lazy quantifiers, \p{..} classes, class set
//    operations, case-insensitive groups, backreferences, Rust's \s \w \b ^ $ and flags). It throws
//    `error` (the `try_` twin in nothrow.hpp returns InvalidArgument) for a pattern that does not
//    compile, naming the construct. Differences that remain: PCRE2 10.42's Unicode tables are
//    version 14.0 while tiktoken's regex uses 16.0, so code points assigned since then have no
//    letter/number/mark class here (docs/VOCABULARIES.md lists them); a pattern matching the empty
//    string yields no piece there (tiktoken panics).
//  - A compiled pattern is not linear on every input (backtracking): each search is bounded (see
//    detail/pcre2_pattern.hpp) and an input that passes the bound fails the operation with
//    `error` / ResourceExhausted, never a hang or a crash. The scanners are linear.
//  - Immutable after construction; copies share the compiled code; safe from any thread.
//
// Example:
//   std::string_view cl100k = tokenmaxx::canonical_pattern(tokenmaxx::pretokenizer_family::cl100k);
//   std::optional<tokenmaxx::pretokenizer_family> fam = tokenmaxx::family_for_pattern(cl100k);  // cl100k
//   tokenmaxx::pretokenizer words = tokenmaxx::pretokenizer::from_pattern(R"(\p{L}+|\p{N}|\s+)");
//   bool compiled = words.is_regex();                                    // true: no scanner has it
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tokenmaxx {

enum class pretokenizer_family : std::uint8_t {
  gpt2,    // r50k_base, p50k_base, p50k_edit, gpt2
  cl100k,  // cl100k_base
  o200k,   // o200k_base, o200k_harmony, llama4
  llama3,  // llama3, and the older spellings of cl100k_base's pattern (without its \s++$ rule)
  tekken,  // Mistral tekken
  regex,   // a pattern compiled with PCRE2 (pretokenizer::from_pattern), no scanner
};

struct family_pattern {
  pretokenizer_family family;
  std::string_view family_name;  // "gpt2", "cl100k", "o200k", "llama3", "tekken"
  std::string_view pattern;
  bool canonical;  // the pattern tiktoken 0.14 uses for the built-in encodings of this family
};

inline constexpr family_pattern family_patterns[] = {
    {pretokenizer_family::gpt2, "gpt2",
     R"('(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s)", true},
    // The original GPT-2 release; tiktoken notes it is equivalent to the pattern above.
    {pretokenizer_family::gpt2, "gpt2",
     R"('s|'t|'re|'ve|'m|'ll|'d| ?[\p{L}]+| ?[\p{N}]+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)", false},
    {pretokenizer_family::cl100k, "cl100k",
     R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)",
     true},
    {pretokenizer_family::o200k, "o200k",
     R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|)"
     R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|)"
     R"(\p{N}{1,3}|)"
     R"( ?[^\s\p{L}\p{N}]+[\r\n/]*|)"
     R"(\s*[\r\n]+|)"
     R"(\s+(?!\S)|)"
     R"(\s+)",
     true},
    // Llama 3 (llama-models' Tokenizer.pat_str), which is tiktoken's cl100k pattern before 0.6.
    {pretokenizer_family::llama3, "llama3",
     R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     true},
    // cl100k's pattern as tiktoken 0.6 spelled it (and minbpe's GPT4_SPLIT_PATTERN): possessive
    // where it makes no difference, still without \s++$, so it splits as the one above.
    {pretokenizer_family::llama3, "llama3",
     R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)",
     false},
    // Mistral tekken (mistral-common's tekken_*.json config.pattern): o200k's words without
    // contractions, single digits.
    {pretokenizer_family::tekken, "tekken",
     R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|)"
     R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|)"
     R"(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     true},
};

// The family whose scanner implements `pattern` exactly, or std::nullopt.
constexpr std::optional<pretokenizer_family> family_for_pattern(std::string_view pattern) {
  for (const auto& fp : family_patterns)
    if (fp.pattern == pattern) return fp.family;
  return std::nullopt;
}

// The pattern string tiktoken uses for the built-in encodings of `family`.
constexpr std::string_view canonical_pattern(pretokenizer_family family) {
  for (const auto& fp : family_patterns)
    if (fp.family == family && fp.canonical) return fp.pattern;
  return {};
}

constexpr std::string_view family_name(pretokenizer_family family) {
  if (family == pretokenizer_family::regex) return "regex";
  for (const auto& fp : family_patterns)
    if (fp.family == family) return fp.family_name;
  return {};
}

constexpr std::optional<pretokenizer_family> family_from_name(std::string_view name) {
  for (const auto& fp : family_patterns)
    if (fp.family_name == name) return fp.family;
  return std::nullopt;
}

namespace token_detail {
struct compiled_pattern;
struct pretokenizer_access;
}  // namespace token_detail

// How an encoding splits text into pieces: a family's scanner, or a pattern compiled with PCRE2.
class pretokenizer {
 public:
  // The scanner of `family` (not pretokenizer_family::regex, which needs a pattern).
  pretokenizer(pretokenizer_family family) noexcept : family_(family) {}  // NOLINT: implicit by design

  // The family's scanner when `pattern` is one of `family_patterns`, else `pattern` compiled with
  // PCRE2. Throws `error` when the pattern does not compile (try_make_pretokenizer returns Status).
  static pretokenizer from_pattern(std::string_view pattern);
  // `pattern` compiled with PCRE2 even when a scanner implements it (to compare the two).
  static pretokenizer compile_regex(std::string_view pattern);

  pretokenizer_family family() const noexcept { return family_; }
  bool is_regex() const noexcept { return family_ == pretokenizer_family::regex; }
  // The pattern it implements: the one given, or the family's canonical pattern.
  std::string_view pattern() const noexcept;
  // The PCRE2 spelling of a compiled pattern ("" for a scanner).
  std::string_view pcre2_pattern() const noexcept;
  const token_detail::compiled_pattern* compiled() const noexcept { return regex_.get(); }

 private:
  friend struct token_detail::pretokenizer_access;
  pretokenizer_family family_;
  std::shared_ptr<const token_detail::compiled_pattern> regex_;
};

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/pretokenizer_impl.hpp"
#endif

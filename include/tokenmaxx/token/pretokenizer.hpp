// tokenmaxx/token/pretokenizer.hpp: the pretokenizer families and the regex patterns they implement.
//
// Before byte-pair merging, tiktoken splits text into pieces with a regular expression. tokenmaxx
// implements the three patterns of the OpenAI encodings with hand-written scanners (no regex
// engine): the `pretokenizer_family` of an encoding says which one it uses. This header lists the
// pattern strings each family implements, so a custom encoding given as a tiktoken `pat_str` can be
// mapped to the scanner that reproduces it exactly.
//
// Guarantees:
//  - `family_for_pattern` recognises a pattern only by exact string equality with one of the
//    pattern strings below; anything else is "unsupported" (std::nullopt), never a guess.
//  - The strings are tiktoken 0.14's `pat_str` values (tiktoken_ext/openai_public.py), plus the
//    pattern of the original GPT-2 release that tiktoken documents as equivalent to its r50k one.
//  - constexpr data and pure functions; safe from any thread.
//
// Example:
//   std::string_view cl100k = tokenmaxx::canonical_pattern(tokenmaxx::pretokenizer_family::cl100k);
//   std::optional<tokenmaxx::pretokenizer_family> fam = tokenmaxx::family_for_pattern(cl100k);  // cl100k
//   if (!tokenmaxx::family_for_pattern("\\w+")) { /* a pattern tokenmaxx does not implement */ }
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tokenmaxx {

enum class pretokenizer_family : std::uint8_t {
  gpt2,    // r50k_base, p50k_base, p50k_edit, gpt2
  cl100k,  // cl100k_base
  o200k,   // o200k_base, o200k_harmony
};

struct family_pattern {
  pretokenizer_family family;
  std::string_view family_name;  // "gpt2", "cl100k", "o200k"
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
  for (const auto& fp : family_patterns)
    if (fp.family == family) return fp.family_name;
  return {};
}

constexpr std::optional<pretokenizer_family> family_from_name(std::string_view name) {
  for (const auto& fp : family_patterns)
    if (fp.family_name == name) return fp.family;
  return std::nullopt;
}

}  // namespace tokenmaxx

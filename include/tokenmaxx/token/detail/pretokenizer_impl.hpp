// Internal to the tokenizer; include <tokenmaxx/token/pretokenizer.hpp> instead.
// The out-of-line part of pretokenizer.hpp: choosing a scanner or compiling the pattern.
#pragma once

#include <utility>

#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/pcre2_pattern.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"

#include "tokenmaxx/token/detail/linkage.hpp"

namespace tokenmaxx {
namespace token_detail {

struct pretokenizer_access {
  // The scanner for a known pattern (unless `force_regex`), else the pattern compiled in `dialect`.
  static outcome<pretokenizer> make(std::string_view pattern, bool force_regex,
                                    regex_dialect dialect = regex_dialect::fancy_regex) {
    if (!force_regex && dialect == regex_dialect::fancy_regex)
      if (auto family = family_for_pattern(pattern)) return outcome<pretokenizer>::ok(pretokenizer(*family));
    auto compiled = compiled_pattern::compile(pattern, dialect);
    if (compiled.error) return {std::nullopt, std::move(compiled.error)};
    pretokenizer p(pretokenizer_family::regex);
    p.regex_ = std::move(*compiled.value);
    return outcome<pretokenizer>::ok(std::move(p));
  }
};

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE pretokenizer pretokenizer::from_pattern(std::string_view pattern) {
  return token_detail::value_or_raise(token_detail::pretokenizer_access::make(pattern, false));
}

TOKENMAXX_TOKEN_INLINE pretokenizer pretokenizer::compile_regex(std::string_view pattern) {
  return token_detail::value_or_raise(token_detail::pretokenizer_access::make(pattern, true));
}

TOKENMAXX_TOKEN_INLINE std::string_view pretokenizer::pattern() const noexcept {
  return regex_ ? std::string_view(regex_->source) : canonical_pattern(family_);
}

TOKENMAXX_TOKEN_INLINE std::string_view pretokenizer::pcre2_pattern() const noexcept {
  return regex_ ? std::string_view(regex_->pcre2) : std::string_view();
}

}  // namespace tokenmaxx

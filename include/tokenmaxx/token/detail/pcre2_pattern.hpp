// Internal to the tokenizer; include <tokenmaxx/token/pretokenizer.hpp> instead.
//
// A pretokenizer pattern compiled with PCRE2 (UTF, UCP, JIT): the exact fallback for patterns that
// no hand-written scanner implements. The pattern is first rewritten into PCRE2 syntax with the
// meaning it has in the source engine (regex_translate.hpp); matching then follows the source
// engine's iteration rules (fancy-regex's `find_iter`, which tiktoken uses):
//
//  - matches are searched left to right from the end of the previous one; text that no match
//    covers belongs to no piece (tiktoken skips it);
//  - after an empty match the search resumes one code point further on, and an empty match right
//    where the previous match ended is not reported. Empty matches carry no text, so they yield no
//    piece here (tiktoken panics on them: its byte-pair merge does not accept an empty piece).
//
// Cost is bounded, never a hang: each search may take at most `match_budget` steps of PCRE2's
// backtracking (a fixed allowance plus a multiple of the bytes left to search, so linear patterns
// never reach it), and the JIT stack and interpreter heap are capped. A search past a bound stops
// the scan and leaves a `resource_exhausted` failure that the calling operation reports.
#pragma once

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/regex_translate.hpp"

namespace tokenmaxx::token_detail {

// PCRE2 steps one search may take: a fixed allowance plus this many per byte left to search.
inline constexpr std::uint32_t match_budget_base = 10'000'000;
inline constexpr std::uint32_t match_budget_per_byte = 64;
inline constexpr std::size_t jit_stack_max_bytes = std::size_t{16} << 20;
inline constexpr std::uint32_t heap_limit_kib = 256 * 1024;

// The failure of the last scan on this thread that a bound stopped (see the top of this file).
inline std::optional<failure>& pattern_scan_failure() {
  thread_local std::optional<failure> f;
  return f;
}

// Per-thread PCRE2 state, made on first use and reused, so a scan allocates nothing per piece.
class pcre2_thread_state {
 public:
  static pcre2_thread_state& get() {
    thread_local pcre2_thread_state s;
    return s;
  }
  pcre2_match_context* context() const { return context_; }
  // Match data with room for `pairs` capture pairs.
  pcre2_match_data* data(std::uint32_t pairs) {
    if (data_ && pairs_ >= pairs) return data_;
    if (data_) pcre2_match_data_free(data_);
    data_ = pcre2_match_data_create(pairs, nullptr);
    pairs_ = data_ ? pairs : 0;
    return data_;
  }
  ~pcre2_thread_state() {
    if (data_) pcre2_match_data_free(data_);
    if (context_) pcre2_match_context_free(context_);
    if (jit_stack_) pcre2_jit_stack_free(jit_stack_);
  }
  pcre2_thread_state(const pcre2_thread_state&) = delete;
  pcre2_thread_state& operator=(const pcre2_thread_state&) = delete;

 private:
  pcre2_thread_state() {
    context_ = pcre2_match_context_create(nullptr);
    jit_stack_ = pcre2_jit_stack_create(64 * 1024, jit_stack_max_bytes, nullptr);
    if (context_) {
      if (jit_stack_) pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
      pcre2_set_heap_limit(context_, heap_limit_kib);
    }
  }
  pcre2_match_context* context_ = nullptr;
  pcre2_jit_stack* jit_stack_ = nullptr;
  pcre2_match_data* data_ = nullptr;
  std::uint32_t pairs_ = 0;
};

struct compiled_pattern {
  std::string source;  // the pattern as given
  std::string pcre2;   // its PCRE2 spelling
  regex_dialect dialect = regex_dialect::fancy_regex;
  pcre2_code* code = nullptr;
  bool jit = false;
  std::uint32_t capture_pairs = 1;

  compiled_pattern() = default;
  compiled_pattern(const compiled_pattern&) = delete;
  compiled_pattern& operator=(const compiled_pattern&) = delete;
  ~compiled_pattern() {
    if (code) pcre2_code_free(code);
  }

  static outcome<std::shared_ptr<const compiled_pattern>> compile(std::string_view pattern, regex_dialect dialect) {
    using out = outcome<std::shared_ptr<const compiled_pattern>>;
    translated_pattern t = translate_to_pcre2(pattern, dialect);
    if (!t.error.empty()) return out::fail(failure_kind::invalid_argument, "invalid or unsupported pattern: " + t.error);
    auto p = std::make_shared<compiled_pattern>();
    p->source = std::string(pattern);
    p->pcre2 = std::move(t.pcre2);
    p->dialect = dialect;
    pcre2_compile_context* cc = pcre2_compile_context_create(nullptr);
    if (!cc) return out::fail(failure_kind::internal, "PCRE2 could not allocate a compile context");
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_bsr(cc, PCRE2_BSR_UNICODE);
    int err = 0;
    PCRE2_SIZE err_offset = 0;
    p->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p->pcre2.data()), p->pcre2.size(),
                            PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK | PCRE2_NEVER_BACKSLASH_C, &err, &err_offset,
                            cc);
    pcre2_compile_context_free(cc);
    if (!p->code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(err, message, sizeof message);
      return out::fail(failure_kind::invalid_argument,
                       "invalid or unsupported pattern: PCRE2 rejects it: " +
                           std::string(reinterpret_cast<const char*>(message)) + " (PCRE2 pattern: " + p->pcre2 + ")");
    }
    std::uint32_t captures = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &captures);
    p->capture_pairs = captures + 1;
    p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
    return out::ok(std::shared_ptr<const compiled_pattern>(std::move(p)));
  }

  // One search from `from`: true with [begin, end) when a match is found; false at no match or
  // when a bound stopped the search (then `failed` holds why).
  bool search(const std::uint8_t* s, std::size_t n, std::size_t from, std::size_t& begin, std::size_t& end,
              std::optional<failure>& failed) const {
    pcre2_thread_state& st = pcre2_thread_state::get();
    pcre2_match_data* md = st.data(capture_pairs);
    pcre2_match_context* mc = st.context();
    if (!md || !mc) {
      failed = failure{failure_kind::internal, "PCRE2 could not allocate its match data"};
      return false;
    }
    const std::uint64_t budget = std::uint64_t{match_budget_base} + std::uint64_t{match_budget_per_byte} * (n - from);
    pcre2_set_match_limit(mc, budget > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(budget));
    int rc = jit ? pcre2_jit_match(code, s, n, from, 0, md, mc) : PCRE2_ERROR_JIT_STACKLIMIT;
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)  // deep backtracking: the interpreter keeps its frames on the heap
      rc = pcre2_match(code, s, n, from, PCRE2_NO_JIT | PCRE2_NO_UTF_CHECK, md, mc);
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc < 0) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof message);
      failed = failure{failure_kind::resource_exhausted,
                       "the pretokenizer pattern exceeded its matching bounds at byte offset " + std::to_string(from) +
                           " (" + std::string(reinterpret_cast<const char*>(message)) +
                           "); the pattern backtracks too much on this input"};
      return false;
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    begin = ov[0];
    end = ov[1];
    return true;
  }

  // Calls f(begin, end) for each non-empty match of valid UTF-8 s[0, n), with fancy-regex's
  // iteration rules; stops when f returns false. A bound that stops the scan is recorded in
  // pattern_scan_failure().
  template <class F>
  void for_each_match(const std::uint8_t* s, std::size_t n, F&& f) const {
    std::size_t pos = 0;
    while (pos <= n) {
      std::size_t b = 0, e = 0;
      std::optional<failure> failed;
      if (!search(s, n, pos, b, e, failed)) {
        if (failed) pattern_scan_failure() = std::move(failed);
        return;
      }
      if (b == e) {  // reported or not, an empty match yields no piece; resume one code point on
        pos = e < n ? e + utf8_length(s[e]) : n + 1;
        continue;
      }
      if constexpr (std::is_same_v<decltype(f(b, e)), bool>) {
        if (!f(b, e)) return;
      } else {
        f(b, e);
      }
      pos = e;
    }
  }

  static std::size_t utf8_length(std::uint8_t lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }
};

}  // namespace tokenmaxx::token_detail

// tokenmaxx/token/stream.hpp: counting a text that arrives in chunks.
//
// A `token_counter` takes a text chunk by chunk (a streamed LLM response, a file read in blocks)
// and answers at any time how many tokens the whole text so far has, exactly as
// `encoding::count` would on the concatenation. Chunks may split a UTF-8 sequence anywhere.
//
// Guarantees:
//  - Exact: count() == enc.count(all chunks appended so far), for every split into chunks (the
//    differential tests check thousands of random splits of adversarial text).
//  - Bounded work and memory: text is counted as soon as later text can no longer change how it is
//    split (the last few pieces are kept, and any incomplete UTF-8 sequence at the end), so memory
//    stays small except while one piece without a split point keeps growing.
//  - Invalid UTF-8: with utf8_policy::strict, append() throws invalid_utf8_error as soon as a
//    sequence is certainly invalid (offset counted from the start of the stream), and count()
//    throws if the text so far ends inside a sequence; with utf8_policy::replace, invalid
//    sequences count as U+FFFD exactly as Python's errors="replace" would on the whole text.
//  - Thread safety: one counter per stream; not synchronised.
//
// Example:
//   tokenmaxx::token_counter counter(tokenmaxx::get_encoding("o200k_base"));
//   counter.append("Hello, wor");
//   counter.append("ld!");
//   std::size_t n = counter.count();   // == get_encoding("o200k_base")->count("Hello, world!")
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tokenmaxx/token/encoding.hpp"

namespace tokenmaxx {

class token_counter {
 public:
  explicit token_counter(std::shared_ptr<const encoding> enc, utf8_policy policy = utf8_policy::strict);

  // Appends the next chunk of the text.
  void append(std::string_view chunk);
  // Tokens of the whole text appended so far.
  std::size_t count() const;
  // Bytes appended so far.
  std::size_t bytes() const noexcept { return total_bytes_; }
  // Starts a new text.
  void reset() noexcept;

 private:
  std::shared_ptr<const encoding> enc_;
  utf8_policy policy_;
  std::size_t counted_ = 0;  // tokens of the text before pending_ (final)
  std::size_t offset_ = 0;   // bytes before pending_ (stream bytes under strict; repaired text under replace)
  std::size_t total_bytes_ = 0;
  std::string pending_;      // valid UTF-8 (repaired under replace) not yet counted
  std::string raw_;          // the trailing bytes of an incomplete UTF-8 sequence
};

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/stream_impl.hpp"
#endif

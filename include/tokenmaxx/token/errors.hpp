// tokenmaxx/token/errors.hpp: the exceptions of the tiktoken-parity tokenizer API.
//
// The exceptions the tokenizer throws (see docs/ERRORS.md: the loading calls also have `try_`
// twins in nothrow.hpp that return absl::Status instead). Every error names what went wrong and where: the byte
// offset of invalid UTF-8, the disallowed special token, the vocabulary file with its expected
// and actual hash, the unknown name together with the valid ones. All derive from
// `tokenmaxx::error`, itself a `std::runtime_error`, so a caller can catch one type.
//
// Guarantees: error objects are immutable values; copying or reading one from several threads is
// safe. In a build without exceptions the throwing entry points print the message and abort.
//
// Example:
//   auto enc = tokenmaxx::get_encoding("cl100k_base");
//   try {
//     auto ids = enc->encode("a <|endoftext|> b");          // specials are disallowed by default
//   } catch (const tokenmaxx::disallowed_special_error& e) {
//     std::cerr << e.what() << " (" << e.token() << ")\n";  // names "<|endoftext|>"
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tokenmaxx {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace token_detail {
// An error about one number (a byte offset, a token id), kept beside the message for callers.
template <class T>
class numbered_error : public error {
 public:
  numbered_error(const std::string& what, T value) : error(what + std::to_string(value)), value_(value) {}

 protected:
  T value_;
};
}  // namespace token_detail

// Input that is not valid UTF-8. `offset()` is the byte offset of the first invalid sequence.
class invalid_utf8_error : public token_detail::numbered_error<std::size_t> {
 public:
  explicit invalid_utf8_error(std::size_t offset) : numbered_error("invalid UTF-8 at byte offset ", offset) {}
  std::size_t offset() const noexcept { return value_; }
};

// `encode` met the text of a special token that is neither allowed nor exempted from checks.
class disallowed_special_error : public error {
 public:
  explicit disallowed_special_error(std::string token)
      : error("Encountered text corresponding to disallowed special token '" + token +
              "'. Pass it in allowed_special to encode it as a special token, or use "
              "encode_ordinary / disallow no specials to encode it as plain text."),
        token_(std::move(token)) {}
  const std::string& token() const noexcept { return token_; }

 private:
  std::string token_;
};

// A rank file that cannot be read, does not parse, or does not match its pinned SHA-256.
class vocab_error : public error {
 public:
  using error::error;
};

// An encoding or model name that tokenmaxx does not know.
class unknown_name_error : public error {
 public:
  using error::error;
};

// A token id that the encoding cannot decode.
class invalid_token_error : public token_detail::numbered_error<std::uint64_t> {
 public:
  explicit invalid_token_error(std::uint64_t token) : numbered_error("invalid token id ", token) {}
  std::uint64_t token() const noexcept { return value_; }
};

}  // namespace tokenmaxx

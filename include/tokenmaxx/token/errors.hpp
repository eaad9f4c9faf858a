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
//   try {
//     auto ids = enc.encode(text);
//   } catch (const tokenmaxx::disallowed_special_error& e) {
//     std::cerr << e.what() << " (" << e.token() << ")\n";
//   }
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tokenmaxx {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Input that is not valid UTF-8. `offset()` is the byte offset of the first invalid sequence.
class invalid_utf8_error : public error {
 public:
  explicit invalid_utf8_error(std::size_t offset)
      : error("invalid UTF-8 at byte offset " + std::to_string(offset)), offset_(offset) {}
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::size_t offset_;
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
class invalid_token_error : public error {
 public:
  explicit invalid_token_error(std::uint64_t token)
      : error("invalid token id " + std::to_string(token)), token_(token) {}
  std::uint64_t token() const noexcept { return token_; }

 private:
  std::uint64_t token_;
};

}  // namespace tokenmaxx

// Internal to the tokenizer; include <tokenmaxx/token/nothrow.hpp> or the throwing headers instead.
//
// One implementation, two error styles: the loaders report a `failure` (what kind, and the
// message), which the throwing API turns into the matching exception and the nothrow API into the
// matching absl::Status (docs/ERRORS.md lists the mapping).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "tokenmaxx/base/status.hpp"
#include "tokenmaxx/token/errors.hpp"

namespace tokenmaxx::token_detail {

enum class failure_kind : std::uint8_t {
  unknown_name,      // not a known encoding, model or rank file   -> unknown_name_error, NotFound
  file_not_found,    // no such file in any search directory        -> vocab_error, NotFound
  corrupt_data,      // malformed rank file or failed hash check    -> vocab_error, DataLoss
  invalid_vocabulary,  // an in-memory rank table that is invalid   -> vocab_error, InvalidArgument
  invalid_argument,  // caller-supplied table or parameters invalid -> error, InvalidArgument
  internal,          // OpenSSL or the system failed                -> error, Internal
  invalid_utf8,      // text that is not UTF-8 (offset)            -> invalid_utf8_error, InvalidArgument
  disallowed_special,  // special-token text not allowed (token)   -> disallowed_special_error, InvalidArgument
  invalid_token,     // a token id the encoding cannot decode (id)  -> invalid_token_error, InvalidArgument
  resource_exhausted,  // a regex pattern passed its matching bounds -> error, ResourceExhausted
};

struct failure {
  failure_kind kind;
  std::string message;
  std::uint64_t detail = 0;  // invalid_utf8: byte offset; invalid_token: the id
  std::string token = {};    // disallowed_special: the special token's text

  static failure bad_utf8(std::size_t offset) {
    return {failure_kind::invalid_utf8, invalid_utf8_error(offset).what(), offset};
  }
  static failure disallowed(std::string token) {
    std::string message = disallowed_special_error(token).what();
    return {failure_kind::disallowed_special, std::move(message), 0, std::move(token)};
  }
  static failure bad_token(std::uint64_t id) { return {failure_kind::invalid_token, invalid_token_error(id).what(), id}; }
};

// The value of a loader, or why there is none.
template <class T>
struct outcome {
  std::optional<T> value;
  std::optional<failure> error;

  static outcome ok(T v) { return {std::move(v), std::nullopt}; }
  static outcome fail(failure_kind k, std::string message) { return {std::nullopt, failure{k, std::move(message)}}; }
};

// The throwing API's view of a failure.
[[noreturn]] inline void raise_failure(const failure& f) {
  switch (f.kind) {
    case failure_kind::unknown_name: base::raise(unknown_name_error(f.message));
    case failure_kind::file_not_found:
    case failure_kind::corrupt_data:
    case failure_kind::invalid_vocabulary: base::raise(vocab_error(f.message));
    case failure_kind::invalid_utf8: base::raise(invalid_utf8_error(static_cast<std::size_t>(f.detail)));
    case failure_kind::disallowed_special: base::raise(disallowed_special_error(f.token));
    case failure_kind::invalid_token: base::raise(invalid_token_error(f.detail));
    case failure_kind::invalid_argument:
    case failure_kind::resource_exhausted:
    case failure_kind::internal: break;
  }
  base::raise(error(f.message));
}

template <class T>
T value_or_raise(outcome<T>&& o) {
  if (o.error) raise_failure(*o.error);
  return std::move(*o.value);
}

}  // namespace tokenmaxx::token_detail

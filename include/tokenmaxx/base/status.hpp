// tokenmaxx/base/status.hpp: the error policy's plumbing (see docs/ERRORS.md).
//
// tokenmaxx has two kinds of API. The tiktoken-parity tokenizer API throws, as tiktoken raises;
// the data and operations APIs (vocabulary loading for services, ledger, pricing, privacy) return
// absl::Status / absl::StatusOr, and every loading call of the tokenizer has a `try_` twin that
// does too. This header holds the two bridges between them:
//
//  - `raise(e)` throws the exception `e`; in a build without exceptions (-fno-exceptions) it prints
//    `e.what()` to stderr and aborts instead, as Abseil does, so the throwing entry points stay
//    usable (and loud) there while the `try_` entry points are the API to call.
//  - TOKENMAXX_RETURN_IF_ERROR(expr) returns a non-OK absl::Status from the enclosing function.
//
// Guarantees: nothing in tokenmaxx throws through a function that returns absl::Status or
// absl::StatusOr; such functions report every failure, including allocation and CSPRNG failures
// they can observe, as a Status.
//
// Example:
//   absl::Status check(int n) {
//     if (n < 0) return absl::InvalidArgumentError("negative");
//     return absl::OkStatus();
//   }
//   absl::Status run(int n) {
//     TOKENMAXX_RETURN_IF_ERROR(check(n));
//     return absl::OkStatus();
//   }
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"

namespace tokenmaxx::base {

// Throws `e`, or without exception support prints e.what() and aborts.
template <class E>
[[noreturn]] void raise(E&& e) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  throw std::forward<E>(e);
#else
  std::fprintf(stderr, "tokenmaxx: fatal error in a build without exceptions: %s\n", e.what());
  std::abort();
#endif
}

}  // namespace tokenmaxx::base

#define TOKENMAXX_RETURN_IF_ERROR(expr)                  \
  do {                                                   \
    if (::absl::Status tokenmaxx_status_ = (expr); !tokenmaxx_status_.ok()) \
      return tokenmaxx_status_;                          \
  } while (false)

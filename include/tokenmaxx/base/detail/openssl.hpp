// Internal to base/; include <tokenmaxx/base/hmac.hpp> or <tokenmaxx/base/sha256.hpp> instead.
// Ownership of OpenSSL objects and OpenSSL's error text, shared by every OpenSSL wrapper.
#pragma once

#include <openssl/err.h>

#include <memory>
#include <string>

namespace tokenmaxx::base_detail {

// unique_ptr deleter calling the OpenSSL free function `Free`.
template <auto Free>
struct openssl_deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
template <class T, auto Free>
using openssl_ptr = std::unique_ptr<T, openssl_deleter<Free>>;

// The queued OpenSSL errors as text (and clears the queue), for error messages.
inline std::string openssl_error_text() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("no OpenSSL error queued") : out;
}

}  // namespace tokenmaxx::base_detail

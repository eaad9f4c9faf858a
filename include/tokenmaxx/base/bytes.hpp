// tokenmaxx/base/bytes.hpp: little-endian integers into and out of byte strings.
//
// The one byte writer and reader of the library (snapshot encodings, length-prefixed group keys).
//
// Guarantees:
//  - The writer appends exactly sizeof(T) bytes, least significant first, on every platform.
//  - The reader never reads past the end of its input: every getter returns false instead, and
//    leaves the position unchanged, so truncated input is an error and never undefined behaviour.
//  - Plain value types with no shared state.
//
// Example:
//   std::string out;
//   tokenmaxx::base::put_le<std::uint32_t>(out, 7);          // "\x07\0\0\0"
//   tokenmaxx::base::byte_reader in(out);
//   std::uint32_t v = 0;
//   bool ok = in.le(v) && in.remaining() == 0;              // v == 7
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tokenmaxx::base {

template <std::unsigned_integral T>
void put_le(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i))));
}

// Bounds-checked little-endian reader over a borrowed byte string.
class byte_reader {
 public:
  explicit byte_reader(std::string_view s) noexcept : s_(s) {}

  template <std::unsigned_integral T>
  bool le(T& v) noexcept {
    if (remaining() < sizeof(T)) return false;
    T x = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      x = static_cast<T>(x | static_cast<T>(static_cast<T>(static_cast<std::uint8_t>(s_[pos_ + i])) << (8 * i)));
    v = x;
    pos_ += sizeof(T);
    return true;
  }
  // Copies the next `n` bytes into `v`.
  bool bytes(std::size_t n, std::string& v) {
    if (remaining() < n) return false;
    v.assign(s_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t remaining() const noexcept { return s_.size() - pos_; }
  std::size_t position() const noexcept { return pos_; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace tokenmaxx::base

// Internal to the tokenizer; include <tokenmaxx/token/vocab.hpp> instead.
//
// An allocator for the vocabulary's large, read-mostly arrays (the hash index, the byte-pair
// table, the token bytes): on Linux, blocks of 1 MiB and more are 2 MiB-aligned and advised to be
// backed by transparent huge pages. Lookups in a multi-megabyte index are random; with 4 KiB pages
// each one also misses the TLB (on the reference machine a dependent load over 1 MiB costs 103 ns
// with 4 KiB pages and 28 ns with huge pages). Only a hint: without THP it is a plain allocation.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tokenmaxx::token_detail {

template <class T>
struct huge_page_allocator {
  using value_type = T;
  static constexpr std::size_t huge_page = std::size_t{2} << 20;
  static constexpr std::size_t threshold = std::size_t{1} << 20;

  huge_page_allocator() noexcept = default;
  template <class U>
  huge_page_allocator(const huge_page_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw_bad_alloc();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < threshold) return static_cast<T*>(::operator new(bytes));
    const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
    void* p = std::aligned_alloc(huge_page, rounded);
    if (p == nullptr) throw_bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(p, rounded, MADV_HUGEPAGE);  // a hint; failure just means small pages
#endif
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < threshold) ::operator delete(p);
    else std::free(p);
  }

  friend bool operator==(const huge_page_allocator&, const huge_page_allocator&) noexcept { return true; }

 private:
  [[noreturn]] static void throw_bad_alloc() {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    throw std::bad_alloc();
#else
    std::abort();
#endif
  }
};

}  // namespace tokenmaxx::token_detail

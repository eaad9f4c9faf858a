// Runtime choice of the block classifier for tokenmaxx::token_compiled: the best kernel this
// build carries and this CPU runs, or the one TOKENMAXX_SIMD names.
#include <cstdio>
#include <string>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "tokenmaxx/token/detail/simd_backend.hpp"
#include "tokenmaxx/token/simd.hpp"

namespace tokenmaxx::token_detail {

#if defined(TOKENMAXX_KERNEL_SSE42)
namespace sse42 { void classify(const std::uint8_t* p, block_masks& m) noexcept; }
#endif
#if defined(TOKENMAXX_KERNEL_AVX2)
namespace avx2 { void classify(const std::uint8_t* p, block_masks& m) noexcept; }
#endif
#if defined(TOKENMAXX_KERNEL_AVX512BW)
namespace avx512bw { void classify(const std::uint8_t* p, block_masks& m) noexcept; }
#endif
#if defined(TOKENMAXX_KERNEL_NEON)
namespace neon { void classify(const std::uint8_t* p, block_masks& m) noexcept; }
#endif

namespace {

// The backends this build carries that this CPU can run, worst first.
std::vector<simd_backend_info> runnable_backends() {
  std::vector<simd_backend_info> out{{"scalar", &classify_block_scalar}};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#endif
#if defined(TOKENMAXX_KERNEL_SSE42)
  if (__builtin_cpu_supports("sse4.2")) out.push_back({"sse4.2", &sse42::classify});
#endif
#if defined(TOKENMAXX_KERNEL_AVX2)
  if (__builtin_cpu_supports("avx2")) out.push_back({"avx2", &avx2::classify});
#endif
#if defined(TOKENMAXX_KERNEL_AVX512BW)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw"))
    out.push_back({"avx512bw", &avx512bw::classify});
#endif
#if defined(TOKENMAXX_KERNEL_NEON)
  out.push_back({"neon", &neon::classify});
#endif
  return out;
}

}  // namespace

const simd_backend_info& active_simd_backend() {
  static const simd_backend_info info = [] {
    const std::vector<simd_backend_info> runnable = runnable_backends();
    const simd_backend_info best = runnable.back();
    const char* forced = std::getenv("TOKENMAXX_SIMD");
    if (forced == nullptr || *forced == '\0') return best;
    for (const simd_backend_info& b : runnable)
      if (b.name == forced) return b;
    std::string names;
    for (const simd_backend_info& b : runnable) names += (names.empty() ? "" : ", ") + std::string(b.name);
    std::fprintf(stderr, "tokenmaxx: TOKENMAXX_SIMD=%s is not available (this build and CPU run: %s); using %.*s\n",
                 forced, names.c_str(), static_cast<int>(best.name.size()), best.name.data());
    return best;
  }();
  return info;
}

}  // namespace tokenmaxx::token_detail

namespace tokenmaxx {

std::string_view simd_backend() { return token_detail::active_simd_backend().name; }

std::vector<std::string_view> available_simd_backends() {
  std::vector<std::string_view> out;
  for (const auto& b : token_detail::runnable_backends()) out.push_back(b.name);
  return out;
}

}  // namespace tokenmaxx

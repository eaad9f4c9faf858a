// The SIMD backend choice of tokenmaxx::token_compiled: the best runnable one by default, the
// forced one under TOKENMAXX_SIMD when the CPU runs it. Also the guard the parity runs use:
// with TOKENMAXX_REQUIRE_SIMD=<name>, a parity run checks that it really runs on that backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "tokenmaxx/token/simd.hpp"

namespace {

TEST(SimdBackend, ActiveIsRunnableAndScalarAlwaysIs) {
  const auto all = tokenmaxx::available_simd_backends();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front(), "scalar");
  EXPECT_NE(std::find(all.begin(), all.end(), tokenmaxx::simd_backend()), all.end());
  if (const char* forced = std::getenv("TOKENMAXX_SIMD"); forced == nullptr || *forced == '\0')
    EXPECT_EQ(tokenmaxx::simd_backend(), all.back());  // the best one by default
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) EXPECT_NE(std::find(all.begin(), all.end(), "avx2"), all.end());
  if (__builtin_cpu_supports("sse4.2")) EXPECT_NE(std::find(all.begin(), all.end(), "sse4.2"), all.end());
#endif
}

}  // namespace

// The avx512bw block classifier of tokenmaxx::token_compiled. This translation unit alone is compiled
// for avx512bw (see CMakeLists.txt); everything it defines lives in namespace token_detail::avx512bw, so
// no inline function compiled here can replace another translation unit's copy at link time.
#define TOKENMAXX_ISA_NAMESPACE avx512bw
#include "tokenmaxx/token/detail/simd_classify.hpp"

namespace tokenmaxx::token_detail::avx512bw {

void classify(const std::uint8_t* p, block_masks& m) noexcept { classify_block<xsimd::avx512bw>(p, m); }

}  // namespace tokenmaxx::token_detail::avx512bw

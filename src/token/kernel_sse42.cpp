// The sse42 block classifier of tokenmaxx::token_compiled. This translation unit alone is compiled
// for sse42 (see CMakeLists.txt); everything it defines lives in namespace token_detail::sse42, so
// no inline function compiled here can replace another translation unit's copy at link time.
#define TOKENMAXX_ISA_NAMESPACE sse42
#include "tokenmaxx/token/detail/simd_classify.hpp"

namespace tokenmaxx::token_detail::sse42 {

void classify(const std::uint8_t* p, block_masks& m) noexcept { classify_block<xsimd::sse4_2>(p, m); }

}  // namespace tokenmaxx::token_detail::sse42

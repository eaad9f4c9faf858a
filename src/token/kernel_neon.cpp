// The NEON block classifier of tokenmaxx::token_compiled (AArch64, where NEON is always present).
#define TOKENMAXX_ISA_NAMESPACE neon
#include "tokenmaxx/token/detail/simd_classify.hpp"

namespace tokenmaxx::token_detail::neon {

void classify(const std::uint8_t* p, block_masks& m) noexcept { classify_block<xsimd::neon64>(p, m); }

}  // namespace tokenmaxx::token_detail::neon

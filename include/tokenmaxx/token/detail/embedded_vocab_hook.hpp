// Internal to the tokenizer; include <tokenmaxx/token/vocab.hpp> instead.
//
// Where vocabulary::load_known finds embedded rank files: null unless a translation unit compiled
// with TOKENMAXX_EMBEDDED_VOCAB (which tokenmaxx::embedded_vocab sets on its users) registered the
// lookup during static initialization. A run-time hook instead of an #ifdef inside load_known keeps
// every inline function identical in every translation unit, so a program in which only some parts
// link the embedded data has no ODR violation. (Static initializers elsewhere that load a
// vocabulary may run before the registration.)
#pragma once

#include <atomic>
#include <string_view>

namespace tokenmaxx::token_detail {

using embedded_vocab_lookup = std::string_view (*)(std::string_view file_name) noexcept;
inline std::atomic<embedded_vocab_lookup> embedded_vocab_provider{nullptr};

#ifdef TOKENMAXX_EMBEDDED_VOCAB
// Defined by the optional compiled target tokenmaxx::embedded_vocab; empty for unknown names.
std::string_view embedded_vocab_file(std::string_view file_name) noexcept;
inline const bool embedded_vocab_registered =
    (embedded_vocab_provider.store(&embedded_vocab_file, std::memory_order_release), true);
#endif

}  // namespace tokenmaxx::token_detail

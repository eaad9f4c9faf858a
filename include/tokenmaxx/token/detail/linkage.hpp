// Internal to the tokenizer; include <tokenmaxx/token.hpp> instead.
// TOKENMAXX_TOKEN_INLINE marks the out-of-line definitions of the tokenizer: `inline` in the
// header-only mode, nothing in the compiled mode (TOKENMAXX_TOKEN_COMPILED), where
// tokenmaxx::token_compiled compiles them once.
#pragma once

#ifndef TOKENMAXX_TOKEN_INLINE
#ifdef TOKENMAXX_TOKEN_COMPILED
#define TOKENMAXX_TOKEN_INLINE
#else
#define TOKENMAXX_TOKEN_INLINE inline
#endif
#endif

// The optional compiled target tokenmaxx::token_compiled: the out-of-line half of the tokenizer,
// compiled once. Programs that link it define TOKENMAXX_TOKEN_COMPILED (the target does that for
// them), so the public headers only declare these functions and parse no implementation code.
#ifndef TOKENMAXX_TOKEN_COMPILED
#error "build this file through the tokenmaxx::token_compiled target (it defines TOKENMAXX_TOKEN_COMPILED)"
#endif

#include "tokenmaxx/token/detail/encoding_impl.hpp"
#include "tokenmaxx/token/detail/nothrow_impl.hpp"
#include "tokenmaxx/token/detail/registry_impl.hpp"
#include "tokenmaxx/token/detail/vocab_impl.hpp"
#include "tokenmaxx/token/detail/batch_impl.hpp"
#include "tokenmaxx/token/detail/stream_impl.hpp"
#include "tokenmaxx/token/detail/hf_tokenizer_impl.hpp"
#include "tokenmaxx/token/detail/pretokenizer_impl.hpp"
#include "tokenmaxx/token/detail/chat_impl.hpp"

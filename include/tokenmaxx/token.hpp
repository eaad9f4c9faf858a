// tokenmaxx/token.hpp: umbrella header of the tokenizer subsystem.
//
// Exact tiktoken-compatible tokenization: encodings and their registry, tiktoken's model table,
// vocabularies, the error types, the nothrow (absl::Status) twins and tiktoken's unstable-token
// helpers. Include the individual headers under tokenmaxx/token/ to compile less; each states its
// guarantees at its top. Link tokenmaxx::token (header-only) or tokenmaxx::token_compiled.
//
// Example:
//   #include <tokenmaxx/token.hpp>
//   std::size_t n = tokenmaxx::encoding_for_model("gpt-4o")->count("hello world");  // 2
#pragma once

#include "tokenmaxx/token/batch.hpp"
#include "tokenmaxx/token/chat.hpp"
#include "tokenmaxx/token/encoding.hpp"
#include "tokenmaxx/token/errors.hpp"
#include "tokenmaxx/token/hf_tokenizer.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/nothrow.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"
#include "tokenmaxx/token/rank.hpp"
#include "tokenmaxx/token/registry.hpp"
#include "tokenmaxx/token/simd.hpp"
#include "tokenmaxx/token/stream.hpp"
#include "tokenmaxx/token/unstable.hpp"
#include "tokenmaxx/token/vocab.hpp"

// tokenmaxx/token/registry.hpp: the built-in encodings, loaded once per process.
//
// `get_encoding(name)` returns one of tiktoken's encodings (r50k_base, gpt2, p50k_base, p50k_edit,
// cl100k_base, o200k_base, o200k_harmony) or of the open models (llama3: Llama 3.x; llama4;
// tekken: Mistral NeMo, Pixtral 12B, Ministral): the vocabulary file of `builtin_encodings`, its
// pattern family and the special tokens with the ids the vendor's own tokenizer gives them
// (llama-models' Tokenizer classes; mistral-common's Tekkenizer, whose ordinary tokens start after
// its 1,000 special ids).
//
// Guarantees:
//  - Each encoding and each vocabulary is loaded at most once per process and shared: concurrent
//    first calls are safe (one loads, the others wait) and return the same object.
//  - `get_encoding` throws unknown_name_error (listing the valid names) or vocab_error, like
//    tiktoken; `try_get_encoding` in nothrow.hpp returns absl::Status instead.
//
// Example:
//   std::shared_ptr<const tokenmaxx::encoding> enc = tokenmaxx::get_encoding("cl100k_base");
//   for (std::string_view name : tokenmaxx::list_encoding_names()) std::cout << name << '\n';
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/encoding.hpp"

namespace tokenmaxx {

struct builtin_encoding_info {
  std::string_view name;
  std::string_view vocab_file;
  pretokenizer_family family;
};

inline constexpr builtin_encoding_info builtin_encodings[] = {
    {"gpt2", "r50k_base.tiktoken", pretokenizer_family::gpt2},
    {"r50k_base", "r50k_base.tiktoken", pretokenizer_family::gpt2},
    {"p50k_base", "p50k_base.tiktoken", pretokenizer_family::gpt2},
    {"p50k_edit", "p50k_base.tiktoken", pretokenizer_family::gpt2},
    {"cl100k_base", "cl100k_base.tiktoken", pretokenizer_family::cl100k},
    {"o200k_base", "o200k_base.tiktoken", pretokenizer_family::o200k},
    {"o200k_harmony", "o200k_base.tiktoken", pretokenizer_family::o200k},
    // Open models; their rank files come from the vendor's PyPI package (vocab.hpp).
    {"llama3", "llama3_tokenizer.model", pretokenizer_family::llama3},
    {"llama4", "llama4_tokenizer.model", pretokenizer_family::o200k},
    {"tekken", "tekken_240911.json", pretokenizer_family::tekken},
};

constexpr const builtin_encoding_info* find_builtin_encoding(std::string_view name) noexcept {
  for (const auto& e : builtin_encodings)
    if (e.name == name) return &e;
  return nullptr;
}

inline std::vector<std::string_view> list_encoding_names() {
  std::vector<std::string_view> names;
  for (const auto& e : builtin_encodings) names.push_back(e.name);
  return names;
}

// The special tokens of a built-in encoding, with tiktoken's ids (empty for an unknown name).
std::vector<std::pair<std::string, rank_t>> builtin_special_tokens(std::string_view name);

// The built-in encoding `name`, loaded once per process and shared. Thread-safe.
// Throws unknown_name_error (listing the valid names) or vocab_error.
std::shared_ptr<const encoding> get_encoding(std::string_view name);

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/registry_impl.hpp"
#endif

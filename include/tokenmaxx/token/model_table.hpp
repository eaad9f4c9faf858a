// tokenmaxx/token/model_table.hpp: which encoding a model uses, as tiktoken's model table says.
//
// `encoding_for_model("gpt-4o")` returns the model's encoding; the table is tiktoken 0.14's
// (tiktoken/model.py): exact model names first, then name prefixes such as `gpt-4o-` and
// `ft:gpt-4o`. Open models follow it: Llama 3.x (`meta-llama/Llama-3.1-8B-Instruct`,
// `llama-3.3-70b`) and Llama 4 by name prefix, Mistral's tekken models by name.
//
// Guarantees:
//  - Exactly tiktoken's mapping for its names, including its prefix order (the open-model names
//    come after and collide with none of them); an unknown model throws
//    unknown_name_error that lists the known names and prefixes (`try_encoding_for_model` in
//    nothrow.hpp returns absl::Status instead). constexpr tables; thread-safe.
//
// Example:
//   std::string_view name = tokenmaxx::encoding_name_for_model("gpt-4o-2024-05-13");  // "o200k_base"
//   std::shared_ptr<const tokenmaxx::encoding> enc = tokenmaxx::encoding_for_model("gpt-4");
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "tokenmaxx/token/encoding.hpp"

namespace tokenmaxx {

// tiktoken's model table (tiktoken/model.py): exact names first, then prefixes.
inline constexpr std::pair<std::string_view, std::string_view> model_to_encoding[] = {
    {"o1", "o200k_base"}, {"o3", "o200k_base"}, {"o4-mini", "o200k_base"},
    {"gpt-5", "o200k_base"}, {"gpt-4.1", "o200k_base"}, {"gpt-4o", "o200k_base"},
    {"gpt-4", "cl100k_base"}, {"gpt-3.5-turbo", "cl100k_base"}, {"gpt-3.5", "cl100k_base"},
    {"gpt-35-turbo", "cl100k_base"}, {"davinci-002", "cl100k_base"}, {"babbage-002", "cl100k_base"},
    {"text-embedding-ada-002", "cl100k_base"}, {"text-embedding-3-small", "cl100k_base"},
    {"text-embedding-3-large", "cl100k_base"},
    {"text-davinci-003", "p50k_base"}, {"text-davinci-002", "p50k_base"}, {"text-davinci-001", "r50k_base"},
    {"text-curie-001", "r50k_base"}, {"text-babbage-001", "r50k_base"}, {"text-ada-001", "r50k_base"},
    {"davinci", "r50k_base"}, {"curie", "r50k_base"}, {"babbage", "r50k_base"}, {"ada", "r50k_base"},
    {"code-davinci-002", "p50k_base"}, {"code-davinci-001", "p50k_base"}, {"code-cushman-002", "p50k_base"},
    {"code-cushman-001", "p50k_base"}, {"davinci-codex", "p50k_base"}, {"cushman-codex", "p50k_base"},
    {"text-davinci-edit-001", "p50k_edit"}, {"code-davinci-edit-001", "p50k_edit"},
    {"text-similarity-davinci-001", "r50k_base"}, {"text-similarity-curie-001", "r50k_base"},
    {"text-similarity-babbage-001", "r50k_base"}, {"text-similarity-ada-001", "r50k_base"},
    {"text-search-davinci-doc-001", "r50k_base"}, {"text-search-curie-doc-001", "r50k_base"},
    {"text-search-babbage-doc-001", "r50k_base"}, {"text-search-ada-doc-001", "r50k_base"},
    {"code-search-babbage-code-001", "r50k_base"}, {"code-search-ada-code-001", "r50k_base"},
    {"gpt2", "gpt2"}, {"gpt-2", "gpt2"},
    // Open models (not in tiktoken's table): Mistral's tekken models, per mistral-common's
    // MODEL_NAME_TO_TOKENIZER_CLS (mistral-large-2411 is not one: it uses a SentencePiece model).
    {"open-mistral-nemo-2407", "tekken"}, {"mistral-nemo", "tekken"}, {"ministral-8b-2410", "tekken"},
    {"mistral-small-2409", "tekken"}, {"pixtral-12b-2409", "tekken"},
};
inline constexpr std::pair<std::string_view, std::string_view> model_prefix_to_encoding[] = {
    {"o1-", "o200k_base"}, {"o3-", "o200k_base"}, {"o4-mini-", "o200k_base"},
    {"gpt-5", "o200k_base"}, {"gpt-4.5-", "o200k_base"}, {"gpt-4.1-", "o200k_base"},
    {"chatgpt-4o-", "o200k_base"}, {"gpt-4o-", "o200k_base"}, {"gpt-4-", "cl100k_base"},
    {"gpt-3.5-turbo-", "cl100k_base"}, {"gpt-35-turbo-", "cl100k_base"}, {"gpt-oss-", "o200k_harmony"},
    {"ft:gpt-4o", "o200k_base"}, {"ft:gpt-4", "cl100k_base"}, {"ft:gpt-3.5-turbo", "cl100k_base"},
    {"ft:davinci-002", "cl100k_base"}, {"ft:babbage-002", "cl100k_base"},
    // Open models: Hugging Face ids, provider names (llama-3.3-70b, llama3.1:8b, meta.llama3-...).
    {"meta-llama/Llama-3", "llama3"}, {"meta-llama/Meta-Llama-3", "llama3"}, {"llama-3", "llama3"},
    {"llama3", "llama3"}, {"meta.llama3", "llama3"},
    {"meta-llama/Llama-4", "llama4"}, {"llama-4", "llama4"}, {"llama4", "llama4"}, {"meta.llama4", "llama4"},
    {"mistralai/Mistral-Nemo", "tekken"}, {"open-mistral-nemo", "tekken"}, {"mistral-nemo-", "tekken"},
    {"mistralai/Pixtral-12B", "tekken"}, {"pixtral-12b", "tekken"}, {"mistralai/Ministral-8B", "tekken"},
};

// The encoding name tiktoken uses for `model`, or nullopt when the table does not know it.
constexpr std::optional<std::string_view> find_encoding_name_for_model(std::string_view model) noexcept {
  for (const auto& [m, e] : model_to_encoding)
    if (m == model) return e;
  for (const auto& [prefix, e] : model_prefix_to_encoding)
    if (model.substr(0, prefix.size()) == prefix) return e;
  return std::nullopt;
}

// The encoding name tiktoken uses for `model`. Throws unknown_name_error for unknown models.
std::string_view encoding_name_for_model(std::string_view model);

// get_encoding(encoding_name_for_model(model)).
std::shared_ptr<const encoding> encoding_for_model(std::string_view model);

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/registry_impl.hpp"
#endif

// Internal to the tokenizer; include <tokenmaxx/token/registry.hpp> or model_table.hpp instead.
//
// The out-of-line part of registry.hpp and model_table.hpp: the process-wide cache of loaded
// encodings and the error messages for unknown names.
#pragma once

#include <map>
#include <mutex>

#include "tokenmaxx/token/detail/encoding_impl.hpp"
#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/vocab_impl.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/registry.hpp"

namespace tokenmaxx {
namespace token_detail {

struct encoding_registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const vocabulary>, std::less<>> vocabs;
  std::map<std::string, std::shared_ptr<const encoding>, std::less<>> encodings;
  static encoding_registry& instance() {
    static encoding_registry r;
    return r;
  }
};

inline std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

TOKENMAXX_TOKEN_INLINE outcome<std::shared_ptr<const encoding>> load_builtin_encoding(std::string_view name) {
  using out = outcome<std::shared_ptr<const encoding>>;
  const builtin_encoding_info* info = find_builtin_encoding(name);
  if (!info)
    return out::fail(failure_kind::unknown_name, "unknown encoding '" + std::string(name) +
                                                     "'; valid encodings: " + join_names(list_encoding_names()));
  auto& reg = encoding_registry::instance();
  std::lock_guard lock(reg.mu);
  if (auto it = reg.encodings.find(name); it != reg.encodings.end()) return out::ok(it->second);
  auto vit = reg.vocabs.find(info->vocab_file);
  if (vit == reg.vocabs.end()) {
    auto v = load_known_vocabulary(info->vocab_file);
    if (v.error) return {std::nullopt, std::move(v.error)};
    vit = reg.vocabs.emplace(std::string(info->vocab_file), std::make_shared<const vocabulary>(std::move(*v.value))).first;
  }
  auto enc = encoding_access::make(std::string(name), info->family, vit->second, builtin_special_tokens(name), std::nullopt);
  if (enc.error) return enc;
  reg.encodings.emplace(std::string(name), *enc.value);
  return enc;
}

TOKENMAXX_TOKEN_INLINE outcome<std::string_view> model_encoding_name(std::string_view model) {
  if (auto e = find_encoding_name_for_model(model)) return outcome<std::string_view>::ok(*e);
  std::vector<std::string_view> known;
  for (const auto& [m, e] : model_to_encoding) known.push_back(m);
  std::string prefixes;
  for (const auto& [p, e] : model_prefix_to_encoding) prefixes += (prefixes.empty() ? "" : ", ") + std::string(p) + "*";
  return outcome<std::string_view>::fail(failure_kind::unknown_name,
                                         "could not map model '" + std::string(model) + "' to an encoding; known models: " +
                                             join_names(known) + "; known prefixes: " + prefixes);
}

// The special tokens of the open-model encodings, in the vendor's order and with its ids: llama-models'
// llama3/tokenizer.py and llama4/tokenizer.py, mistral-common's Tekkenizer (SpecialTokens, then
// <SPECIAL_n> fillers up to default_num_special_tokens).
TOKENMAXX_TOKEN_INLINE std::vector<std::pair<std::string, rank_t>> open_model_special_tokens(std::string_view name) {
  std::vector<std::pair<std::string, rank_t>> s;
  const auto add_all = [&](const std::vector<std::string>& texts, rank_t first) {
    for (const std::string& t : texts) s.emplace_back(t, first + static_cast<rank_t>(s.size()));
  };
  std::vector<std::string> texts;
  const auto numbered = [&](const std::string& prefix, int from, int to, const std::string& suffix) {
    for (int i = from; i < to; ++i) texts.push_back(prefix + std::to_string(i) + suffix);
  };
  if (name == "llama3") {  // 128,000 ranks, then 256 specials
    texts = {"<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
             "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
             "<|eot_id|>", "<|python_tag|>", "<|image|>"};
    numbered("<|reserved_special_token_", 2, 2 + 256 - 12, "|>");
    add_all(texts, 128000);
  } else if (name == "llama4") {  // 200,000 ranks, then 2,048 specials
    texts = {"<|begin_of_text|>", "<|end_of_text|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
             "<|header_start|>", "<|header_end|>", "<|eom|>", "<|eot|>", "<|step|>"};
    numbered("<|text_post_train_reserved_special_token_", 0, 6, "|>");
    for (const char* t : {"<|python_start|>", "<|python_end|>", "<|finetune_right_pad|>"}) texts.emplace_back(t);
    numbered("<|text_post_train_reserved_special_token_", 8, 69, "|>");
    for (const char* t : {"<|image_start|>", "<|image_end|>", "<|vision_reserved_special_token_0|>",
                          "<|vision_reserved_special_token_1|>", "<|tile_x_separator|>", "<|tile_y_separator|>"})
      texts.emplace_back(t);
    numbered("<|vision_reserved_special_token_", 2, 6, "|>");
    texts.emplace_back("<|image|>");
    texts.emplace_back("<|vision_reserved_special_token_6|>");
    texts.emplace_back("<|patch|>");
    numbered("<|vision_reserved_special_token_", 7, 1048, "|>");
    numbered("<|reasoning_reserved_special_token_", 0, 8, "|>");
    texts.emplace_back("<|reasoning_thinking_start|>");
    texts.emplace_back("<|reasoning_thinking_end|>");
    numbered("<|reserved_special_token_", 0, 2048 - static_cast<int>(texts.size()), "|>");
    add_all(texts, 200000);
  } else if (name == "tekken") {  // ids 0-999; the ordinary tokens follow at 1000
    texts = {"<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
             "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]", "[IMG_END]",
             "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]"};
    numbered("<SPECIAL_", static_cast<int>(texts.size()), 1000, ">");
    add_all(texts, 0);
  }
  return s;
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE std::vector<std::pair<std::string, rank_t>> builtin_special_tokens(std::string_view name) {
  using v = std::vector<std::pair<std::string, rank_t>>;
  if (name == "gpt2" || name == "r50k_base" || name == "p50k_base") return v{{"<|endoftext|>", 50256}};
  if (name == "p50k_edit")
    return v{{"<|endoftext|>", 50256}, {"<|fim_prefix|>", 50281}, {"<|fim_middle|>", 50282}, {"<|fim_suffix|>", 50283}};
  if (name == "cl100k_base")
    return v{{"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259},
             {"<|fim_suffix|>", 100260}, {"<|endofprompt|>", 100276}};
  if (name == "o200k_base") return v{{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}};
  if (name == "o200k_harmony") {
    v s{{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}, {"<|startoftext|>", 199998},
        {"<|reserved_200000|>", 200000}, {"<|reserved_200001|>", 200001}, {"<|return|>", 200002},
        {"<|constrain|>", 200003}, {"<|reserved_200004|>", 200004}, {"<|channel|>", 200005},
        {"<|start|>", 200006}, {"<|end|>", 200007}, {"<|message|>", 200008},
        {"<|reserved_200009|>", 200009}, {"<|reserved_200010|>", 200010}, {"<|reserved_200011|>", 200011},
        {"<|call|>", 200012}};
    for (rank_t i = 200013; i < 201088; ++i) s.emplace_back("<|reserved_" + std::to_string(i) + "|>", i);
    return s;
  }
  if (name == "llama3" || name == "llama4" || name == "tekken") return token_detail::open_model_special_tokens(name);
  return {};
}

TOKENMAXX_TOKEN_INLINE std::shared_ptr<const encoding> get_encoding(std::string_view name) {
  return token_detail::value_or_raise(token_detail::load_builtin_encoding(name));
}

TOKENMAXX_TOKEN_INLINE std::string_view encoding_name_for_model(std::string_view model) {
  return token_detail::value_or_raise(token_detail::model_encoding_name(model));
}

TOKENMAXX_TOKEN_INLINE std::shared_ptr<const encoding> encoding_for_model(std::string_view model) {
  return get_encoding(encoding_name_for_model(model));
}

}  // namespace tokenmaxx

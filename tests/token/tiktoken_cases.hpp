// Python tiktoken's answers on fixed inputs, as C++ values for the tokenizer unit tests. The
// literals live in tiktoken_data/*.inc, written by gen_tiktoken_expectations.py (never by
// tokenmaxx) and checked for freshness by the test tokenizer_tiktoken_data_up_to_date.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/rank.hpp"

namespace tokenmaxx_test {

using namespace std::literals;
using ids = std::vector<tokenmaxx::rank_t>;

// How tiktoken's regex splits `text` (splits.inc).
struct split_case {
  std::string_view family;  // "gpt2", "cl100k", "o200k"
  std::string_view text;
  std::vector<std::string_view> pieces;
};
inline const split_case split_cases[] = {
#include "tiktoken_data/splits.inc"
};

// One built-in encoding (encodings.inc).
struct special_token {
  std::string_view text;
  tokenmaxx::rank_t id;
  std::string_view decodes_to;  // o200k_harmony gives 200018 two names; tiktoken decodes it to one
};
struct encoding_case {
  std::string_view name, pattern;
  std::size_t n_vocab;
  tokenmaxx::rank_t max_token_value, eot;
  std::vector<special_token> specials;
};
inline const encoding_case encoding_cases[] = {
#include "tiktoken_data/encodings.inc"
};

// tiktoken.list_encoding_names() and tiktoken.model's tables, in order (models.inc).
using name_pair = std::pair<std::string_view, std::string_view>;
inline const std::vector<std::string_view> tiktoken_encoding_names = {
#define TIKTOKEN_ENCODING_NAME(name) name,
#include "tiktoken_data/models.inc"
#undef TIKTOKEN_ENCODING_NAME
};
inline const std::vector<name_pair> tiktoken_model_exact = {
#define TIKTOKEN_MODEL_EXACT(model, encoding) {model, encoding},
#include "tiktoken_data/models.inc"
#undef TIKTOKEN_MODEL_EXACT
};
inline const std::vector<name_pair> tiktoken_model_prefixes = {
#define TIKTOKEN_MODEL_PREFIX(prefix, encoding) {prefix, encoding},
#include "tiktoken_data/models.inc"
#undef TIKTOKEN_MODEL_PREFIX
};
inline const std::vector<name_pair> tiktoken_model_probes = {  // encoding_name_for_model; "" when it raises
#define TIKTOKEN_MODEL_PROBE(model, encoding) {model, encoding},
#include "tiktoken_data/models.inc"
#undef TIKTOKEN_MODEL_PROBE
};

// Invalid UTF-8: Python's first error offset and replaced text, tiktoken's ids for it (utf8.inc).
struct utf8_case {
  std::string_view bytes;
  std::size_t offset;
  std::string_view replaced;
  ids cl100k, o200k;
};
inline const utf8_case utf8_cases[] = {
#include "tiktoken_data/utf8.inc"
};

// encode() with allowed/disallowed special tokens (specials.inc).
struct special_case {
  std::string_view encoding, text;
  bool allow_all;
  std::vector<std::string_view> allowed;
  bool disallow_all;
  std::vector<std::string_view> disallowed;
  ids tokens;
  std::string_view error_token;  // "" when tiktoken encodes without error
};
inline const special_case special_cases[] = {
#include "tiktoken_data/specials.inc"
};

// encode_with_unstable (unstable.inc) and _encode_bytes (encode_bytes.inc).
struct unstable_case {
  std::string_view encoding, text;
  ids stable;
  std::size_t completions;
  std::string_view completions_sha256;  // of the sorted sequences written as "1,2;3"
};
inline const unstable_case unstable_cases[] = {
#include "tiktoken_data/unstable.inc"
};
struct encode_bytes_case {
  std::string_view encoding, bytes;
  ids tokens;
};
inline const encode_bytes_case encode_bytes_cases[] = {
#include "tiktoken_data/encode_bytes.inc"
};

}  // namespace tokenmaxx_test

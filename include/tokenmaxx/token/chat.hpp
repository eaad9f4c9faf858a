// tokenmaxx/token/chat.hpp: the prompt tokens of a chat request (messages with roles, names, text).
//
// A chat request is a list of messages, each with a role, an optional name and text content (a
// string or several text parts), as in OpenAI's chat API. How its prompt becomes tokens depends on
// the model, and so does what tokenmaxx can promise:
//  - gpt-oss models (encoding o200k_harmony) read the harmony format. render_harmony() gives the
//    exact ids openai-harmony renders for such a conversation before the assistant's reply: per
//    message <|start|>HEADER<|message|>, each text part encoded on its own, <|end|>; then
//    <|start|>assistant. HEADER is the role, "role:name" when there is a name, and for a tool the
//    name alone (a tool message must have one). Text is encoded as ordinary text, so a special
//    token's spelling inside a message is plain text. Tests compare it token for token with the
//    openai-harmony package on random conversations. Nothing is added that the request does not
//    hold: a server that prepends its own system message (model identity, dates, reasoning effort)
//    counts that message too, so pass it when it is known.
//  - every other chat model: OpenAI's documented ESTIMATE (the cookbook's "How to count tokens with
//    tiktoken"): every string field of a message is encoded (role, content, name, ...), plus 3
//    tokens per message, 1 per name, and 3 to prime the reply. It is what OpenAI documents, not a
//    rendering; the count an API bills may differ.
// count_chat() picks the method from the encoding's name and says which in its result.
//
// Errors: chat_format_error (a tokenmaxx::error) for a request that is not a list of messages, a
// message without a role, content that is not text (images, audio: their cost is not a text count),
// structured fields neither method counts (tool calls), text that is not UTF-8 (with its byte
// offset), and for harmony an unknown role or a tool message without a name; each names the message
// by its index. The try_ twins return the same errors as an InvalidArgument absl::Status.
//
// Guarantees: pure functions of their arguments; any number of threads may call them on one
// encoding. count_chat() equals render_harmony().size() for harmony and allocates no token list.
//
// Example:
//   auto enc = tokenmaxx::encoding_for_model("gpt-oss-120b");                 // o200k_harmony
//   std::vector<tokenmaxx::chat_message> messages = {{.role = "user", .content = {"Hello there"}}};
//   tokenmaxx::chat_count c = tokenmaxx::count_chat(*enc, messages);         // 8, chat_method::harmony
//   std::vector<tokenmaxx::rank_t> ids = tokenmaxx::render_harmony(*enc, messages);   // c.prompt_tokens ids
//   tokenmaxx::chat_count estimate = tokenmaxx::count_chat_json(*tokenmaxx::encoding_for_model("gpt-4o"),
//                                                               R"({"messages": [{"role": "user", "content": "Hello there"}]})");
//   // estimate.method == tokenmaxx::chat_method::openai_cookbook_estimate
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/token/encoding.hpp"
#include "tokenmaxx/token/errors.hpp"

namespace tokenmaxx {

// A request that is not a countable list of chat messages.
class chat_format_error : public error {
 public:
  using error::error;
};

struct chat_message {
  std::string role;
  std::optional<std::string> name = std::nullopt;
  std::vector<std::string> content = {};  // the text parts, in order (one for a plain string)
  // Other string fields (e.g. tool_call_id): counted by the estimate, refused by harmony.
  std::vector<std::pair<std::string, std::string>> other_fields = {};
};

enum class chat_method { harmony, openai_cookbook_estimate };

inline std::string_view chat_method_name(chat_method m) noexcept {
  return m == chat_method::harmony ? "harmony" : "openai-cookbook-estimate";
}

struct chat_count {
  std::uint64_t prompt_tokens = 0;
  std::size_t messages = 0;
  chat_method method = chat_method::harmony;
};

// The ids openai-harmony renders for `messages` followed by the assistant's turn. Requires an
// encoding with the harmony special tokens (o200k_harmony).
absl::StatusOr<std::vector<rank_t>> try_render_harmony(const encoding& enc, std::span<const chat_message> messages);

// The prompt tokens of `messages` for a model of encoding `enc`: harmony for o200k_harmony (exact),
// the cookbook estimate otherwise.
absl::StatusOr<chat_count> try_count_chat(const encoding& enc, std::span<const chat_message> messages);

// The messages of an OpenAI-style request: {"messages": [...]} or a bare array. Each message is an
// object with a string "role"; "content" is a string, null, or an array of {"type": "text", "text"}
// parts; "name" a string; any other field must be a string (or null) and is kept in other_fields.
absl::StatusOr<std::vector<chat_message>> try_chat_messages_from_json(const nlohmann::json& request);
absl::StatusOr<std::vector<chat_message>> try_parse_chat_request(std::string_view request_json);

// try_count_chat() of try_parse_chat_request().
absl::StatusOr<chat_count> try_count_chat_json(const encoding& enc, std::string_view request_json);

// The throwing forms (chat_format_error), like the rest of the tokenizer API.
std::vector<rank_t> render_harmony(const encoding& enc, std::span<const chat_message> messages);
chat_count count_chat(const encoding& enc, std::span<const chat_message> messages);
std::vector<chat_message> parse_chat_request(std::string_view request_json);
chat_count count_chat_json(const encoding& enc, std::string_view request_json);

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/chat_impl.hpp"
#endif

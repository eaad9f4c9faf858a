// Internal to the tokenizer; include <tokenmaxx/token/chat.hpp> instead.
// The definitions of chat.hpp: inline in the header-only mode, compiled once into
// tokenmaxx::token_compiled otherwise (so a compiled-mode user does not parse nlohmann/json.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/status.hpp"
#include "tokenmaxx/token/chat.hpp"
#include "tokenmaxx/token/detail/linkage.hpp"
#include "tokenmaxx/token/nothrow.hpp"

namespace tokenmaxx {

namespace token_detail {

inline absl::Status chat_error(std::size_t index, std::string_view what) {
  return absl::InvalidArgumentError("message " + std::to_string(index) + ": " + std::string(what));
}

// Adds the tokens of `text` (message `index`, field `field`) to `total`.
inline absl::Status add_text_count(const encoding& enc, std::string_view text, std::size_t index, std::string_view field,
                                   std::uint64_t& total) {
  absl::StatusOr<std::size_t> n = try_count(enc, text);
  if (!n.ok()) return chat_error(index, std::string(field) + ": " + std::string(n.status().message()));
  total += *n;
  return absl::OkStatus();
}

inline constexpr std::string_view harmony_roles[] = {"system", "developer", "user", "assistant", "tool"};

// The harmony header of message `index` (see the overview).
inline absl::StatusOr<std::string> harmony_header(const chat_message& m, std::size_t index) {
  bool known = false;
  for (std::string_view r : harmony_roles) known = known || m.role == r;
  if (!known) return chat_error(index, "role \"" + m.role + "\" is not a harmony role (system, developer, user, assistant, tool)");
  if (!m.other_fields.empty())
    return chat_error(index, "field \"" + m.other_fields.front().first +
                                 "\" has no harmony rendering (only role, name and text content are rendered)");
  if (m.role == "tool") {
    if (!m.name || m.name->empty()) return chat_error(index, "a harmony tool message needs a name (e.g. functions.get_weather)");
    return *m.name;
  }
  return m.name ? m.role + ":" + *m.name : m.role;
}

struct harmony_specials {
  rank_t start, message, end;
};
inline absl::StatusOr<harmony_specials> harmony_specials_of(const encoding& enc) {
  const auto start = enc.special_token_id("<|start|>"), message = enc.special_token_id("<|message|>"),
             end = enc.special_token_id("<|end|>");
  if (!start || !message || !end)
    return absl::InvalidArgumentError("encoding " + enc.name() + " has no harmony special tokens (<|start|>, <|message|>, <|end|>)");
  return harmony_specials{*start, *message, *end};
}

// The cookbook estimate: every string field of a message is encoded, as num_tokens_from_messages does.
inline absl::StatusOr<chat_count> cookbook_estimate(const encoding& enc, std::span<const chat_message> messages) {
  constexpr std::uint64_t tokens_per_message = 3, tokens_per_name = 1, reply_priming = 3;
  chat_count out{0, messages.size(), chat_method::openai_cookbook_estimate};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const chat_message& m = messages[i];
    if (m.role.empty()) return chat_error(i, "no role");
    out.prompt_tokens += tokens_per_message;
    TOKENMAXX_RETURN_IF_ERROR(add_text_count(enc, m.role, i, "role", out.prompt_tokens));
    if (m.name) {
      out.prompt_tokens += tokens_per_name;
      TOKENMAXX_RETURN_IF_ERROR(add_text_count(enc, *m.name, i, "name", out.prompt_tokens));
    }
    for (const std::string& part : m.content) TOKENMAXX_RETURN_IF_ERROR(add_text_count(enc, part, i, "content", out.prompt_tokens));
    for (const auto& [key, value] : m.other_fields) TOKENMAXX_RETURN_IF_ERROR(add_text_count(enc, value, i, key, out.prompt_tokens));
  }
  out.prompt_tokens += reply_priming;
  return out;
}

template <class T>
T value_or_raise(absl::StatusOr<T> v) {
  if (!v.ok()) base::raise(chat_format_error(std::string(v.status().message())));
  return *std::move(v);
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::vector<rank_t>> try_render_harmony(const encoding& enc, std::span<const chat_message> messages) {
  absl::StatusOr<token_detail::harmony_specials> s = token_detail::harmony_specials_of(enc);
  if (!s.ok()) return s.status();
  std::vector<rank_t> out;
  auto append = [&](std::string_view text, std::size_t index, std::string_view field) -> absl::Status {
    absl::StatusOr<std::vector<rank_t>> ids = try_encode_ordinary(enc, text);
    if (!ids.ok()) return token_detail::chat_error(index, std::string(field) + ": " + std::string(ids.status().message()));
    out.insert(out.end(), ids->begin(), ids->end());
    return absl::OkStatus();
  };
  for (std::size_t i = 0; i < messages.size(); ++i) {
    absl::StatusOr<std::string> header = token_detail::harmony_header(messages[i], i);
    if (!header.ok()) return header.status();
    out.push_back(s->start);
    TOKENMAXX_RETURN_IF_ERROR(append(*header, i, "header"));
    out.push_back(s->message);
    for (const std::string& part : messages[i].content) TOKENMAXX_RETURN_IF_ERROR(append(part, i, "content"));
    out.push_back(s->end);
  }
  out.push_back(s->start);
  TOKENMAXX_RETURN_IF_ERROR(append("assistant", messages.size(), "reply header"));
  return out;
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<chat_count> try_count_chat(const encoding& enc, std::span<const chat_message> messages) {
  if (enc.name() != "o200k_harmony") return token_detail::cookbook_estimate(enc, messages);
  if (absl::StatusOr<token_detail::harmony_specials> s = token_detail::harmony_specials_of(enc); !s.ok()) return s.status();
  chat_count out{0, messages.size(), chat_method::harmony};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    absl::StatusOr<std::string> header = token_detail::harmony_header(messages[i], i);
    if (!header.ok()) return header.status();
    out.prompt_tokens += 3;  // <|start|> <|message|> <|end|>
    TOKENMAXX_RETURN_IF_ERROR(token_detail::add_text_count(enc, *header, i, "header", out.prompt_tokens));
    for (const std::string& part : messages[i].content)
      TOKENMAXX_RETURN_IF_ERROR(token_detail::add_text_count(enc, part, i, "content", out.prompt_tokens));
  }
  out.prompt_tokens += 1;  // <|start|> of the reply
  TOKENMAXX_RETURN_IF_ERROR(token_detail::add_text_count(enc, "assistant", messages.size(), "reply header", out.prompt_tokens));
  return out;
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::vector<chat_message>> try_chat_messages_from_json(const nlohmann::json& req) {
  const nlohmann::json* messages = &req;
  if (req.is_object()) {
    const auto it = req.find("messages");
    if (it == req.end()) return absl::InvalidArgumentError("no \"messages\" array");
    messages = &*it;
  }
  if (!messages->is_array()) return absl::InvalidArgumentError("\"messages\" must be an array");
  std::vector<chat_message> out;
  out.reserve(messages->size());
  for (const nlohmann::json& m : *messages) {
    const std::size_t i = out.size();
    if (!m.is_object()) return token_detail::chat_error(i, "not an object");
    const auto role = m.find("role");
    if (role == m.end() || !role->is_string()) return token_detail::chat_error(i, "no string \"role\"");
    chat_message msg{role->get<std::string>()};
    for (const auto& [key, value] : m.items()) {
      if (key == "role" || value.is_null()) continue;
      if (key == "content" && value.is_array()) {
        for (const nlohmann::json& part : value) {
          const auto text = part.is_object() ? part.find("text") : part.end();
          const auto type = part.is_object() ? part.find("type") : part.end();
          if (!part.is_object() || type == part.end() || *type != "text" || text == part.end() || !text->is_string())
            return token_detail::chat_error(i, "only text content parts can be counted (got " +
                                                   (part.is_object() && type != part.end() ? "type " + type->dump() : std::string("another part")) + ")");
          msg.content.push_back(text->get<std::string>());
        }
      } else if (!value.is_string()) {
        return token_detail::chat_error(i, "field \"" + key + "\" is not text (tool calls and other structured fields have no documented count)");
      } else if (key == "content") {
        msg.content.push_back(value.get<std::string>());
      } else if (key == "name") {
        msg.name = value.get<std::string>();
      } else {
        msg.other_fields.emplace_back(key, value.get<std::string>());
      }
    }
    out.push_back(std::move(msg));
  }
  return out;
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::vector<chat_message>> try_parse_chat_request(std::string_view request_json) {
  const nlohmann::json req = nlohmann::json::parse(request_json, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  return try_chat_messages_from_json(req);
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<chat_count> try_count_chat_json(const encoding& enc, std::string_view request_json) {
  absl::StatusOr<std::vector<chat_message>> messages = try_parse_chat_request(request_json);
  if (!messages.ok()) return messages.status();
  return try_count_chat(enc, *messages);
}

TOKENMAXX_TOKEN_INLINE std::vector<rank_t> render_harmony(const encoding& enc, std::span<const chat_message> messages) {
  return token_detail::value_or_raise(try_render_harmony(enc, messages));
}
TOKENMAXX_TOKEN_INLINE chat_count count_chat(const encoding& enc, std::span<const chat_message> messages) {
  return token_detail::value_or_raise(try_count_chat(enc, messages));
}
TOKENMAXX_TOKEN_INLINE std::vector<chat_message> parse_chat_request(std::string_view request_json) {
  return token_detail::value_or_raise(try_parse_chat_request(request_json));
}
TOKENMAXX_TOKEN_INLINE chat_count count_chat_json(const encoding& enc, std::string_view request_json) {
  return token_detail::value_or_raise(try_count_chat_json(enc, request_json));
}

}  // namespace tokenmaxx

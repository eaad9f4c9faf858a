// chat.hpp: the harmony rendering (ids openai-harmony 0.0.8 gives, checked here for small requests;
// bindings/python/tests/test_chat.py compares random conversations with the package itself), the
// cookbook estimate, count == rendering size, and the errors, each naming the message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenmaxx/token/chat.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/registry.hpp"

namespace {

using tokenmaxx::chat_message;
using tokenmaxx::chat_method;
using tokenmaxx::rank_t;

const tokenmaxx::encoding& harmony() { return *tokenmaxx::get_encoding("o200k_harmony"); }

TEST(Chat, HarmonyRenderingIsWhatOpenAiHarmonyGives) {
  // openai-harmony 0.0.8: render_conversation_for_completion(Conversation.from_messages([...]), Role.ASSISTANT)
  const std::vector<chat_message> hello = {{.role = "user", .content = {"Hello there"}}};
  EXPECT_EQ(tokenmaxx::render_harmony(harmony(), hello),
            (std::vector<rank_t>{200006, 1428, 200008, 13225, 1354, 200007, 200006, 173781}));
  const std::vector<chat_message> named = {{.role = "user", .name = "alice", .content = {"hi"}}};
  EXPECT_EQ(tokenmaxx::render_harmony(harmony(), named),
            (std::vector<rank_t>{200006, 1428, 25, 148206, 200008, 3686, 200007, 200006, 173781}));
  const std::vector<chat_message> parts = {{.role = "user", .content = {"hello", "world"}}};  // each part on its own
  EXPECT_EQ(tokenmaxx::render_harmony(harmony(), parts),
            (std::vector<rank_t>{200006, 1428, 200008, 24912, 24169, 200007, 200006, 173781}));
  const std::vector<chat_message> tool = {{.role = "tool", .name = "functions.get", .content = {"{}"}}};
  EXPECT_EQ(tokenmaxx::render_harmony(harmony(), tool),
            (std::vector<rank_t>{200006, 44580, 775, 200008, 12083, 200007, 200006, 173781}));
  const std::vector<chat_message> special_text = {{.role = "user", .content = {"a <|end|> b"}}};  // plain text
  EXPECT_EQ(tokenmaxx::render_harmony(harmony(), special_text),
            (std::vector<rank_t>{200006, 1428, 200008, 64, 464, 91, 419, 91, 29, 287, 200007, 200006, 173781}));
  EXPECT_EQ(tokenmaxx::render_harmony(harmony(), {}), (std::vector<rank_t>{200006, 173781}));
}

TEST(Chat, HarmonyCountIsTheRenderingSize) {
  const std::vector<chat_message> conversation = {
      {.role = "system", .content = {"You are helpful."}},
      {.role = "developer", .name = "x y", .content = {"Be brief"}},
      {.role = "user", .content = {"héllo 世界", "  lead\n\ntrail  "}},
      {.role = "assistant", .content = {}},
      {.role = "tool", .name = "functions.lookup", .content = {"{\"ok\": true}"}},
  };
  const tokenmaxx::chat_count c = tokenmaxx::count_chat(harmony(), conversation);
  EXPECT_EQ(c.method, chat_method::harmony);
  EXPECT_EQ(c.messages, conversation.size());
  EXPECT_EQ(c.prompt_tokens, tokenmaxx::render_harmony(harmony(), conversation).size());
  EXPECT_EQ(harmony().decode(tokenmaxx::render_harmony(harmony(), std::span(conversation).subspan(1, 1))),
            "<|start|>developer:x y<|message|>Be brief<|end|><|start|>assistant");
}

TEST(Chat, OtherModelsGetTheCookbookEstimate) {
  const auto enc = tokenmaxx::encoding_for_model("gpt-4o");
  const tokenmaxx::chat_count c = tokenmaxx::count_chat_json(
      *enc, R"({"model": "gpt-4o", "messages": [{"role": "system", "content": "Be brief."},
                {"role": "user", "name": "bob", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
                {"role": "assistant", "content": null},
                {"role": "tool", "tool_call_id": "call_1", "content": "42"}]})");
  EXPECT_EQ(c.method, chat_method::openai_cookbook_estimate);
  EXPECT_EQ(c.messages, 4u);
  const std::uint64_t want = (3 + enc->count("system") + enc->count("Be brief.")) +
                             (3 + enc->count("user") + 1 + enc->count("bob") + enc->count("Hi ") + enc->count("there")) +
                             (3 + enc->count("assistant")) +
                             (3 + enc->count("tool") + enc->count("call_1") + enc->count("42")) + 3;
  EXPECT_EQ(c.prompt_tokens, want);
  // A bare array is a request too.
  EXPECT_EQ(tokenmaxx::count_chat_json(*enc, R"([{"role": "user", "content": "Hi"}])").prompt_tokens,
            3 + enc->count("user") + enc->count("Hi") + 3);
}

// Each error names what and where; the try_ twin gives the same as a Status.
void expect_refused(const tokenmaxx::encoding& enc, const std::string& request, const std::string& needle) {
  const absl::StatusOr<tokenmaxx::chat_count> c = tokenmaxx::try_count_chat_json(enc, request);
  ASSERT_FALSE(c.ok()) << request;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find(needle), std::string_view::npos) << c.status();
  EXPECT_THROW(tokenmaxx::count_chat_json(enc, request), tokenmaxx::chat_format_error) << request;
}

TEST(Chat, MalformedRequestsAreRefusedNamingTheMessage) {
  const auto gpt4o = tokenmaxx::encoding_for_model("gpt-4o");
  for (const tokenmaxx::encoding* enc : {gpt4o.get(), &harmony()}) {
    expect_refused(*enc, "{", "not valid JSON");
    expect_refused(*enc, R"({"model": "x"})", "no \"messages\"");
    expect_refused(*enc, R"({"messages": {}})", "must be an array");
    expect_refused(*enc, R"([{"role": "user", "content": "a"}, 7])", "message 1: not an object");
    expect_refused(*enc, R"([{"content": "a"}])", "message 0: no string \"role\"");
    expect_refused(*enc, R"([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])",
                   "message 0: only text content parts");
    expect_refused(*enc, R"([{"role": "assistant", "tool_calls": [{"id": "c"}]}])", "\"tool_calls\" is not text");
  }
  expect_refused(harmony(), R"([{"role": "function", "content": "a"}])", "not a harmony role");
  expect_refused(harmony(), R"([{"role": "tool", "content": "a"}])", "needs a name");
  expect_refused(harmony(), R"([{"role": "tool", "name": "f", "tool_call_id": "c", "content": "a"}])", "tool_call_id");
  // Text that is not UTF-8 (reachable through the structs; JSON text is always UTF-8).
  const std::vector<chat_message> bad = {{.role = "user", .content = {"ok"}}, {.role = "user", .content = {"a\xff"}}};
  for (const tokenmaxx::encoding* enc : {gpt4o.get(), &harmony()}) {
    const absl::StatusOr<tokenmaxx::chat_count> c = tokenmaxx::try_count_chat(*enc, bad);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find("message 1: content"), std::string_view::npos) << c.status();
    EXPECT_NE(c.status().message().find("byte offset 1"), std::string_view::npos) << c.status();
  }
  EXPECT_FALSE(tokenmaxx::try_render_harmony(harmony(), bad).ok());
  // Rendering needs the harmony special tokens.
  EXPECT_THROW(tokenmaxx::render_harmony(*gpt4o, {}), tokenmaxx::chat_format_error);
}

}  // namespace

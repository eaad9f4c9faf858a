// A tokenizer-only service: counts tokens, nothing else. Built against COMPONENTS token (header-only)
// and COMPONENTS token_compiled (compiled mode).
#include <tokenmaxx/token/model_table.hpp>

#include <cstdio>

int main() {
  const auto enc = tokenmaxx::encoding_for_model("gpt-4o");
  const std::size_t n = enc->count("tokenmaxx counts tokens exactly.");
  if (n != enc->encode_ordinary("tokenmaxx counts tokens exactly.").size() || n == 0) {
    std::fprintf(stderr, "token consumer: count disagrees with encode\n");
    return 1;
  }
  std::printf("token consumer: %zu tokens with %s\n", n, enc->name().c_str());
  return 0;
}

// A tiny program that uses tokenmaxx the way an embedding service would. Built against the
// installed package (find_package) and against the source tree (add_subdirectory).
#include <tokenmaxx/tokenmaxx.hpp>

#include <cstdio>

int main() {
  const auto enc = tokenmaxx::encoding_for_model("gpt-4o");
  const auto ids = enc->encode_ordinary("tokenmaxx counts tokens exactly.");
  if (enc->decode(ids) != "tokenmaxx counts tokens exactly." || enc->count("tokenmaxx counts tokens exactly.") != ids.size()) {
    std::fprintf(stderr, "consumer: round trip failed\n");
    return 1;
  }
  std::printf("consumer: %zu tokens with %s\n", ids.size(), enc->name().c_str());
  return 0;
}

// Runs a libFuzzer target's checks without libFuzzer, so every build (gcc included) replays the seed
// corpus through the same properties: replay [--mutate] <file or directory>...
// --mutate also runs every truncation and every single-bit flip of each seed (deterministic).
// Fails (exit 1) when no input was found; a violated property aborts in the target itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& input) {
  // A copy in its own allocation, so ASan sees reads past the end, as under libFuzzer.
  std::vector<std::uint8_t> buffer(input.begin(), input.end());
  LLVMFuzzerTestOneInput(buffer.data(), buffer.size());
}

std::size_t replay(const std::string& seed, bool mutate) {
  run(seed);
  if (!mutate) return 1;
  std::size_t runs = 1;
  for (std::size_t n = 0; n < seed.size(); ++n, ++runs) run(seed.substr(0, n));
  for (std::size_t i = 0; i < seed.size(); ++i)
    for (int bit = 0; bit < 8; ++bit, ++runs) {
      std::string flipped = seed;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      run(flipped);
    }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  bool mutate = false;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutate") {
      mutate = true;
    } else if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(arg);
    }
  }
  std::sort(files.begin(), files.end());
  std::size_t runs = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
      return 1;
    }
    runs += replay(std::string(std::istreambuf_iterator<char>(in), {}), mutate);
  }
  std::printf("replay: %zu seeds, %zu inputs, every property held\n", files.size(), runs);
  return files.empty() ? 1 : 0;
}

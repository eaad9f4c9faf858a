// Runs a libFuzzer target's LLVMFuzzerTestOneInput on every file of its seed corpus, without
// libFuzzer: any compiler, any sanitizer, every build (tests/CMakeLists.txt registers one ctest
// per target with tokenmaxx_add_fuzz_replay). A target reports a violated property by aborting,
// which fails the test; an empty or missing corpus fails it too, so it cannot pass on nothing.
//
// Usage: <target>_replay [--mutate] PATH...   (files, or folders whose regular files are all replayed)
// --mutate also runs every truncation and every single-bit flip of each seed (deterministic).
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
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

void run(const std::string& input) {
  // A copy in its own allocation, so ASan sees reads past the end, as under libFuzzer.
  std::vector<std::uint8_t> buffer(input.begin(), input.end());
  LLVMFuzzerTestOneInput(buffer.data(), buffer.size());
}

// Runs `seed` (and its mutations); returns the number of inputs run.
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
  namespace fs = std::filesystem;
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  bool mutate = false;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    std::error_code ec;
    if (p == "--mutate") {
      mutate = true;
    } else if (fs::is_directory(p, ec)) {
      for (const auto& entry : fs::directory_iterator(p))
        if (entry.is_regular_file()) inputs.push_back(entry.path());
    } else if (fs::is_regular_file(p, ec)) {
      inputs.push_back(p);
    } else {
      std::fprintf(stderr, "replay: %s is neither a file nor a folder\n", argv[i]);
      return 1;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs (give the seed corpus folder)\n");
    return 1;
  }
  std::sort(inputs.begin(), inputs.end());
  std::size_t bytes = 0, runs = 0;
  for (const auto& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
      return 1;
    }
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.c_str(), data.size());
    runs += replay(data, mutate);
    bytes += data.size();
  }
  std::printf("replayed %zu seeds, %zu bytes, %zu inputs%s\n", inputs.size(), bytes, runs,
              mutate ? " with truncations and bit flips" : "");
  return 0;
}

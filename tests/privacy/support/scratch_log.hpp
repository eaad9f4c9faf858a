// A scratch audit-log path for the privacy tests (with or without the test build), removed when
// the object goes away.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scratch {

// Logs go to TOKENMAXX_TEST_TMPDIR, else /dev/shm (tmpfs: the fsync per release costs microseconds,
// so statistical tests can release thousands of times), else the system temp folder.
class scratch_log {
 public:
  // `on_disk`: in the system temp folder even when /dev/shm exists, so each fsync really waits.
  explicit scratch_log(bool on_disk = false) {
    static std::atomic<int> counter{0};
    std::filesystem::path dir = std::filesystem::temp_directory_path();
    if (const char* d = std::getenv("TOKENMAXX_TEST_TMPDIR"); d != nullptr && *d != '\0') dir = d;
    else if (!on_disk && std::filesystem::is_directory("/dev/shm")) dir = "/dev/shm";
    path_ = (dir / ("tokenmaxx-privacy-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".jsonl")).string();
    std::filesystem::remove(path_);
  }
  scratch_log(const scratch_log&) = delete;
  scratch_log& operator=(const scratch_log&) = delete;
  ~scratch_log() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

  std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    std::istringstream in(contents());
    std::string line;
    while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
    return out;
  }

 private:
  std::string path_;
};

}  // namespace scratch

// Internal to the privacy layer; include <tokenmaxx/privacy/accountant.hpp> instead.
// An append-only file whose every appended line is on disk (fsync) before append() returns, held
// under an exclusive advisory lock (flock) so that two accountants, in one process or in two, can
// never write the same log. POSIX only.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tokenmaxx::privacy_detail {

class durable_file {
 public:
  durable_file(durable_file&& o) noexcept : fd_(std::exchange(o.fd_, -1)), size_(o.size_), path_(std::move(o.path_)) {}
  durable_file& operator=(durable_file&&) = delete;
  durable_file(const durable_file&) = delete;
  ~durable_file() {
    if (fd_ >= 0) ::close(fd_);  // also releases the lock
  }

  // Opens or creates `path` (mode 0600), takes the lock, and reads the whole file into `contents`.
  static absl::StatusOr<durable_file> open(const std::string& path, std::string& contents, std::size_t max_bytes) {
    bool created = true;
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
      created = false;
      fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0) return error("cannot open", path);
    durable_file f(fd, path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return absl::FailedPreconditionError("audit log '" + path +
                                             "' is in use by another privacy_accountant (in this or another process)");
      }
      return error("cannot lock", path);
    }
    if (created) {
      // The new directory entry must survive a crash too, or a restart would start a fresh budget.
      const std::string::size_type slash = path.rfind('/');
      const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
      const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0) return error("cannot open the directory of", path);
      const int rc = ::fsync(dfd);
      ::close(dfd);
      if (rc != 0) return error("cannot sync the directory of", path);
    }
    contents.clear();
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(contents.size()));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return error("cannot read", path);
      if (n == 0) break;
      contents.append(buf, static_cast<std::size_t>(n));
      if (contents.size() > max_bytes) {
        return absl::FailedPreconditionError("audit log '" + path + "' is larger than " + std::to_string(max_bytes) +
                                             " bytes; archive it and start a new log");
      }
    }
    f.size_ = contents.size();
    return f;
  }

  // Appends `line` and syncs it to disk. On failure the file is cut back to its previous size (best
  // effort) and Unavailable is returned; the caller must then treat the log as unusable.
  absl::Status append(std::string_view line) {
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const absl::Status st = unavailable("cannot write");
        (void)::ftruncate(fd_, static_cast<off_t>(size_));
        return st;
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd_) != 0) {
      const absl::Status st = unavailable("cannot sync");
      (void)::ftruncate(fd_, static_cast<off_t>(size_));
      return st;
    }
    size_ += line.size();
    return absl::OkStatus();
  }

  const std::string& path() const noexcept { return path_; }

 private:
  durable_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  static absl::Status error(const char* what, const std::string& path) {
    const int e = errno;
    std::string message = std::string("audit log: ") + what + " '" + path + "': " + std::strerror(e);
    return e == ENOENT ? absl::NotFoundError(std::move(message)) : absl::InvalidArgumentError(std::move(message));
  }
  absl::Status unavailable(const char* what) const {
    return absl::UnavailableError(std::string("audit log: ") + what + " '" + path_ + "': " + std::strerror(errno));
  }

  int fd_ = -1;
  std::size_t size_ = 0;
  std::string path_;
};

}  // namespace tokenmaxx::privacy_detail

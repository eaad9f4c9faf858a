// A service built with -fno-exceptions: every fallible call goes through the try_ API and its
// absl::Status; nothing may throw (the build would not allow it).
#include <tokenmaxx/token/nothrow.hpp>
#include <tokenmaxx/usage/ledger.hpp>

#include <cstdio>
#include <string>

int main() {
  absl::StatusOr<std::shared_ptr<const tokenmaxx::encoding>> enc = tokenmaxx::try_encoding_for_model("gpt-4o");
  if (!enc.ok()) {
    std::fprintf(stderr, "nothrow: %s\n", std::string(enc.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::size_t> n = tokenmaxx::try_count(**enc, "hello world");
  absl::StatusOr<std::size_t> bad = tokenmaxx::try_count(**enc, "bad \xff byte");
  absl::StatusOr<std::vector<tokenmaxx::rank_t>> special = tokenmaxx::try_encode(**enc, "<|endoftext|>");
  absl::StatusOr<std::shared_ptr<const tokenmaxx::encoding>> unknown = tokenmaxx::try_get_encoding("no_such_encoding");
  if (!n.ok() || *n != 2 || bad.ok() || !absl::IsInvalidArgument(bad.status()) || special.ok() ||
      !absl::IsInvalidArgument(special.status()) || !absl::IsNotFound(unknown.status())) {
    std::fprintf(stderr, "nothrow: unexpected results\n");
    return 1;
  }
  tokenmaxx::ledger ledger;
  absl::Status st = ledger.record("acme", "gpt-4o", {.input = *n, .requests = 1});
  if (!st.ok()) return 1;
  std::printf("nothrow consumer: %zu tokens; errors as Status: %s\n", *n, std::string(bad.status().message()).c_str());
  return 0;
}

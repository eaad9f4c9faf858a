// base/status.hpp: raise() throws exactly the exception it is given (or, built without exceptions,
// prints its message and aborts: the same file is compiled with -fno-exceptions as
// base_status_noexcept_test), and TOKENMAXX_RETURN_IF_ERROR returns the first error, evaluating
// its argument once.
#include "tokenmaxx/base/status.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

absl::Status step(int& calls, absl::Status result) {
  ++calls;
  return result;
}

absl::Status two_steps(int& calls, absl::Status first, absl::Status second) {
  TOKENMAXX_RETURN_IF_ERROR(step(calls, first));
  TOKENMAXX_RETURN_IF_ERROR(step(calls, second));
  return absl::OkStatus();
}

TEST(Status, ReturnIfErrorStopsAtTheFirstErrorAndEvaluatesOnce) {
  int calls = 0;
  EXPECT_TRUE(two_steps(calls, absl::OkStatus(), absl::OkStatus()).ok());
  EXPECT_EQ(calls, 2);
  calls = 0;
  const absl::Status s = two_steps(calls, absl::NotFoundError("first"), absl::InternalError("second"));
  EXPECT_EQ(s, absl::NotFoundError("first"));
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_EQ(two_steps(calls, absl::OkStatus(), absl::DataLossError("second")), absl::DataLossError("second"));
  EXPECT_EQ(calls, 2);
}

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
struct custom_error : std::runtime_error {
  custom_error(const std::string& what, int code) : std::runtime_error(what), code(code) {}
  int code;
};

TEST(Status, RaiseThrowsTheGivenException) {
  try {
    tokenmaxx::base::raise(custom_error("boom", 42));
    FAIL();
  } catch (const custom_error& e) {
    EXPECT_STREQ(e.what(), "boom");
    EXPECT_EQ(e.code, 42);
  }
}
#else
TEST(Status, RaiseWithoutExceptionsPrintsTheMessageAndAborts) {
  EXPECT_DEATH(tokenmaxx::base::raise(std::runtime_error("boom at offset 7")),
               "tokenmaxx: fatal error in a build without exceptions: boom at offset 7");
}
#endif

}  // namespace

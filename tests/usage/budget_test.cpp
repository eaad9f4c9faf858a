// budget.hpp, single-threaded: reserve, commit, release, overrun, limits, and no wrap-around.
// The concurrent guarantee (never jointly overshot) is in ledger_concurrency_test.cpp.
#include <gtest/gtest.h>

#include "tokenmaxx/usage/budget.hpp"

namespace {

using namespace tokenmaxx;

TEST(Budget, ReserveCommitRelease) {
  budget_book b(8);
  ASSERT_TRUE(b.set_limit("acme", 100).ok());
  EXPECT_EQ(b.try_reserve("nobody", 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(b.try_reserve("acme", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.set_limit("", 1).code(), absl::StatusCode::kInvalidArgument);
  auto r1 = b.try_reserve("acme", 60);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(b.try_reserve("acme", 41).status().code(), absl::StatusCode::kResourceExhausted);
  {
    auto r2 = b.try_reserve("acme", 40);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(b.state("acme")->in_use, 100u);
  }  // destructor releases
  EXPECT_EQ(b.state("acme")->in_use, 60u);
  ASSERT_TRUE(b.commit(*r1, 25).ok());
  EXPECT_EQ(b.commit(*r1, 25).code(), absl::StatusCode::kFailedPrecondition);
  budget_state st = *b.state("acme");
  EXPECT_EQ(st.in_use, 25u);
  EXPECT_EQ(st.committed, 25u);
  // Commit beyond the reservation: absorbed while within the limit...
  auto r3 = b.try_reserve("acme", 10);
  ASSERT_TRUE(r3.ok());
  ASSERT_TRUE(b.commit(*r3, 70).ok());
  EXPECT_EQ(b.state("acme")->in_use, 95u);
  // ...and reported as overrun when not.
  auto r4 = b.try_reserve("acme", 5);
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(b.commit(*r4, 15).code(), absl::StatusCode::kResourceExhausted);
  st = *b.state("acme");
  EXPECT_EQ(st.committed, 110u);
  EXPECT_EQ(st.overrun, 10u);
  EXPECT_FALSE(st.saturated);
  EXPECT_EQ(b.try_reserve("acme", 1).status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(b.reset_period("acme").ok());
  EXPECT_EQ(b.state("acme")->in_use, 0u);
  EXPECT_TRUE(b.try_reserve("acme", 100).ok());
  budget_book tiny(1);
  ASSERT_TRUE(tiny.set_limit("a", 1).ok());
  EXPECT_EQ(tiny.set_limit("b", 1).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(tiny.set_limit("a", 2).ok());  // changing an existing tenant's limit still works
}

TEST(Budget, ReleaseAndMoveReturnTheReservation) {
  budget_book b(2);
  ASSERT_TRUE(b.set_limit("t", 10).ok());
  auto r = b.try_reserve("t", 7);
  ASSERT_TRUE(r.ok());
  reservation moved = std::move(*r);
  EXPECT_FALSE(r->active());
  EXPECT_EQ(moved.amount(), 7u);
  EXPECT_EQ(b.state("t")->in_use, 7u);
  b.release(moved);
  EXPECT_FALSE(moved.active());
  EXPECT_EQ(b.state("t")->in_use, 0u);
  EXPECT_EQ(b.commit(moved, 1).code(), absl::StatusCode::kFailedPrecondition);
}

// Issue 10, defect 2: a commit of 2^64 - 1 used to wrap in_use (110 -> 99) and let a following
// try_reserve(900) through a limit of 1000.
TEST(Budget, HugeCommitSaturatesInsteadOfWrapping) {
  budget_book b(4);
  ASSERT_TRUE(b.set_limit("t", 1000).ok());
  auto r1 = b.try_reserve("t", 100);
  ASSERT_TRUE(b.commit(*r1, 100).ok());
  auto r2 = b.try_reserve("t", 10);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(b.state("t")->in_use, 110u);
  EXPECT_EQ(b.commit(*r2, UINT64_MAX).code(), absl::StatusCode::kResourceExhausted);
  budget_state st = *b.state("t");
  EXPECT_EQ(st.in_use, UINT64_MAX);
  EXPECT_EQ(st.overrun, UINT64_MAX - 10);
  EXPECT_TRUE(st.saturated);
  EXPECT_EQ(b.try_reserve("t", 900).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(b.try_reserve("t", 1).status().code(), absl::StatusCode::kResourceExhausted);
  // A reservation taken before the overrun still releases cleanly, and a new period starts from it.
  ASSERT_TRUE(b.set_limit("u", UINT64_MAX).ok());
  auto big = b.try_reserve("u", UINT64_MAX - 1);
  ASSERT_TRUE(big.ok());
  auto more = b.try_reserve("u", 1);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(b.commit(*more, 5).code(), absl::StatusCode::kResourceExhausted);  // in_use saturates at the top
  EXPECT_TRUE(b.state("u")->saturated);
  b.release(*big);
  ASSERT_TRUE(b.reset_period("u").ok());
  st = *b.state("u");
  EXPECT_EQ(st.in_use, 0u);
  EXPECT_EQ(st.committed, 0u);
  EXPECT_FALSE(st.saturated);
  ASSERT_TRUE(b.reset_period("t").ok());
  EXPECT_EQ(b.state("t")->in_use, 0u);
  EXPECT_TRUE(b.try_reserve("t", 1000).ok());
}

TEST(Budget, LoweringTheLimitBlocksNewReservations) {
  budget_book b(2);
  ASSERT_TRUE(b.set_limit("t", 100).ok());
  auto r = b.try_reserve("t", 80);
  ASSERT_TRUE(b.set_limit("t", 50).ok());
  EXPECT_EQ(b.try_reserve("t", 1).status().code(), absl::StatusCode::kResourceExhausted);
  b.release(*r);
  EXPECT_TRUE(b.try_reserve("t", 50).ok());
}

}  // namespace

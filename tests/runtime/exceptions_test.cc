// C++ exceptions thrown through lock scopes still work with LLVM's libunwind linked into the
// runtime (DESIGN.md, field notes: linked wrongly, every throw aborts). Built twice: against
// the static runtime and against liblockgraph_runtime.so.
#include <mutex>
#include <stdexcept>

#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"

namespace {

using ::lockgraph::Lock;
using ::lockgraph::RLock;

// Takes `outer` then `inner` (a new dependency: the runtime unwinds the stack to record it)
// and throws while both are held.
[[noreturn]] void ThrowWhileHolding(Lock& outer, RLock& inner, int round) {
  std::lock_guard hold_outer(outer);
  std::lock_guard hold_inner(inner);
  throw std::runtime_error("round " + std::to_string(round));
}

TEST(Exceptions, ThrownThroughLockScopesAreCaughtAndReleaseTheLocks) {
  Lock outer("Exceptions.outer");
  RLock inner("Exceptions.inner");
  for (int round = 0; round < 100; ++round) {
    try {
      ThrowWhileHolding(outer, inner, round);
      FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(e.what(), "round " + std::to_string(round));
    }
    EXPECT_FALSE(outer.locked());
    EXPECT_FALSE(inner.is_owned());
  }
  // The held stack was unwound too: a new nested pair records and releases normally.
  Lock third("Exceptions.third");
  std::scoped_lock all(outer, inner, third);
}

TEST(Exceptions, EscapingAThreadEndsOnlyThatThread) {
  Lock guard("Exceptions.thread_guard");
  lockgraph::Thread thrower(
      [&] {
        std::lock_guard hold(guard);
        throw std::logic_error("from a lockgraph::Thread");
      },
      "thrower");
  ::testing::internal::CaptureStderr();
  thrower.start();
  thrower.join();
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("exception in thread \"thrower\": from a lockgraph::Thread"),
            std::string::npos)
      << printed;
  EXPECT_FALSE(guard.locked());
}

TEST(Exceptions, RethrownAcrossThreadsWithExceptionPtr) {
  Lock l("Exceptions.ptr");
  std::exception_ptr error;
  lockgraph::Thread worker(
      [&] {
        try {
          std::lock_guard hold(l);
          throw std::out_of_range("worker failed");
        } catch (...) {
          error = std::current_exception();
        }
      },
      "worker");
  worker.start();
  worker.join();
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), std::out_of_range);
}

}  // namespace

// on_cycle=abort and on_misuse=abort: the report is printed, then the process aborts —
// before a real deadlock hangs it.
#include <chrono>
#include <mutex>

#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"

namespace {

using ::lockgraph::BoundedSemaphore;
using ::lockgraph::Event;
using ::lockgraph::Lock;
using ::lockgraph::Thread;

void UseOptions(lockgraph::OnCycle on_cycle, lockgraph::OnMisuse on_misuse) {
  lockgraph::Options options = lockgraph::CurrentOptions();
  options.on_cycle = on_cycle;
  options.on_misuse = on_misuse;
  lockgraph::Configure(options);
}

// Two threads that really deadlock: each holds one lock and waits for the other. The second
// order is checked before its thread blocks, so the abort comes first.
void RealDeadlock() {
  UseOptions(lockgraph::OnCycle::kAbort, lockgraph::OnMisuse::kReport);
  Lock a("Deadlock.a"), b("Deadlock.b");
  Event a_then_b_seen, b_held;
  Thread first(
      [&] {
        std::unique_lock hold_a(a);
        { std::lock_guard once(b); }  // records a -> b
        a_then_b_seen.set();
        b_held.wait();
        std::lock_guard wait_for_b(b);  // blocks: the other thread holds b
      },
      "first");
  Thread second(
      [&] {
        a_then_b_seen.wait();
        std::lock_guard hold_b(b);
        b_held.set();
        std::lock_guard wait_for_a(a);  // b -> a closes the cycle: abort before blocking
      },
      "second");
  first.start();
  second.start();
  first.join();
  second.join();
}

TEST(OnCycleDeathTest, AbortsBeforeARealDeadlockHangs) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(RealDeadlock(),
               "lock-order cycle(.|\n)*Deadlock.a(.|\n)*aborting \\(on_cycle=abort\\)");
}

TEST(OnMisuseDeathTest, AbortsWhenALockIsTakenTwiceByOneThreadWithATimeout) {
  // Without a timeout it would wait forever: a deadlock (live_deadlock_test.cc).
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOptions(lockgraph::OnCycle::kReport, lockgraph::OnMisuse::kAbort);
        Lock l("Twice.l");
        l.lock();
        (void)l.try_lock_for(std::chrono::hours(1));  // waits an hour, then fails
      },
      "misuse \\(self-deadlock\\)(.|\n)*Twice.l(.|\n)*aborting \\(on_misuse=abort\\)");
}

TEST(OnMisuseDeathTest, AbortsOnReleaseOfAnUnheldLock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOptions(lockgraph::OnCycle::kReport, lockgraph::OnMisuse::kAbort);
        Lock l("Unheld.l");
        l.unlock();
      },
      "misuse \\(release-unheld\\)(.|\n)*Unheld.l");
}

TEST(OnMisuseDeathTest, AbortsOnOverReleaseOfABoundedSemaphore) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOptions(lockgraph::OnCycle::kReport, lockgraph::OnMisuse::kAbort);
        BoundedSemaphore pool(2, "Bounded.pool");
        pool.release();
      },
      "misuse \\(over-release\\)(.|\n)*Bounded.pool(.|\n)*above its initial value 2");
}

TEST(OnMisuseDeathTest, AbortsWhenAHeldLockIsDestroyed) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOptions(lockgraph::OnCycle::kReport, lockgraph::OnMisuse::kAbort);
        auto* l = new Lock("Destroyed.l");
        l->lock();
        delete l;
      },
      "misuse \\(destroy-held\\)(.|\n)*Destroyed.l");
}

TEST(OnMisuseTest, ReportModeReportsASelfDeadlockAndTheTimedWaitEnds) {
  UseOptions(lockgraph::OnCycle::kReport, lockgraph::OnMisuse::kReport);
  Lock l("SelfTimed.l");
  l.lock();
  ::testing::internal::CaptureStderr();
  const bool again = l.try_lock_for(std::chrono::milliseconds(5));
  const std::string report = ::testing::internal::GetCapturedStderr();
  l.unlock();
  EXPECT_FALSE(again);
  EXPECT_NE(report.find("misuse (self-deadlock)"), std::string::npos) << report;
  EXPECT_NE(report.find("which it already holds"), std::string::npos) << report;
}

}  // namespace

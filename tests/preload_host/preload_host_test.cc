// The preload never breaks the program it watches: locks around main, exceptions, and a real
// deadlock turned into an abort with its report (on_cycle=abort) instead of a hang.
#include <signal.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::testing::HasSubstr;

std::string Program(const std::string& name) { return std::string(PRELOAD_HOST_DIR) + "/" + name; }

TEST(PreloadHost, LocksBeforeMainAndDuringExitPassThrough) {
  const ProcessResult native = RunProcess({Program("locks_around_main")});
  const ProcessResult traced =
      RunProcess({LockgraphCommand(), "run", "--", Program("locks_around_main")});
  EXPECT_EQ(native.exit_code, 5);
  EXPECT_EQ(traced.exit_code, 5) << traced.stderr_text;
  EXPECT_EQ(traced.stdout_text, native.stdout_text);
  EXPECT_THAT(traced.stdout_text, HasSubstr("main: 3 registered"));
  EXPECT_THAT(traced.stdout_text, HasSubstr("atexit handler"));
  EXPECT_THAT(traced.stdout_text, HasSubstr("static destructor: 3 registered"));
  EXPECT_THAT(traced.stderr_text, HasSubstr("lockgraph: 0 deadlocks"));
}

TEST(PreloadHost, ExceptionsThroughLockScopesAreCaught) {
  const ProcessResult traced =
      RunProcess({LockgraphCommand(), "run", "--", Program("exceptions_under_preload")});
  EXPECT_EQ(traced.exit_code, 0) << traced.stderr_text;
  EXPECT_THAT(traced.stdout_text, HasSubstr("caught 50 exceptions"));
}

TEST(PreloadHost, RealDeadlockAbortsWithItsReportInsteadOfHanging) {
  const ProcessResult traced =
      RunProcess({LockgraphCommand(), "run", "--", Program("real_deadlock")},
                 {"LOCKGRAPH_OPTIONS=on_cycle=abort"});
  EXPECT_EQ(traced.exit_code, 128 + SIGABRT) << traced.stderr_text;
  EXPECT_THAT(traced.stderr_text, HasSubstr("lock-order cycle"));
  EXPECT_THAT(traced.stderr_text, HasSubstr("real_deadlock.cc"));
  EXPECT_THAT(traced.stderr_text, HasSubstr("aborting (on_cycle=abort)"));
  // The trace written before the abort still has the cycle.
  EXPECT_THAT(traced.stderr_text, HasSubstr("error: lock-order cycle"));
  EXPECT_THAT(traced.stdout_text, ::testing::Not(HasSubstr("not reached")));
}

}  // namespace

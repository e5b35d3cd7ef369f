// A process that dies mid-run — SIGKILL, abort(), SIGSEGV — leaves a trace the analyzer still
// reads: dependencies are written at once, so the cycle made before the death is reported,
// with its locks and lines.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"

namespace {

using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::ExpectCycleThenDeadlock;
using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::RunAndSignalWhenReady;
using ::lockgraph::testing::TempDir;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Options(const TempDir& dir) {
  return absl::StrCat("LOCKGRAPH_OPTIONS=trace=", dir.path(), "/t.%p.lgtrace:quiet=1");
}

// The trace the dead process left holds the cycle, and nothing else is wrong with it.
void ExpectCycleInTrace(const TempDir& dir) {
  ASSERT_THAT(dir.Files(".lgtrace"), SizeIs(1));
  const auto a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  ExpectCycleThenDeadlock(a.report);
  EXPECT_EQ(a.report["summary"].value("traces", -1), 1);
  // Records are written whole: the death cut none.
  EXPECT_THAT(a.report["warnings"], IsEmpty());
}

TEST(Crash, SigkilledProcessLeavesItsCycle) {
  TempDir dir;
  const ProcessResult run =
      RunAndSignalWhenReady({FaultProgram("cycle_then"), "block"}, {Options(dir)}, SIGKILL);
  EXPECT_EQ(run.signal, SIGKILL) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "ready\n");
  ExpectCycleInTrace(dir);
}

TEST(Crash, AbortedProcessLeavesItsCycle) {
  TempDir dir;
  const ProcessResult run = RunProcess({FaultProgram("cycle_then"), "abort"}, {Options(dir)});
  EXPECT_EQ(run.signal, SIGABRT) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "ready\n");
  ExpectCycleInTrace(dir);
}

TEST(Crash, SegfaultedProcessLeavesItsCycle) {
  TempDir dir;
  // A sanitizer build would catch the SIGSEGV itself and exit: let the signal kill the
  // program, as in a plain build.
  const ProcessResult run =
      RunProcess({FaultProgram("cycle_then"), "segv"},
                 {Options(dir), "ASAN_OPTIONS=handle_segv=0", "TSAN_OPTIONS=handle_segv=0"});
  EXPECT_EQ(run.signal, SIGSEGV) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "ready\n");
  ExpectCycleInTrace(dir);
}

}  // namespace

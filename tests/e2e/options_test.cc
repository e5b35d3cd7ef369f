// LOCKGRAPH_OPTIONS and the trace file, end to end: bad options and unwritable traces give
// one clear line and the program runs on, unchanged.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::ExamplePath;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAbbaDone[] = "done: no deadlock this time";

TEST(Options, UnknownKeyIsNamedOnceAndTheProgramRunsOn) {
  TempDir dir;
  const ProcessResult run =
      RunWithOptions(ExamplePath("abba"), absl::StrCat("bogus=1:trace=", dir.path(), "/t.lgtrace"));
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.stdout_text, HasSubstr(kAbbaDone));
  EXPECT_EQ(CountLines(run.stderr_text, "lockgraph: LOCKGRAPH_OPTIONS: unknown option 'bogus'"), 1)
      << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("lock-order cycle"));  // the rest still applies
  EXPECT_EQ(dir.Files(".lgtrace").size(), 1u);
}

TEST(Options, BadValueIsNamedAndTheDefaultKept) {
  TempDir dir;
  const ProcessResult run = RunWithOptions(
      ExamplePath("abba"), absl::StrCat("on_cycle=sometimes:trace=", dir.path(), "/t.lgtrace"));
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(CountLines(run.stderr_text,
                       "LOCKGRAPH_OPTIONS: bad value 'sometimes' for on_cycle (expected report, "
                       "abort or ignore)"),
            1)
      << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("lock-order cycle"));  // on_cycle=report
}

TEST(Options, AbortOnCycleFromTheEnvironment) {
  TempDir dir;
  const ProcessResult run = RunWithOptions(
      ExamplePath("abba"), absl::StrCat("on_cycle=abort:trace=", dir.path(), "/t.%p.lgtrace"));
  EXPECT_EQ(run.signal, SIGABRT);
  EXPECT_THAT(run.stderr_text, HasSubstr("lock-order cycle"));
  EXPECT_THAT(run.stderr_text, HasSubstr("aborting (on_cycle=abort)"));
  EXPECT_THAT(run.stdout_text, Not(HasSubstr(kAbbaDone)));
  // The dependencies reached the trace before the abort.
  const std::vector<std::string> traces = dir.Files(".lgtrace");
  ASSERT_EQ(traces.size(), 1u);
  auto trace = lockgraph::analyzer::ReadTraceFile(traces[0]);
  ASSERT_TRUE(trace.ok()) << trace.status();
  int deps = 0;
  for (const auto& r : trace->records) {
    deps += std::holds_alternative<lockgraph::format::DependencyRecord>(r.record);
  }
  EXPECT_EQ(deps, 2);
}

TEST(Options, QuietReportsNothingButStillTraces) {
  TempDir dir;
  const ProcessResult run = RunWithOptions(
      ExamplePath("abba"), absl::StrCat("quiet=1:trace=", dir.path(), "/t.lgtrace"));
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.stderr_text, "");
  EXPECT_EQ(dir.Files(".lgtrace").size(), 1u);
}

TEST(Options, PercentPIsTheProcessId) {
  TempDir dir;
  const ProcessResult run =
      RunWithOptions(ExamplePath("abba"), absl::StrCat("trace=", dir.path(), "/run-%p.lgtrace"));
  ASSERT_EQ(run.exit_code, 0);
  const std::vector<std::string> traces = dir.Files(".lgtrace");
  ASSERT_EQ(traces.size(), 1u);
  auto trace = lockgraph::analyzer::ReadTraceFile(traces[0]);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(traces[0], absl::StrCat(dir.path(), "/run-", trace->process.pid, ".lgtrace"));
}

TEST(Options, EmptyTraceWritesNoFile) {
  TempDir dir;
  const ProcessResult run = lockgraph::testing::RunProcess(
      {ExamplePath("abba")}, {"LOCKGRAPH_OPTIONS=trace="}, dir.path());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.stderr_text, HasSubstr("lock-order cycle"));
  EXPECT_TRUE(dir.Files().empty());
}

TEST(Options, DefaultTraceIsLockgraphPidInTheWorkingDirectory) {
  TempDir dir;
  const ProcessResult run =
      lockgraph::testing::RunProcess({ExamplePath("abba")}, {"LOCKGRAPH_OPTIONS="}, dir.path());
  EXPECT_EQ(run.exit_code, 0);
  const std::vector<std::string> traces = dir.Files(".lgtrace");
  ASSERT_EQ(traces.size(), 1u);
  auto trace = lockgraph::analyzer::ReadTraceFile(traces[0]);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(traces[0], absl::StrCat(dir.path(), "/lockgraph.", trace->process.pid, ".lgtrace"));
}

TEST(TraceFile, UnwritablePathGivesOneWarningAndTheProgramRunsOn) {
  const ProcessResult run =
      RunWithOptions(ExamplePath("abba"), "trace=/nonexistent-dir/lockgraph/t.lgtrace");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.stdout_text, HasSubstr(kAbbaDone));
  EXPECT_EQ(CountLines(run.stderr_text, "lockgraph: creating trace file"), 1) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("/nonexistent-dir/lockgraph/t.lgtrace"));
  EXPECT_THAT(run.stderr_text, HasSubstr("running on without a trace"));
  EXPECT_THAT(run.stderr_text, HasSubstr("lock-order cycle"));
}

TEST(TraceFile, FullDiskGivesOneWarningAndTheProgramRunsOn) {
  const ProcessResult run = RunWithOptions(ExamplePath("abba"), "trace=/dev/full");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.stdout_text, HasSubstr(kAbbaDone));
  EXPECT_EQ(CountLines(run.stderr_text, "No space left on device"), 1) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("lock-order cycle"));
}

}  // namespace

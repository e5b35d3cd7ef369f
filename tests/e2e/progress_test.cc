// Progress on stderr: shown when stderr is a terminal (here a pseudo-terminal from script(1)),
// never when it is a pipe or a file, and erased before the report.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::ExamplePath;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class Progress : public ::testing::Test {
 protected:
  void SetUp() override {
    const ProcessResult run =
        RunWithOptions(ExamplePath("abba"), "quiet=1:mode=full:trace=" + dir_.path() + "/%p.lgtrace");
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  }
  // `lockgraph analyze` of the traces, its stdio on a pseudo-terminal: script(1) runs it there
  // and copies what it wrote to its own stdout.
  ProcessResult AnalyzeOnATerminal() {
    const std::string command = absl::StrCat("LOCKGRAPH_PROGRESS_DELAY_MS=0 ", LockgraphCommand(),
                                             " analyze --fail-on=never ", dir_.path());
    return RunProcess({"/usr/bin/script", "-qec", command, "/dev/null"});
  }
  TempDir dir_;
};

TEST_F(Progress, ShownOnATerminalAndErasedBeforeTheReport) {
  const ProcessResult run = AnalyzeOnATerminal();
  ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  EXPECT_THAT(run.stdout_text, HasSubstr("lockgraph: reading the trace: 100% of "));
  EXPECT_THAT(run.stdout_text, HasSubstr("lockgraph: replaying events: 100% of "));
  EXPECT_THAT(run.stdout_text, HasSubstr("\r\x1b[K"));  // erased
  EXPECT_THAT(run.stdout_text, HasSubstr("1 cycle ruled out"));  // abba orders them by an Event
}

TEST_F(Progress, ShowsWhichTraceOfHowManyAndTheRecordsPerSecond) {
  const ProcessResult second =
      RunWithOptions(ExamplePath("abba"), "quiet=1:trace=" + dir_.path() + "/%p.lgtrace");
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  const ProcessResult run = AnalyzeOnATerminal();
  ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  EXPECT_THAT(run.stdout_text, HasSubstr("lockgraph: reading trace 1 of 2: "));
  EXPECT_THAT(run.stdout_text, HasSubstr("lockgraph: reading trace 2 of 2: 100% of "));
  EXPECT_THAT(run.stdout_text, ContainsRegex(" MB, [0-9.]+[kM]? records/s"));
}

TEST_F(Progress, QuietWhenStderrIsNotATerminal) {
  const ProcessResult run =
      RunProcess({LockgraphCommand(), "analyze", "--fail-on=never", dir_.path()},
                 {"LOCKGRAPH_PROGRESS_DELAY_MS=0"});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("reading")));
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("\x1b[K")));
  EXPECT_THAT(run.stdout_text, HasSubstr("1 cycle ruled out"));  // abba orders them by an Event
}

}  // namespace

// The examples, run as a user runs them: the program's own output, the report on stderr,
// and what `lockgraph dump` shows of the trace.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::ExamplePath;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::SourcePath;
using ::lockgraph::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

struct ExampleRun {
  ProcessResult run;
  std::string dump;  // `lockgraph dump` of its only trace, "" if none
  int traces = 0;
};

ExampleRun RunExample(const std::string& name, const TempDir& dir,
                      const std::string& extra_options = "") {
  ExampleRun result;
  result.run = RunWithOptions(ExamplePath(name),
                              absl::StrCat("trace=", dir.path(), "/", name, ".%p.lgtrace",
                                           extra_options));
  const std::vector<std::string> traces = dir.Files(".lgtrace");
  result.traces = static_cast<int>(traces.size());
  if (traces.size() == 1) {
    ProcessResult dump = RunLockgraph({"dump", "--symbolize", traces[0]});
    EXPECT_EQ(dump.exit_code, 0) << dump.stderr_text;
    result.dump = dump.stdout_text;
  }
  return result;
}

TEST(AbbaExample, ReportsTheCycleWithBothLocksAndBothLines) {
  TempDir dir;
  const ExampleRun abba = RunExample("abba", dir);
  ASSERT_EQ(abba.run.exit_code, 0) << abba.run.stderr_text;
  EXPECT_THAT(abba.run.stdout_text, HasSubstr("done: no deadlock this time"));

  const std::string source = SourcePath("examples/abba.cc");
  const int forward = LineOf(source, "// accounts -> audit_log");
  const int backward = LineOf(source, "// audit_log -> accounts");
  const int first_taken = LineOf(source, "std::lock_guard hold_accounts(accounts);");
  ASSERT_GT(forward, 0);
  ASSERT_GT(backward, 0);
  const std::string& report = abba.run.stderr_text;
  EXPECT_EQ(CountLines(report, "lock-order cycle"), 1) << report;
  EXPECT_THAT(report, AllOf(HasSubstr("Lock \"accounts\" (created at"),
                            HasSubstr("Lock \"audit_log\" (created at"),
                            HasSubstr("\"depositor\" holds \"accounts\""),
                            HasSubstr("\"rotator\" holds \"audit_log\""),
                            HasSubstr(absl::StrCat("abba.cc:", forward)),
                            HasSubstr(absl::StrCat("abba.cc:", backward)),
                            HasSubstr(absl::StrCat("abba.cc:", first_taken))))
      << report;

  ASSERT_EQ(abba.traces, 1);
  EXPECT_EQ(CountLines(abba.dump, " dependency #"), 2) << abba.dump;
  EXPECT_THAT(abba.dump, HasSubstr("held=[#1 \"accounts\" at=#"));
  EXPECT_THAT(abba.dump, HasSubstr("acquires #2 \"audit_log\" blocking"));
  EXPECT_THAT(abba.dump, HasSubstr(absl::StrCat("abba.cc:", forward)));
  EXPECT_THAT(abba.dump, HasSubstr(absl::StrCat("abba.cc:", backward)));
}

TEST(ThreadSubclassExample, RunsInTheCallerOrInANewThread) {
  TempDir dir;
  const ExampleRun example = RunExample("thread_subclass", dir);
  ASSERT_EQ(example.run.exit_code, 0) << example.run.stderr_text;
  EXPECT_THAT(example.run.stdout_text,
              AllOf(HasSubstr("run() called directly: total 55, ran in the caller's thread: yes"),
                    HasSubstr("total 5050, ran in a new thread: yes, alive after join: no")));
  EXPECT_THAT(example.run.stderr_text, Not(HasSubstr("lockgraph:")));
  // The RLock is re-entered but never nested with another lock: no dependency.
  ASSERT_EQ(example.traces, 1);
  EXPECT_EQ(CountLines(example.dump, " dependency #"), 0) << example.dump;
  EXPECT_THAT(example.dump, HasSubstr("thread-start tid=2 \"threaded\" parent=1@"));
  EXPECT_THAT(example.dump, HasSubstr("\"counter\" acquisitions=4 "));
}

TEST(QueueWorkersExample, ProcessesEveryJobAndRecordsOneOrder) {
  TempDir dir;
  const ExampleRun example = RunExample("queue_workers", dir);
  ASSERT_EQ(example.run.exit_code, 0) << example.run.stderr_text;
  EXPECT_THAT(example.run.stdout_text,
              AllOf(HasSubstr("all 100 jobs done: sum of squares 338350"),
                    HasSubstr("queue empty: yes")));
  EXPECT_THAT(example.run.stderr_text, Not(HasSubstr("lockgraph:")));
  ASSERT_EQ(example.traces, 1);
  // results -> log, once per worker that printed progress; never the other way.
  EXPECT_GE(CountLines(example.dump, "\"results\" at=#"), 1) << example.dump;
  EXPECT_EQ(CountLines(example.dump, "\"log\" at=#"), 0) << example.dump;
  // 100 jobs and 4 stop markers were taken from the queue.
  EXPECT_THAT(example.dump, HasSubstr("\"jobs\" acquisitions=104 "));
}

TEST(SemaphorePoolExample, NeverMoreThanThreeInside) {
  TempDir dir;
  const ExampleRun example = RunExample("semaphore_pool", dir);
  ASSERT_EQ(example.run.exit_code, 0) << example.run.stderr_text;
  EXPECT_THAT(example.run.stdout_text,
              HasSubstr("10 threads used the pool; highest concurrency: 3 (limit 3)"));
  EXPECT_THAT(example.run.stderr_text, Not(HasSubstr("lockgraph:")));
  ASSERT_EQ(example.traces, 1);
  EXPECT_EQ(CountLines(example.dump, " dependency #"), 0) << example.dump;
  EXPECT_THAT(example.dump, HasSubstr("\"pool_state\" acquisitions="));
}

TEST(EventBroadcastExample, OneSetReleasesEveryWaiter) {
  TempDir dir;
  const ExampleRun example = RunExample("event_broadcast", dir);
  ASSERT_EQ(example.run.exit_code, 0) << example.run.stderr_text;
  EXPECT_THAT(example.run.stdout_text,
              AllOf(HasSubstr("event set: was not before set()"),
                    HasSubstr("the event released 5 of 5 waiting threads")));
  EXPECT_THAT(example.run.stderr_text, Not(HasSubstr("lockgraph:")));
  ASSERT_EQ(example.traces, 1);
  // tally -> console in each of the five threads (one dependency per thread).
  EXPECT_EQ(CountLines(example.dump, "\"console\" blocking"), 5) << example.dump;
}

}  // namespace

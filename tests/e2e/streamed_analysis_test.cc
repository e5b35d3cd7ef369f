// `lockgraph analyze` judges trace files as it reads them and drops what no finding will read
// (analyzer/streamed_cycles.h). Where that cannot decide the report, it reads the files again
// and analyzes them whole: these tests build traces whose findings come out wrong if it did
// not (a count or a witness that only a dropped dependency carries).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/analyzer/trace_builder.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::EdgeThreads;
using ::lockgraph::testing::Kinds;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Thread 1 starts and joins 100 workers one after the other, each taking `held` then
// `acquired`; then starts "forward", which takes them too, and "reverse". More than the 64
// witnesses an edge keeps, all ordered before "reverse": only forward's shows the cycle.
void WorkersThenForward(TraceBuilder& t, uint64_t held, uint64_t acquired) {
  t.Thread(1, "main");
  constexpr uint32_t kSequential = 100;
  for (uint32_t i = 0; i < kSequential; ++i) {
    t.Thread(10 + i, "worker", 1, 2 * i);
    t.Dependency(10 + i, 0, {held}, acquired);
    t.Join(1, 2 * i + 1, 10 + i);
  }
  t.Thread(2, "forward", 1, 2 * kSequential);
  t.Thread(3, "reverse", 1, 2 * kSequential + 1);
  t.Dependency(2, 0, {held}, acquired);
}

nlohmann::json AnalyzeJson(const TempDir& dir) {
  const ProcessResult run = RunLockgraph(
      {"analyze", "--format=json", "--symbolizer=none", "--fail-on=potential", dir.path()});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  return nlohmann::json::parse(run.stdout_text);
}

// The class cycle a -> b -> a is of four locks, so no instance cycle judged it while its
// trace was read, and the class graph kept the first 64 workers' dependencies of a -> b.
TEST(StreamedAnalysis, AClassCycleOnlyADroppedDependencyShowsIsFound) {
  TempDir dir;
  TraceBuilder t;
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Lock(3, "a");
  t.Lock(4, "b");
  WorkersThenForward(t, 1, 2);
  t.Dependency(3, 0, {4}, 3);  // reverse: b -> a, on the other two locks
  t.WriteTo(dir.path());
  const nlohmann::json report = AnalyzeJson(dir);
  ASSERT_THAT(Kinds(report), ElementsAre("potential"));
  EXPECT_THAT(EdgeThreads(report["findings"][0]),
              UnorderedElementsAre(HasSubstr("\"forward\""), HasSubstr("\"reverse\"")));
}

// A lock shared by processes, met in the second trace, stops the trace-by-trace analysis after
// it dropped dependencies of the first: the files are read again, every order counted.
TEST(StreamedAnalysis, AProcessWideLockInALaterTraceReadsTheFilesAgain) {
  TempDir dir;
  TraceBuilder first(100);
  first.Thread(1, "main");
  first.Thread(2, "taker", 1, 0);
  first.Lock(1, "a");
  first.Lock(2, "b");
  first.Lock(3, "c");
  for (int i = 0; i < 100; ++i) first.Dependency(2, 0, {1}, 3);  // a -> c, 100 times
  first.Dependency(2, 0, {1}, 2);                                 // a -> b
  first.Thread(3, "backward", 1, 0);
  first.Dependency(3, 0, {2}, 1);  // b -> a: a deadlock in the first trace
  first.WriteTo(dir.path(), "1.lgtrace");
  TraceBuilder second(200);
  second.Thread(1, "main");
  second.SharedLock(1, "shared", "/lockgraph-test-shared");
  second.WriteTo(dir.path(), "2.lgtrace");

  const nlohmann::json report = AnalyzeJson(dir);
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  EXPECT_THAT(EdgeThreads(report["findings"][0]),
              UnorderedElementsAre(HasSubstr("\"taker\""), HasSubstr("\"backward\"")));
  EXPECT_EQ(report["summary"]["dependencies"], 102);
  // The order graph counts every dependency of a -> c, not only the witnesses kept of it.
  const ProcessResult dot =
      RunLockgraph({"analyze", "--format=dot", "--symbolizer=none", dir.path()});
  EXPECT_THAT(dot.stdout_text, HasSubstr("100 times")) << dot.stdout_text;
}

}  // namespace

// 100,000 short-lived threads, started 16 at a time by 8 spawner threads, each taking "B"
// inside "A" (programs/many_threads.cc): the program completes, its trace analyzes, every
// thread and every thread's dependency is in the analysis, the deadlock of the last two
// threads is found among them, and memory stays bounded.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/stress/stress_support.h"

namespace {

using ::lockgraph::testing::Analysis;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::Edges;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::RunStress;
using ::lockgraph::testing::StatsOf;
using ::lockgraph::testing::StressRun;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kSanitized;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// Thread creation dominates: lockgraph::Thread::start waits until the new thread runs, and on
// this loaded machine one spawner starting 100,000 threads took 18-64 s, with or without a
// trace; 8 spawners take 6-11 s. `analyze` then takes 70-105 s (see docs/reliability.md,
// Stress: ThreadOrder::HappensBefore walks every thread for each of 100,000 witnesses).
constexpr int kThreads = kSanitized ? 10000 : 100000;
constexpr int kSpawners = 8;
const std::vector<std::string> kArgs = {std::to_string(kThreads), "16",
                                        std::to_string(kSpawners)};

// Measured 17 MB for 25,000 threads, 26 MB for 50,000, 39-43 MB for 100,000 with one spawner,
// 46-48 MB with 8: the recorder keeps about 330 bytes per exited thread (its name for reports,
// its dependency ids, its place in the online check's thread order). Twice that is the bound.
constexpr int64_t kThreadsPeakRssBoundKb = 96 * 1024;

TEST(ManyThreads, HundredThousandShortLivedThreadsAreAllInTheAnalysis) {
  TempDir dir;
  const StressRun run = RunStress("many_threads", kArgs, dir);
  ASSERT_FALSE(run.trace.empty());
  // The online check keeps the latest witnesses of a full edge: forward's A -> B among them.
  EXPECT_THAT(run.process.stderr_text,
              HasSubstr("lock-order cycle: possible deadlock between 2 locks (\"B\" -> \"A\")"));
  const Analysis a = AnalyzeJson(run.trace);
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  EXPECT_THAT(a.report["warnings"], IsEmpty());
  // main, the spawners, the short-lived threads, then "forward" and "reverse".
  EXPECT_EQ(a.report["summary"]["threads"], 1 + kSpawners + kThreads + 2);
  // One A -> B dependency per thread (a dependency belongs to its thread), and reverse's B -> A.
  EXPECT_EQ(a.report["summary"]["dependencies"], kThreads + 2);
  EXPECT_EQ(a.report["summary"]["locks"], 2);
  for (const std::string name : {"A", "B"}) {
    const auto stats = StatsOf(a.report, name);
    ASSERT_TRUE(stats.is_object()) << name;
    EXPECT_EQ(stats["acquisitions"], kThreads + 2) << name;
  }
  // The one A -> B that can run beside reverse's B -> A is found among 100,000 that cannot.
  const auto deadlocks = FindingsOf(a.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u) << a.report["ruled_out"].dump(2);
  EXPECT_THAT(LockClasses(deadlocks[0]), UnorderedElementsAre("A", "B"));
  EXPECT_THAT(Edges(deadlocks[0]), UnorderedElementsAre("A -> B by forward", "B -> A by reverse"));
  if (!kSanitized) {
    EXPECT_LT(run.values.at("peak_rss_kb"), kThreadsPeakRssBoundKb);
  }
}

}  // namespace

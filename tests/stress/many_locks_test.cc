// 64 threads over 10,000 locks in random but consistent orders (programs/many_locks.cc): the
// analysis finds no cycle and holds every dependency once, and neither the trace's records
// nor the program's memory grow when the rounds double.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/stress/stress_support.h"

namespace {

using ::lockgraph::testing::Analysis;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::RunStress;
using ::lockgraph::testing::RuntimeCounters;
using ::lockgraph::testing::StressRun;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kSanitized;
using ::testing::IsEmpty;

// Rounds per thread (each runs every one of its 64 patterns first, then this many random
// picks): 20,000 is about 5 million acquisitions, 0.4 s here.
const std::string kRounds = kSanitized ? "2000" : "20000";
const std::string kDoubleRounds = kSanitized ? "4000" : "40000";

// Measured 64-83 MB (RelWithDebInfo), whatever the rounds: mostly the per-thread class
// counters (64 threads x up to 20,000 slots of 32 bytes: one per class, 10,000 classes) and
// the 64 thread stacks. Twice that is the bound.
constexpr int64_t kLocksPeakRssBoundKb = 160 * 1024;
// Peak RSS of identical runs differed by up to 18 MB (how many threads are alive at once);
// a leak of 6 bytes per acquisition would add 30 MB when the rounds double.
constexpr int64_t kRssGrowthSlackKb = 32 * 1024;

void ExpectClean(const StressRun& run, const Analysis& a) {
  EXPECT_EQ(a.exit_code, 0) << a.stderr_text;
  EXPECT_THAT(a.report["findings"], IsEmpty()) << a.report["findings"].dump(2).substr(0, 4000);
  EXPECT_EQ(a.report["summary"]["findings"]["deadlock"], 0);
  EXPECT_EQ(a.report["summary"]["findings"]["potential"], 0);
  EXPECT_EQ(a.report["summary"]["ruled_out"], 0);
  EXPECT_EQ(a.report["summary"]["cycles_checked"], 0);
  EXPECT_THAT(a.report["warnings"], IsEmpty());
  EXPECT_EQ(a.report["summary"]["threads"], 65);  // main and 64 workers
  // Every distinct held chain once, never recorded again.
  EXPECT_EQ(a.report["summary"]["dependencies"], run.values.at("dependencies"));
  EXPECT_GT(a.report["summary"]["locks"].get<int>(), 5000) << "most of the 10,000 are taken";
}

TEST(ManyLocks, ConsistentOrdersOverTenThousandLocksAreClean) {
  TempDir dir;
  const StressRun run = RunStress("many_locks", {"64", kRounds}, dir);
  ASSERT_FALSE(run.trace.empty());
  EXPECT_EQ(run.process.stderr_text, "") << "no online report either";
  ExpectClean(run, AnalyzeJson(run.trace));
  // Each thread's 200 or so dependencies fit its cache: none is evicted and counted twice.
  EXPECT_EQ(RuntimeCounters(run.trace).at("cache_evictions"), 0);
  if (!kSanitized) {
    EXPECT_LT(run.values.at("peak_rss_kb"), kLocksPeakRssBoundKb);
  }
}

TEST(ManyLocks, TraceAndMemoryDoNotGrowWithTheRounds) {
  TempDir once_dir, twice_dir;
  const StressRun once = RunStress("many_locks", {"64", kRounds}, once_dir);
  const StressRun twice = RunStress("many_locks", {"64", kDoubleRounds}, twice_dir);
  ASSERT_FALSE(once.trace.empty());
  ASSERT_FALSE(twice.trace.empty());
  const Analysis a = AnalyzeJson(once.trace);
  const Analysis b = AnalyzeJson(twice.trace);
  ExpectClean(twice, b);
  // The same records, only larger counts in them: nothing is written per round. (Before the
  // dependency cache grew instead of evicting, collisions wrote a count record per use.)
  EXPECT_EQ(a.report["summary"]["records"], b.report["summary"]["records"]);
  if (!kSanitized) {
    EXPECT_LT(twice.values.at("peak_rss_kb"), once.values.at("peak_rss_kb") + kRssGrowthSlackKb);
  }
}

}  // namespace

// 100 locks held at once by one thread, more than the recorder tracks (64)
// (programs/deep_nesting.cc): the locks still work, released in reverse and out of order, with
// no misuse reported; each hold beyond 64 is counted; and a deadlock among the tracked locks
// is still found, with its names.
#include <string>

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
using ::lockgraph::testing::RuntimeCounters;
using ::lockgraph::testing::StressRun;
using ::lockgraph::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

TEST(DeepNesting, HundredLocksHeldAtOnceWorkAndAreCounted) {
  TempDir dir;
  const StressRun run = RunStress("deep_nesting", {"100"}, dir);
  ASSERT_FALSE(run.trace.empty());
  EXPECT_EQ(run.values.at("misbehaved"), 0) << "every lock held excludes another thread";
  EXPECT_THAT(run.process.stderr_text, Not(HasSubstr("misuse")));
  // 36 holds beyond 64, twice.
  EXPECT_EQ(RuntimeCounters(run.trace).at("held_overflows"), 72);

  const Analysis a = AnalyzeJson(run.trace);
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  EXPECT_EQ(a.report["summary"]["findings"]["misuse"], 0);
  // The analysis says what it could not see.
  EXPECT_THAT(a.report["warnings"],
              ElementsAre(AllOf(StartsWith(run.trace + ": 72 acquisitions"),
                                EndsWith("(held_overflows)"))));
  EXPECT_THAT(a.stderr_text, HasSubstr("lockgraph: warning: " + run.trace + ": 72 acquisitions"));
  // Each pass: L001..L063 each under the locks before it, L064..L099 each under the 64
  // tracked ones; and reverse's one.
  EXPECT_EQ(a.report["summary"]["dependencies"], 2 * (63 + 36) + 1);
  const auto deadlocks = FindingsOf(a.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u) << a.report["findings"].dump(2);
  EXPECT_THAT(LockClasses(deadlocks[0]), UnorderedElementsAre("L062", "L063"));
  EXPECT_THAT(Edges(deadlocks[0]),
              UnorderedElementsAre("L062 -> L063 by deep", "L063 -> L062 by reverse"));
  EXPECT_THAT(FindingsOf(a.report, "potential"), ElementsAre());
}

}  // namespace

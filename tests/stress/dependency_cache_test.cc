// One thread makes 20,000 distinct dependencies, twice: more than its dependency cache keeps
// (16,384), so it evicts (programs/dependency_cache.cc). Evictions are counted, an evicted
// dependency that comes back is counted rather than recorded again, and a deadlock with one
// of them is found with its names.
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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

TEST(DependencyCache, EvictionsAreCountedAndTheAnalysisStaysExact) {
  TempDir dir;
  const StressRun run = RunStress("dependency_cache", {"200", "100", "2"}, dir);
  ASSERT_FALSE(run.trace.empty());
  EXPECT_GT(RuntimeCounters(run.trace).at("cache_evictions"), 0);
  // The runtime's online check saw it too.
  EXPECT_THAT(run.process.stderr_text, HasSubstr("(\"I007\" -> \"O123\")"));

  const Analysis a = AnalyzeJson(run.trace);
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  // Evictions lose nothing the analysis needs: no warning.
  EXPECT_THAT(a.report["warnings"], IsEmpty());
  // 200 x 100 by filler, each once however often evicted, and reverse's one.
  EXPECT_EQ(a.report["summary"]["dependencies"], 200 * 100 + 1);
  const auto deadlocks = FindingsOf(a.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u) << a.report["findings"].dump(2);
  const auto& f = deadlocks[0];
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre("I007", "O123"));
  EXPECT_THAT(Edges(f), UnorderedElementsAre("O123 -> I007 by filler", "I007 -> O123 by reverse"));
  // Taken once per pass: the count written at eviction and the one written at exit add up.
  for (const auto& edge : f["edges"]) {
    EXPECT_EQ(edge["count"], edge["from"] == "O123" ? 2 : 1) << edge.dump();
  }
}

}  // namespace

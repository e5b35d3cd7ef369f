// The verdict on each cycle of a lock graph, on hand-built traces: a witness, a gate lock,
// start/join order, one thread; and the witness chosen for each edge.
#include "analyzer/filters/cycle_verdicts.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::CycleVerdict;
using ::lockgraph::analyzer::CycleVerdicts;
using ::lockgraph::analyzer::JudgedCycle;
using ::lockgraph::analyzer::LockGraph;
using ::lockgraph::analyzer::Model;
using ::lockgraph::analyzer::Summary;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::SizeIs;

class CycleVerdictsTest : public ::testing::Test {
 protected:
  std::vector<JudgedCycle> Judge(const TraceBuilder& trace, LockGraph::Level level) {
    EXPECT_TRUE(model_.AddTraceFile(trace.WriteTo(dir_.path())).ok());
    model_.Finish();
    graph_ = LockGraph::Build(model_, level);
    CycleVerdicts verdicts(model_);
    return verdicts.Judge(graph_, {}, summary_);
  }

  // Threads 2 and 3, started by thread 1 before either runs; locks a (1), b (2), gate (3).
  static TraceBuilder TwoThreads() {
    TraceBuilder t;
    t.Thread(1, "main");
    t.Thread(2, "first", 1, 0);
    t.Thread(3, "second", 1, 0);
    t.Lock(1, "a");
    t.Lock(2, "b");
    t.Lock(3, "gate");
    return t;
  }

  TempDir dir_;
  Model model_;
  LockGraph graph_;
  Summary summary_;
};

TEST_F(CycleVerdictsTest, OppositeOrdersOfTwoThreadsHaveAWitnessPerEdge) {
  TraceBuilder t = TwoThreads();
  t.Dependency(2, 0, {1}, 2);  // first: a -> b
  t.Dependency(3, 0, {2}, 1);  // second: b -> a
  const std::vector<JudgedCycle> cycles = Judge(t, LockGraph::kInstances);
  ASSERT_THAT(cycles, SizeIs(1));
  const JudgedCycle& cycle = cycles[0];
  EXPECT_EQ(cycle.result.verdict, CycleVerdict::kDeadlock);
  ASSERT_THAT(cycle.edges, SizeIs(2));
  EXPECT_FALSE(cycle.self());
  // Each edge's witness is the dependency of the thread that took that order.
  for (size_t i = 0; i < cycle.edges.size(); ++i) {
    const auto& dep = model_.dependencies()[cycle.chosen(i).dependency];
    const auto& edge = graph_.edge(cycle.edges[i]);
    EXPECT_EQ(model_.thread(dep.thread).name, edge.from == 1 ? "first" : "second");
  }
  EXPECT_EQ(summary_.cycles_checked, 1u);
}

TEST_F(CycleVerdictsTest, AGateLockHeldAroundBothOrdersRulesTheCycleOut) {
  TraceBuilder t = TwoThreads();
  t.Dependency(2, 0, {3, 1}, 2);  // first: gate, a -> b
  t.Dependency(3, 0, {3, 2}, 1);  // second: gate, b -> a
  const std::vector<JudgedCycle> cycles = Judge(t, LockGraph::kInstances);
  ASSERT_THAT(cycles, SizeIs(1));
  EXPECT_EQ(cycles[0].result.verdict, CycleVerdict::kGateLock);
  EXPECT_EQ(model_.lock_class(model_.lock(cycles[0].result.gate_lock).class_id).name, "gate");
}

TEST_F(CycleVerdictsTest, OrdersSeparatedByJoinAndStartAreRuledOut) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "first", 1, 0);
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Join(1, 0, 2);                // main joins first, then starts second
  t.Thread(3, "second", 1, 1);
  t.Dependency(3, 0, {2}, 1);
  const std::vector<JudgedCycle> cycles = Judge(t, LockGraph::kInstances);
  ASSERT_THAT(cycles, SizeIs(1));
  EXPECT_EQ(cycles[0].result.verdict, CycleVerdict::kOrdered);
}

TEST_F(CycleVerdictsTest, OneThreadTakingBothOrdersIsRuledOut) {
  TraceBuilder t = TwoThreads();
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(2, 0, {2}, 1);
  const std::vector<JudgedCycle> cycles = Judge(t, LockGraph::kInstances);
  ASSERT_THAT(cycles, SizeIs(1));
  EXPECT_EQ(cycles[0].result.verdict, CycleVerdict::kSingleThread);
}

TEST_F(CycleVerdictsTest, ASelfEdgeOfAClassIsJudgedAsTwoEdges) {
  TraceBuilder t = TwoThreads();
  t.Lock(4, "account");
  t.Lock(5, "account");
  t.Lock(6, "account");
  t.Dependency(2, 0, {4}, 5);  // first: account x -> account y
  t.Dependency(3, 0, {6}, 4);  // second: account z -> account x
  const std::vector<JudgedCycle> cycles = Judge(t, LockGraph::kClasses);
  ASSERT_THAT(cycles, SizeIs(1));
  EXPECT_TRUE(cycles[0].self());
  EXPECT_EQ(cycles[0].result.verdict, CycleVerdict::kDeadlock);
}

}  // namespace

// LockGraph::Build: which dependencies an edge keeps as witnesses, and its out-edge lists;
// LockGraphBuilder::LastAddHasCycle, which spares the streamed analysis most instance graphs.
#include "analyzer/graph/lock_graph.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::EdgeWitness;
using ::lockgraph::analyzer::GraphEdge;
using ::lockgraph::analyzer::LockGraph;
using ::lockgraph::analyzer::LockGraphBuilder;
using ::lockgraph::analyzer::Model;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST(LockGraph, WitnessesPastHalfComeFromNewThreads) {
  // Edge a -> b: 40 dependencies of thread 1 (one per segment), then one of each of threads
  // 2..41. The first half of the list takes any dependency, the second only new threads.
  TraceBuilder t;
  for (uint32_t tid = 1; tid <= 41; ++tid) t.Thread(tid, "t" + std::to_string(tid));
  t.Lock(1, "a");
  t.Lock(2, "b");
  for (uint32_t segment = 0; segment < 40; ++segment) t.Dependency(1, segment, {1}, 2);
  for (uint32_t tid = 2; tid <= 41; ++tid) t.Dependency(tid, 0, {1}, 2);
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  const LockGraph graph = LockGraph::Build(model, LockGraph::kInstances);
  ASSERT_EQ(graph.edge_count(), 1u);
  const GraphEdge& edge = graph.edge(0);
  ASSERT_THAT(edge.witnesses, SizeIs(LockGraph::kMaxWitnesses));
  std::set<uint32_t> later_threads;
  for (size_t i = 0; i < edge.witnesses.size(); ++i) {
    const uint32_t thread = model.dependencies()[edge.witnesses[i].dependency].thread;
    if (i < LockGraph::kMaxWitnesses / 2) {
      EXPECT_EQ(model.thread(thread).tid, 1u) << i;
    } else {
      EXPECT_NE(model.thread(thread).tid, 1u) << i;
      EXPECT_TRUE(later_threads.insert(thread).second) << "thread twice at " << i;
    }
  }
  EXPECT_EQ(edge.more_witnesses, 80u - LockGraph::kMaxWitnesses);
}

TEST(LockGraph, CountsEveryDependencyOncePastTheWitnessLimit) {
  // a -> b by 70 threads, 3 times each (a dependency counts 1 when recorded, then what its
  // count records add): more dependencies than the edge keeps as witnesses.
  TraceBuilder t;
  for (uint32_t tid = 1; tid <= 70; ++tid) t.Thread(tid, "t" + std::to_string(tid));
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Lock(3, "x");
  t.Lock(4, "x");
  for (uint32_t tid = 1; tid <= 70; ++tid) t.Count(t.Dependency(tid, 0, {1}, 2), 2);
  // Two locks of class x held when b is taken, twice: one class order x -> b, taken twice.
  t.Count(t.Dependency(1, 0, {3, 4}, 2), 1);
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  const LockGraph instances = LockGraph::Build(model, LockGraph::kInstances);
  ASSERT_EQ(instances.edge_count(), 3u);  // 1->2, 3->2, 4->2
  EXPECT_THAT(instances.edge(0).witnesses, SizeIs(LockGraph::kMaxWitnesses));
  EXPECT_EQ(instances.edge(0).count, 210u);
  EXPECT_EQ(instances.edge(1).count, 2u);
  EXPECT_EQ(instances.edge(2).count, 2u);
  const LockGraph classes = LockGraph::Build(model, LockGraph::kClasses);
  ASSERT_EQ(classes.edge_count(), 2u);  // a->b, x->b
  EXPECT_EQ(classes.edge(0).count, 210u);
  EXPECT_EQ(classes.edge(1).count, 2u);
  EXPECT_THAT(classes.edge(1).witnesses, SizeIs(2)) << "one per held lock";
}

TEST(LockGraph, OutEdgesAreInEdgeOrder) {
  TraceBuilder t;
  t.Thread(1, "main");
  for (uint64_t id = 1; id <= 4; ++id) t.Lock(id, "l" + std::to_string(id));
  t.Dependency(1, 0, {1}, 3);
  t.Dependency(1, 0, {2}, 3);
  t.Dependency(1, 0, {1}, 2);
  t.Dependency(1, 0, {1, 2}, 4);
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  const LockGraph graph = LockGraph::Build(model, LockGraph::kInstances);
  ASSERT_EQ(graph.edge_count(), 5u);  // 1->3, 2->3, 1->2, 1->4, 2->4
  EXPECT_THAT(graph.out_edges(1), ElementsAre(0u, 2u, 3u));
  EXPECT_THAT(graph.out_edges(2), ElementsAre(1u, 4u));
  EXPECT_TRUE(graph.out_edges(3).empty());
  EXPECT_TRUE(graph.out_edges(4).empty());
}

TEST(LockGraph, SignalsAndTryLocksAddNoEdges) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "other");
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Lock(3, "sem", lockgraph::format::SyncKind::kSemaphore, "a.cc", 1, 1);
  t.Dependency(1, 0, {1}, 2, lockgraph::format::kAcquireTry);
  t.Dependency(1, 0, {3}, 2);
  t.Dependency(1, 0, {1}, 3);
  t.Signal(3, 2);
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  for (LockGraph::Level level : {LockGraph::kInstances, LockGraph::kClasses}) {
    EXPECT_EQ(LockGraph::Build(model, level).edge_count(), 0u) << level;
  }
}

// Trace by trace, whether the class orders each trace gives close a cycle among themselves:
// the test the streamed analysis makes before it builds a trace's instance graph.
class LastAddHasCycleTest : public ::testing::Test {
 protected:
  LastAddHasCycleTest() { classes_.TrackEachAdd(); }

  // A trace of one thread whose dependencies are `orders`: (held lock, taken lock) of locks
  // 1..5, of classes a, b, c, a, b.
  bool Add(const std::vector<std::pair<uint64_t, uint64_t>>& orders) {
    TraceBuilder t(100 + traces_);
    t.Thread(1, "main");
    const char* classes[] = {"a", "b", "c", "a", "b"};
    for (uint64_t lock = 1; lock <= 5; ++lock) t.Lock(lock, classes[lock - 1]);
    for (const auto& [held, taken] : orders) t.Dependency(1, 0, {held}, taken);
    EXPECT_TRUE(
        model_.AddTraceFile(t.WriteTo(dir_.path(), std::to_string(traces_++) + ".lgtrace")).ok());
    const auto& extent = model_.trace_extents().back();
    classes_.Add(model_, extent.first_dependency, extent.end_dependency,
                 static_cast<uint32_t>(model_.lock_count() + 1));
    return classes_.LastAddHasCycle();
  }

  TempDir dir_;
  Model model_;
  LockGraphBuilder classes_{LockGraph::kClasses, 1};
  int traces_ = 0;
};

TEST_F(LastAddHasCycleTest, OnlyTheLastTracesOrdersCount) {
  EXPECT_FALSE(Add({{1, 2}, {2, 3}, {1, 3}}));  // a -> b -> c, and a -> c
  EXPECT_FALSE(Add({{3, 1}}));                  // c -> a closes a cycle only with the first
  EXPECT_TRUE(Add({{1, 2}, {2, 3}, {3, 4}}));   // a -> b -> c -> a
  EXPECT_FALSE(Add({}));
}

TEST_F(LastAddHasCycleTest, TwoLocksOfAClassNestedAreACycle) {
  EXPECT_TRUE(Add({{1, 4}}));  // a -> a: two instances may be taken in either order
}

TEST_F(LastAddHasCycleTest, BothOrdersOfTwoClassesAreACycleWhateverTheInstances) {
  EXPECT_TRUE(Add({{1, 2}, {5, 4}}));  // a -> b on locks 1, 2; b -> a on locks 5, 4
}

}  // namespace

// Cycle search on lock graphs built from hand-made traces: components, elementary cycles once
// each, and the bounds (counted, never silent).
#include "analyzer/graph/cycle_search.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/graph/trace_graphs.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::CycleSearch;
using ::lockgraph::analyzer::CycleSearchOptions;
using ::lockgraph::analyzer::LockGraph;
using ::lockgraph::analyzer::Model;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::SizeIs;

// A model with locks 1..n (classes "l1".."ln") and one thread taking each edge.
Model ModelOf(int locks, const std::vector<std::pair<int, int>>& edges) {
  TraceBuilder t;
  t.Thread(1, "main");
  for (int i = 1; i <= locks; ++i) t.Lock(i, "l" + std::to_string(i));
  for (auto [from, to] : edges) t.Dependency(1, 0, {static_cast<uint64_t>(from)}, to);
  TempDir dir;
  Model model;
  EXPECT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  model.Finish();
  return model;
}

TEST(LockGraph, EdgesCarryTheirDependencies) {
  const Model model = ModelOf(3, {{1, 2}, {1, 2}, {2, 3}});
  const LockGraph graph = LockGraph::Build(model, LockGraph::kInstances);
  EXPECT_EQ(graph.last_node(), 3u);
  ASSERT_EQ(graph.edge_count(), 2u);
  EXPECT_EQ(graph.edge(0).from, 1u);
  EXPECT_EQ(graph.edge(0).to, 2u);
  EXPECT_THAT(graph.edge(0).witnesses, SizeIs(2));
}

TEST(CycleSearch, AcyclicGraphHasNoComponents) {
  const Model model = ModelOf(4, {{1, 2}, {2, 3}, {1, 3}, {3, 4}});
  CycleSearch search(LockGraph::Build(model, LockGraph::kInstances), {});
  EXPECT_EQ(search.cyclic_components(), 0u);
  EXPECT_TRUE(search.cycles().empty());
}

TEST(CycleSearch, FindsEachElementaryCycleOnce) {
  // 1 <-> 2, and 1 -> 2 -> 3 -> 1: two elementary cycles in one component.
  const Model model = ModelOf(3, {{1, 2}, {2, 1}, {2, 3}, {3, 1}});
  CycleSearch search(LockGraph::Build(model, LockGraph::kInstances), {});
  EXPECT_EQ(search.cyclic_components(), 1u);
  EXPECT_THAT(search.cycles(), SizeIs(2));
  EXPECT_EQ(search.cycles_not_kept(), 0u);
  EXPECT_EQ(search.components_cut_short(), 0u);
}

TEST(CycleSearch, SeparateComponentsAreSearchedSeparately) {
  const Model model = ModelOf(4, {{1, 2}, {2, 1}, {3, 4}, {4, 3}});
  CycleSearch search(LockGraph::Build(model, LockGraph::kInstances), {});
  EXPECT_EQ(search.cyclic_components(), 2u);
  EXPECT_THAT(search.cycles(), SizeIs(2));
}

TEST(CycleSearch, CyclesPastTheBoundAreCounted) {
  // A complete graph on 5 nodes has 84 elementary cycles.
  std::vector<std::pair<int, int>> edges;
  for (int a = 1; a <= 5; ++a) {
    for (int b = 1; b <= 5; ++b) {
      if (a != b) edges.push_back({a, b});
    }
  }
  const Model model = ModelOf(5, edges);
  const LockGraph graph = LockGraph::Build(model, LockGraph::kInstances);
  CycleSearch all(graph, {});
  EXPECT_THAT(all.cycles(), SizeIs(84));
  CycleSearchOptions bounded;
  bounded.max_cycles = 10;
  CycleSearch some(graph, bounded);
  EXPECT_THAT(some.cycles(), SizeIs(10));
  EXPECT_EQ(some.cycles_not_kept(), 74u);
}

TEST(CycleSearch, LongerCyclesThanTheLengthBoundAreReportedAsCutShort) {
  const Model model = ModelOf(6, {{1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 1}});
  const LockGraph graph = LockGraph::Build(model, LockGraph::kInstances);
  CycleSearchOptions short_cycles;
  short_cycles.max_length = 4;
  CycleSearch search(graph, short_cycles);
  EXPECT_TRUE(search.cycles().empty());
  EXPECT_EQ(search.components_cut_short(), 1u);
  CycleSearch full(graph, {});
  EXPECT_THAT(full.cycles(), SizeIs(1));
  EXPECT_THAT(full.cycles()[0], SizeIs(6));
}

TEST(CycleSearch, ClassSelfEdgeIsACycle) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Lock(1, "account");
  t.Lock(2, "account");
  t.Dependency(1, 0, {1}, 2);
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  CycleSearch instances(LockGraph::Build(model, LockGraph::kInstances), {});
  EXPECT_TRUE(instances.cycles().empty());
  CycleSearch classes(LockGraph::Build(model, LockGraph::kClasses), {});
  ASSERT_THAT(classes.cycles(), SizeIs(1));
  EXPECT_THAT(classes.cycles()[0], SizeIs(1));
}

TEST(CycleSearch, LargeAcyclicGraphIsLinear) {
  // A chain over 100,000 locks: deep enough to overflow a recursive search.
  std::vector<std::pair<int, int>> edges;
  for (int i = 1; i < 100000; ++i) edges.push_back({i, i + 1});
  const Model model = ModelOf(100000, edges);
  CycleSearch search(LockGraph::Build(model, LockGraph::kInstances), {});
  EXPECT_EQ(search.cyclic_components(), 0u);
}


// Two traces of one program, each with locks 1..3 of its own: the first takes 1 -> 2 -> 1,
// the second 2 -> 3 -> 2 and 3 -> 1.
Model TwoTraces(TempDir& dir) {
  Model model;
  for (int run = 0; run < 2; ++run) {
    TraceBuilder t;
    t.Thread(1, "main");
    for (int i = 1; i <= 3; ++i) t.Lock(i, "l" + std::to_string(i));
    const std::vector<std::pair<int, int>> edges =
        run == 0 ? std::vector<std::pair<int, int>>{{1, 2}, {2, 1}}
                 : std::vector<std::pair<int, int>>{{2, 3}, {3, 2}, {3, 1}};
    for (auto [from, to] : edges) t.Dependency(1, 0, {static_cast<uint64_t>(from)}, to);
    EXPECT_TRUE(
        model.AddTraceFile(t.WriteTo(dir.path(), "t" + std::to_string(run) + ".lgtrace")).ok());
  }
  model.Finish();
  return model;
}

TEST(LockGraph, ATracesGraphHasItsOwnLocksAndEdges) {
  TempDir dir;
  const Model model = TwoTraces(dir);
  ASSERT_THAT(model.trace_extents(), SizeIs(2));
  EXPECT_FALSE(model.has_process_wide_locks());
  const LockGraph whole = LockGraph::Build(model, LockGraph::kInstances);
  const LockGraph first = LockGraph::BuildForTrace(model, model.trace_extents()[0]);
  const LockGraph second = LockGraph::BuildForTrace(model, model.trace_extents()[1]);
  EXPECT_EQ(first.first_node(), 1u);
  EXPECT_EQ(first.last_node(), 3u);
  EXPECT_EQ(second.first_node(), 4u);
  EXPECT_EQ(second.last_node(), 6u);
  ASSERT_EQ(first.edge_count() + second.edge_count(), whole.edge_count());
  // The traces' edges are the whole graph's, in the same order.
  for (uint32_t e = 0; e < whole.edge_count(); ++e) {
    const LockGraph& part = e < first.edge_count() ? first : second;
    const uint32_t local = e < first.edge_count() ? e : e - first.edge_count();
    EXPECT_EQ(part.edge(local).from, whole.edge(e).from) << e;
    EXPECT_EQ(part.edge(local).to, whole.edge(e).to) << e;
    EXPECT_EQ(part.edge(local).count, whole.edge(e).count) << e;
  }
  // And so are their cycles.
  const CycleSearch all(whole, {});
  const CycleSearch in_first(first, {});
  const CycleSearch in_second(second, {});
  EXPECT_THAT(all.cycles(), SizeIs(2));
  EXPECT_THAT(in_first.cycles(), SizeIs(1));
  EXPECT_THAT(in_second.cycles(), SizeIs(1));
  EXPECT_EQ(in_first.cyclic_components() + in_second.cyclic_components(),
            all.cyclic_components());
}

// The instance graph of only the locks on a class cycle (LockGraph::BuildForTrace with the
// components of the trace's class orders) lacks the edges that led the whole graph's Tarjan
// search to its cycles; both searches take the components by their smallest lock, and so
// meet the cycles in one order.
TEST(CycleSearch, AGraphOfTheClassCyclesMeetsItsCyclesInTheWholeGraphsOrder) {
  TraceBuilder t;
  t.Thread(1, "main");
  // Lock 1 (class x) leads to the cycle 3 <-> 4 (classes r, s); 2 <-> 5 (p, q) is apart.
  const char* classes[] = {"x", "p", "r", "s", "q"};
  for (uint64_t lock = 1; lock <= 5; ++lock) t.Lock(lock, classes[lock - 1]);
  for (auto [from, to] : std::vector<std::pair<uint64_t, uint64_t>>{
           {1, 3}, {3, 4}, {4, 3}, {2, 5}, {5, 2}}) {
    t.Dependency(1, 0, {from}, to);
  }
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  const auto [whole, on_cycles] = lockgraph::testing::GraphsOfLastTrace(model);
  EXPECT_EQ(whole.edge_count(), 5u);
  EXPECT_EQ(on_cycles.edge_count(), 4u);  // not 1 -> 3
  // Each cycle by its first edge's locks. Tarjan's search of the whole graph completes
  // 3 <-> 4 first (met from lock 1); 2 <-> 5 has the smaller lock, and comes first in both.
  auto first_edges = [](const LockGraph& graph) {
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (const CycleSearch search(graph, {}); const auto& cycle : search.cycles()) {
      edges.emplace_back(graph.edge(cycle[0]).from, graph.edge(cycle[0]).to);
    }
    return edges;
  };
  EXPECT_THAT(first_edges(whole), ElementsAre(Pair(2, 5), Pair(3, 4)));
  EXPECT_THAT(first_edges(on_cycles), ElementsAre(Pair(2, 5), Pair(3, 4)));
}

}  // namespace

// Tests of runtime/online/incremental_order_graph.h: edge insertion, cycle marking (checked against a
// brute-force reachability model), MayReach, FindPaths and RemoveNode.
#include "runtime/online/incremental_order_graph.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace {

using lockgraph::runtime::IncrementalOrderGraph;
using EdgeId = IncrementalOrderGraph::EdgeId;
using Arc = std::pair<uint64_t, uint64_t>;
using Path = std::vector<Arc>;

// Every path FindPaths reports, as (from, to) sequences, sorted.
std::vector<Path> Paths(const IncrementalOrderGraph& graph, uint64_t from, uint64_t to,
                        int max_edges = 16, int max_paths = 1000, bool* complete = nullptr) {
  std::vector<Path> paths;
  const bool done = graph.FindPaths(from, to, max_edges, max_paths,
                                    [&](absl::Span<const EdgeId> edges) {
                                      Path path;
                                      for (EdgeId id : edges) {
                                        path.push_back({graph.edge(id).from, graph.edge(id).to});
                                      }
                                      paths.push_back(path);
                                      return true;
                                    });
  if (complete != nullptr) *complete = done;
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(IncrementalOrderGraph, AddEdgeReportsWhetherItAdded) {
  IncrementalOrderGraph graph;
  bool added = false;
  const EdgeId ab = graph.AddEdge(10, 20, &added);
  EXPECT_TRUE(added);
  const EdgeId bc = graph.AddEdge(20, 30, &added);
  EXPECT_TRUE(added);
  EXPECT_NE(ab, bc);
  EXPECT_EQ(graph.AddEdge(10, 20, &added), ab);
  EXPECT_FALSE(added);
  EXPECT_EQ(graph.AddEdge(10, 20), ab);  // `added` is optional
  const EdgeId ba = graph.AddEdge(20, 10, &added);  // the reverse is a different edge
  EXPECT_TRUE(added);
  EXPECT_NE(ba, ab);
  EXPECT_EQ(graph.edge_count(), 3u);
  EXPECT_EQ(graph.node_count(), 3u);
  EXPECT_EQ(graph.edge(ab).from, 10u);
  EXPECT_EQ(graph.edge(ab).to, 20u);
  EXPECT_TRUE(graph.edge(ab).live);
  EXPECT_FALSE(graph.edge(ab).cyclic);
}

TEST(IncrementalOrderGraph, TwoCycleMarksTheClosingEdgeCyclic) {
  IncrementalOrderGraph graph;
  const EdgeId ab = graph.AddEdge(1, 2);
  EXPECT_EQ(graph.cyclic_edge_count(), 0u);
  const EdgeId ba = graph.AddEdge(2, 1);
  EXPECT_FALSE(graph.edge(ab).cyclic);
  EXPECT_TRUE(graph.edge(ba).cyclic);
  EXPECT_EQ(graph.cyclic_edge_count(), 1u);
  EXPECT_EQ(graph.edge_count(), 2u);
  // Adding it again changes nothing.
  bool added = true;
  EXPECT_EQ(graph.AddEdge(2, 1, &added), ba);
  EXPECT_FALSE(added);
  EXPECT_EQ(graph.cyclic_edge_count(), 1u);
}

TEST(IncrementalOrderGraph, SelfEdgeIsCyclic) {
  IncrementalOrderGraph graph;
  const EdgeId aa = graph.AddEdge(5, 5);
  EXPECT_TRUE(graph.edge(aa).cyclic);
  EXPECT_EQ(graph.cyclic_edge_count(), 1u);
  EXPECT_EQ(graph.node_count(), 1u);
}

TEST(IncrementalOrderGraph, LongCycleMarksOnlyTheClosingEdge) {
  IncrementalOrderGraph graph;
  const EdgeId e12 = graph.AddEdge(1, 2);
  const EdgeId e23 = graph.AddEdge(2, 3);
  const EdgeId e34 = graph.AddEdge(3, 4);
  const EdgeId e41 = graph.AddEdge(4, 1);
  EXPECT_FALSE(graph.edge(e12).cyclic);
  EXPECT_FALSE(graph.edge(e23).cyclic);
  EXPECT_FALSE(graph.edge(e34).cyclic);
  EXPECT_TRUE(graph.edge(e41).cyclic);
  EXPECT_FALSE(graph.edge(graph.AddEdge(1, 4)).cyclic);  // a shortcut agrees with the order
  EXPECT_TRUE(graph.edge(graph.AddEdge(3, 1)).cyclic);   // 1 reaches 3
  EXPECT_EQ(graph.cyclic_edge_count(), 2u);
}

TEST(IncrementalOrderGraph, ReordersWhenAnEdgeDisagreesWithoutACycle) {
  IncrementalOrderGraph graph;
  graph.AddEdge(3, 4);  // nodes in order 3, 4
  graph.AddEdge(1, 2);  // then 1, 2
  const EdgeId e23 = graph.AddEdge(2, 3);  // 2 is after 3: reorder, no cycle
  EXPECT_FALSE(graph.edge(e23).cyclic);
  EXPECT_EQ(graph.cyclic_edge_count(), 0u);
  EXPECT_TRUE(graph.MayReach(1, 4));
  EXPECT_TRUE(graph.MayReach(2, 3));
  EXPECT_TRUE(graph.MayReach(1, 3));
  EXPECT_FALSE(graph.MayReach(4, 1));
  EXPECT_FALSE(graph.MayReach(3, 2));
  EXPECT_FALSE(graph.MayReach(3, 1));
  // Now 4 -> 1 closes 1 -> 2 -> 3 -> 4.
  EXPECT_TRUE(graph.edge(graph.AddEdge(4, 1)).cyclic);
}

TEST(IncrementalOrderGraph, MayReachIsFalseForUnknownAndUnrelatedNodes) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 3);
  graph.AddEdge(4, 5);
  EXPECT_FALSE(graph.MayReach(1, 99));
  EXPECT_FALSE(graph.MayReach(99, 1));
  EXPECT_FALSE(graph.MayReach(98, 99));
  EXPECT_TRUE(graph.MayReach(1, 2));
  EXPECT_TRUE(graph.MayReach(1, 3));
  EXPECT_FALSE(graph.MayReach(3, 1));
  EXPECT_FALSE(graph.MayReach(2, 1));
  // Unrelated nodes: at most one direction may be answered "maybe".
  for (uint64_t a : {1, 2, 3}) {
    for (uint64_t b : {4, 5}) {
      EXPECT_FALSE(graph.MayReach(a, b) && graph.MayReach(b, a)) << a << " " << b;
    }
  }
  EXPECT_FALSE(graph.MayReach(5, 4));
}

TEST(IncrementalOrderGraph, MayReachIsConservativeOnceACycleExists) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 3);
  graph.AddEdge(3, 1);  // cyclic
  ASSERT_EQ(graph.cyclic_edge_count(), 1u);
  // 3 -> 1 -> 2 really exists, through the cyclic edge.
  EXPECT_TRUE(graph.MayReach(3, 2));
  EXPECT_TRUE(graph.MayReach(2, 1));
  EXPECT_FALSE(graph.MayReach(3, 42));
}

TEST(IncrementalOrderGraph, FindPathsEnumeratesExactlyTheSimplePaths) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 4);
  graph.AddEdge(1, 3);
  graph.AddEdge(3, 4);
  graph.AddEdge(1, 4);
  graph.AddEdge(2, 3);
  graph.AddEdge(4, 5);
  bool complete = false;
  EXPECT_EQ(Paths(graph, 1, 4, 16, 1000, &complete),
            (std::vector<Path>{{{1, 2}, {2, 3}, {3, 4}},
                               {{1, 2}, {2, 4}},
                               {{1, 3}, {3, 4}},
                               {{1, 4}}}));
  EXPECT_TRUE(complete);
  EXPECT_EQ(Paths(graph, 2, 5),
            (std::vector<Path>{{{2, 3}, {3, 4}, {4, 5}}, {{2, 4}, {4, 5}}}));
  EXPECT_TRUE(Paths(graph, 4, 1).empty());
  EXPECT_TRUE(Paths(graph, 5, 2).empty());
}

TEST(IncrementalOrderGraph, FindPathsRespectsMaxEdges) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 4);
  graph.AddEdge(1, 3);
  graph.AddEdge(3, 4);
  graph.AddEdge(1, 4);
  graph.AddEdge(2, 3);
  EXPECT_EQ(Paths(graph, 1, 4, 2),
            (std::vector<Path>{{{1, 2}, {2, 4}}, {{1, 3}, {3, 4}}, {{1, 4}}}));
  EXPECT_EQ(Paths(graph, 1, 4, 1), (std::vector<Path>{{{1, 4}}}));
  EXPECT_EQ(Paths(graph, 1, 4, 3).size(), 4u);
  EXPECT_TRUE(Paths(graph, 1, 4, 0).empty());
  EXPECT_TRUE(Paths(graph, 1, 4, -1).empty());
}

TEST(IncrementalOrderGraph, FindPathsStopsAtMaxPathsAndWhenVisitSaysSo) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 4);
  graph.AddEdge(1, 3);
  graph.AddEdge(3, 4);
  graph.AddEdge(1, 4);
  bool complete = true;
  EXPECT_EQ(Paths(graph, 1, 4, 16, 2, &complete).size(), 2u);
  EXPECT_FALSE(complete);  // cut short by max_paths
  EXPECT_EQ(Paths(graph, 1, 4, 16, 4, &complete).size(), 3u);
  EXPECT_TRUE(complete);

  int calls = 0;
  const bool result = graph.FindPaths(1, 4, 16, 100, [&](absl::Span<const EdgeId> path) {
    ++calls;
    EXPECT_FALSE(path.empty());
    return false;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(result);  // stopped by visit, not by a bound
}

TEST(IncrementalOrderGraph, FindPathsStopsAtMaxSteps) {
  IncrementalOrderGraph graph;
  // A ladder with 2^10 paths from 0 to 20.
  for (uint64_t i = 0; i < 20; i += 2) {
    graph.AddEdge(i, i + 1);
    graph.AddEdge(i, i + 2);
    graph.AddEdge(i + 1, i + 2);
  }
  int calls = 0;
  EXPECT_FALSE(graph.FindPaths(0, 20, 100, 100000, [&](auto) { return ++calls, true; },
                               /*max_steps=*/50));
  EXPECT_LT(calls, 1024);
  calls = 0;
  EXPECT_TRUE(graph.FindPaths(0, 20, 100, 100000, [&](auto) { return ++calls, true; }));
  EXPECT_EQ(calls, 1024);
}

TEST(IncrementalOrderGraph, FindPathsOnUnknownNodesFindsNothing) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  int calls = 0;
  EXPECT_TRUE(graph.FindPaths(1, 99, 8, 8, [&](auto) { return ++calls, true; }));
  EXPECT_TRUE(graph.FindPaths(99, 2, 8, 8, [&](auto) { return ++calls, true; }));
  EXPECT_EQ(calls, 0);
}

TEST(IncrementalOrderGraph, FindPathsFollowsCyclicEdges) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 1);  // cyclic
  graph.AddEdge(2, 3);
  graph.AddEdge(3, 1);  // cyclic
  ASSERT_EQ(graph.cyclic_edge_count(), 2u);
  EXPECT_EQ(Paths(graph, 1, 3), (std::vector<Path>{{{1, 2}, {2, 3}}}));
  EXPECT_EQ(Paths(graph, 3, 2), (std::vector<Path>{{{3, 1}, {1, 2}}}));
  EXPECT_EQ(Paths(graph, 2, 1), (std::vector<Path>{{{2, 1}}, {{2, 3}, {3, 1}}}));
  // The cycle through a cyclic edge b -> a is found as the paths a -> b.
  EXPECT_EQ(Paths(graph, 1, 2), (std::vector<Path>{{{1, 2}}}));
}

TEST(IncrementalOrderGraph, RemoveNodeRemovesItsEdgesAndReturnsTheirIds) {
  IncrementalOrderGraph graph;
  const EdgeId e12 = graph.AddEdge(1, 2);
  const EdgeId e21 = graph.AddEdge(2, 1);  // cyclic
  const EdgeId e23 = graph.AddEdge(2, 3);
  const EdgeId e13 = graph.AddEdge(1, 3);
  const EdgeId e22 = graph.AddEdge(2, 2);  // cyclic self-edge
  ASSERT_EQ(graph.cyclic_edge_count(), 2u);
  std::vector<EdgeId> removed = graph.RemoveNode(2);
  std::sort(removed.begin(), removed.end());
  std::vector<EdgeId> expected = {e12, e21, e23, e22};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed, expected);
  EXPECT_EQ(graph.edge_count(), 1u);
  EXPECT_EQ(graph.cyclic_edge_count(), 0u);
  EXPECT_EQ(graph.node_count(), 2u);
  for (EdgeId id : removed) EXPECT_FALSE(graph.edge(id).live) << id;
  // The other edge keeps its id.
  EXPECT_TRUE(graph.edge(e13).live);
  EXPECT_EQ(graph.edge(e13).from, 1u);
  EXPECT_EQ(graph.edge(e13).to, 3u);
  EXPECT_EQ(Paths(graph, 1, 3), (std::vector<Path>{{{1, 3}}}));
  EXPECT_TRUE(Paths(graph, 1, 2).empty());
  EXPECT_FALSE(graph.MayReach(1, 2));
  EXPECT_FALSE(graph.MayReach(2, 3));
  EXPECT_TRUE(graph.RemoveNode(2).empty());   // already gone
  EXPECT_TRUE(graph.RemoveNode(77).empty());  // never there
}

TEST(IncrementalOrderGraph, RemovedEdgeIdsAreReused) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 3);
  graph.AddEdge(3, 4);  // ids 0, 1, 2
  const std::vector<EdgeId> removed = graph.RemoveNode(2);
  ASSERT_EQ(removed.size(), 2u);
  const std::set<EdgeId> free_ids(removed.begin(), removed.end());
  EXPECT_EQ(free_ids, (std::set<EdgeId>{0, 1}));
  bool added = false;
  const EdgeId a = graph.AddEdge(5, 6, &added);
  EXPECT_TRUE(added);
  const EdgeId b = graph.AddEdge(6, 7);
  EXPECT_EQ((std::set<EdgeId>{a, b}), free_ids);
  EXPECT_EQ(graph.edge(a).from, 5u);
  EXPECT_EQ(graph.edge(a).to, 6u);
  EXPECT_TRUE(graph.edge(a).live);
  EXPECT_FALSE(graph.edge(a).cyclic);
  EXPECT_EQ(graph.AddEdge(7, 8), 3u);  // none free: a new id
  EXPECT_EQ(graph.edge_count(), 4u);
}

TEST(IncrementalOrderGraph, ReaddedNodeStartsWithoutEdges) {
  IncrementalOrderGraph graph;
  graph.AddEdge(1, 2);
  graph.AddEdge(2, 1);  // cyclic
  graph.RemoveNode(1);
  EXPECT_EQ(graph.cyclic_edge_count(), 0u);
  // With 1 -> 2 gone, 2 -> 1 no longer closes a cycle.
  bool added = false;
  const EdgeId e21 = graph.AddEdge(2, 1, &added);
  EXPECT_TRUE(added);
  EXPECT_FALSE(graph.edge(e21).cyclic);
  EXPECT_TRUE(graph.MayReach(2, 1));
  EXPECT_FALSE(graph.MayReach(1, 2));
  EXPECT_TRUE(graph.edge(graph.AddEdge(1, 2)).cyclic);
}

// Brute-force model: the live edges and whether each was cyclic when added. An edge u -> v is
// cyclic iff v reaches u over the non-cyclic edges at insertion time.
class Model {
 public:
  bool Reaches(uint64_t from, uint64_t to) const {
    std::set<uint64_t> seen = {from};
    std::vector<uint64_t> work = {from};
    while (!work.empty()) {
      const uint64_t n = work.back();
      work.pop_back();
      if (n == to) return true;
      for (auto it = edges_.lower_bound({n, 0}); it != edges_.end() && it->first.first == n;
           ++it) {
        if (!it->second && seen.insert(it->first.second).second) work.push_back(it->first.second);
      }
    }
    return false;
  }
  bool Has(Arc arc) const { return edges_.count(arc) > 0; }
  bool Add(Arc arc) {
    const bool cyclic = Reaches(arc.second, arc.first);
    edges_[arc] = cyclic;
    nodes_.insert(arc.first);
    nodes_.insert(arc.second);
    return cyclic;
  }
  std::set<Arc> Remove(uint64_t node) {
    std::set<Arc> removed;
    for (auto it = edges_.begin(); it != edges_.end();) {
      if (it->first.first == node || it->first.second == node) {
        removed.insert(it->first);
        it = edges_.erase(it);
      } else {
        ++it;
      }
    }
    nodes_.erase(node);
    return removed;
  }
  size_t cyclic_count() const {
    return std::count_if(edges_.begin(), edges_.end(), [](const auto& e) { return e.second; });
  }
  const std::map<Arc, bool>& edges() const { return edges_; }
  const std::set<uint64_t>& nodes() const { return nodes_; }

 private:
  std::map<Arc, bool> edges_;
  std::set<uint64_t> nodes_;
};

TEST(IncrementalOrderGraph, CyclicMarkingMatchesBruteForceOnRandomGraphs) {
  constexpr uint64_t kNodes = 50;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    IncrementalOrderGraph graph;
    Model model;
    std::map<Arc, EdgeId> ids;
    int cyclic_seen = 0, acyclic_seen = 0, removals = 0;
    for (int step = 0; step < 400; ++step) {
      if (rng() % 20 == 0) {
        const uint64_t node = rng() % kNodes;
        const std::vector<EdgeId> removed = graph.RemoveNode(node);
        const std::set<Arc> expected = model.Remove(node);
        std::set<Arc> got;
        for (EdgeId id : removed) {
          EXPECT_FALSE(graph.edge(id).live);
          got.insert({graph.edge(id).from, graph.edge(id).to});
        }
        ASSERT_EQ(got, expected) << "seed " << seed << " step " << step;
        ASSERT_EQ(removed.size(), expected.size());
        for (const Arc& arc : expected) ids.erase(arc);
        ++removals;
      } else {
        const Arc arc = {rng() % kNodes, rng() % kNodes};
        bool added = false;
        const EdgeId id = graph.AddEdge(arc.first, arc.second, &added);
        ASSERT_EQ(graph.edge(id).from, arc.first);
        ASSERT_EQ(graph.edge(id).to, arc.second);
        ASSERT_TRUE(graph.edge(id).live);
        if (model.Has(arc)) {
          ASSERT_FALSE(added) << "seed " << seed << " step " << step;
          ASSERT_EQ(id, ids.at(arc));
        } else {
          ASSERT_TRUE(added) << "seed " << seed << " step " << step;
          const bool cyclic = model.Add(arc);
          ASSERT_EQ(graph.edge(id).cyclic, cyclic)
              << "seed " << seed << " step " << step << ": " << arc.first << " -> "
              << arc.second;
          ids[arc] = id;
          (cyclic ? cyclic_seen : acyclic_seen)++;
        }
      }
      ASSERT_EQ(graph.edge_count(), model.edges().size()) << "seed " << seed;
      ASSERT_EQ(graph.cyclic_edge_count(), model.cyclic_count()) << "seed " << seed;
      ASSERT_EQ(graph.node_count(), model.nodes().size()) << "seed " << seed;
    }
    for (const auto& [arc, cyclic] : model.edges()) {
      if (!cyclic) {
        EXPECT_TRUE(graph.MayReach(arc.first, arc.second));
      }
    }
    EXPECT_GT(cyclic_seen, 0) << "seed " << seed;
    EXPECT_GT(acyclic_seen, 0) << "seed " << seed;
    EXPECT_GT(removals, 0) << "seed " << seed;
  }
}

TEST(IncrementalOrderGraph, KeepsATopologicalOrderOnRandomAcyclicGraphs) {
  constexpr uint64_t kNodes = 50;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    // A hidden order: edges only go from lower to higher rank, so no cycle exists, but they
    // arrive in random order and force reorders.
    std::vector<uint64_t> rank(kNodes);
    std::iota(rank.begin(), rank.end(), 0);
    std::shuffle(rank.begin(), rank.end(), rng);
    IncrementalOrderGraph graph;
    Model model;
    for (int step = 0; step < 300; ++step) {
      if (rng() % 25 == 0) {
        const uint64_t node = rng() % kNodes;
        EXPECT_EQ(graph.RemoveNode(node).size(), model.Remove(node).size());
        continue;
      }
      uint64_t a = rng() % kNodes, b = rng() % kNodes;
      if (a == b) continue;
      if (rank[a] > rank[b]) std::swap(a, b);
      const EdgeId id = graph.AddEdge(a, b);
      if (!model.Has({a, b})) {
        ASSERT_FALSE(model.Add({a, b}));
      }
      ASSERT_FALSE(graph.edge(id).cyclic) << "seed " << seed << " step " << step;
      ASSERT_EQ(graph.cyclic_edge_count(), 0u);
      for (const auto& [arc, cyclic] : model.edges()) {
        ASSERT_TRUE(graph.MayReach(arc.first, arc.second))
            << "seed " << seed << " step " << step << ": " << arc.first << " -> " << arc.second;
        ASSERT_FALSE(graph.MayReach(arc.second, arc.first))
            << "seed " << seed << " step " << step << ": " << arc.first << " -> " << arc.second;
      }
    }
    // Every reachable pair is ordered, never the reverse.
    int reachable = 0;
    for (uint64_t u : model.nodes()) {
      for (uint64_t v : model.nodes()) {
        if (u == v || !model.Reaches(u, v)) continue;
        ++reachable;
        EXPECT_TRUE(graph.MayReach(u, v)) << "seed " << seed << ": " << u << " -> " << v;
        EXPECT_FALSE(graph.MayReach(v, u)) << "seed " << seed << ": " << u << " -> " << v;
      }
    }
    EXPECT_GT(reachable, 0) << "seed " << seed;
  }
}

// All simple paths from -> to of at most max_edges edges, by brute force.
void SimplePaths(const Model& model, uint64_t node, uint64_t to, int max_edges,
                 std::vector<uint64_t>& on_path, Path& path, std::vector<Path>& out) {
  if (static_cast<int>(path.size()) == max_edges) return;
  for (const auto& [arc, cyclic] : model.edges()) {
    if (arc.first != node) continue;
    if (arc.second == to) {
      path.push_back(arc);
      out.push_back(path);
      path.pop_back();
      continue;
    }
    if (std::find(on_path.begin(), on_path.end(), arc.second) != on_path.end()) continue;
    on_path.push_back(arc.second);
    path.push_back(arc);
    SimplePaths(model, arc.second, to, max_edges, on_path, path, out);
    path.pop_back();
    on_path.pop_back();
  }
}

TEST(IncrementalOrderGraph, FindPathsMatchesBruteForceOnRandomGraphs) {
  constexpr uint64_t kNodes = 8;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    IncrementalOrderGraph graph;
    Model model;
    // Odd seeds: acyclic graphs (the pruned search); even seeds: anything goes.
    const bool acyclic = seed % 2 == 1;
    for (int i = 0; i < 16; ++i) {
      uint64_t a = rng() % kNodes, b = rng() % kNodes;
      if (a == b) continue;
      if (acyclic && a > b) std::swap(a, b);
      graph.AddEdge(a, b);
      if (!model.Has({a, b})) model.Add({a, b});
    }
    if (acyclic) {
      ASSERT_EQ(graph.cyclic_edge_count(), 0u);
    }
    for (uint64_t u : model.nodes()) {
      for (uint64_t v : model.nodes()) {
        if (u == v) continue;
        for (int max_edges : {1, 2, 3, 16}) {
          std::vector<Path> expected;
          std::vector<uint64_t> on_path = {u};
          Path path;
          SimplePaths(model, u, v, max_edges, on_path, path, expected);
          std::sort(expected.begin(), expected.end());
          bool complete = false;
          ASSERT_EQ(Paths(graph, u, v, max_edges, 100000, &complete), expected)
              << "seed " << seed << ": " << u << " -> " << v << " max_edges " << max_edges;
          EXPECT_TRUE(complete);
        }
      }
    }
  }
}

}  // namespace

// LockGraph::Build: which dependencies an edge keeps as witnesses, and its out-edge lists;
// LockGraphBuilder::LastAddComponents, which spares the streamed analysis most instance graphs
// and most of the rest, and the instance graph of only the locks on a class cycle.
#include "analyzer/graph/lock_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/graph/trace_graphs.h"
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
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

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

TEST(LockGraph, WitnessesPastHalfAreOneAThreadPastTheSixtyFourthAndAcrossTraces) {
  // Class edge a -> b. Trace 1 has 100 threads: 32 dependencies of thread 1 fill the first
  // half of the list; then 20 threads, from both ends (the builder keeps a trace's first 64
  // threads as bits and the rest in a set), two dependencies each. Trace 2 numbers its
  // threads from 1 again: its threads 1 and 2, new threads of the model, two each.
  TempDir dir;
  Model model;
  {
    TraceBuilder t;
    for (uint32_t tid = 1; tid <= 100; ++tid) t.Thread(tid, "t" + std::to_string(tid));
    t.Lock(1, "a");
    t.Lock(2, "b");
    for (uint32_t segment = 0; segment < 32; ++segment) t.Dependency(1, segment, {1}, 2);
    for (uint32_t i = 0; i < 10; ++i) {
      for (const uint32_t tid : {100 - i, 2 + i}) {
        t.Dependency(tid, 0, {1}, 2);
        t.Dependency(tid, 1, {1}, 2);
      }
    }
    ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path(), "1.lgtrace")).ok());
  }
  {
    TraceBuilder t;
    t.Thread(1, "main");
    t.Thread(2, "worker");
    t.Lock(1, "a");
    t.Lock(2, "b");
    for (uint32_t segment = 0; segment < 2; ++segment) {
      t.Dependency(1, segment, {1}, 2);
      t.Dependency(2, segment, {1}, 2);
    }
    ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path(), "2.lgtrace")).ok());
  }
  // A thread's place among its trace's threads counts from the trace's first thread.
  ASSERT_THAT(model.trace_extents(), SizeIs(2));
  EXPECT_EQ(model.trace_extents()[0].first_thread, 1u);
  EXPECT_EQ(model.trace_extents()[0].end_thread, 101u);
  EXPECT_EQ(model.trace_extents()[1].first_thread, 101u);
  EXPECT_EQ(model.trace_extents()[1].end_thread, 103u);
  const LockGraph graph = LockGraph::Build(model, LockGraph::kClasses);
  ASSERT_EQ(graph.edge_count(), 1u);
  const GraphEdge& edge = graph.edge(0);
  std::vector<std::pair<uint32_t, uint32_t>> later;  // (trace, tid) past the first half
  for (size_t i = LockGraph::kMaxWitnesses / 2; i < edge.witnesses.size(); ++i) {
    const auto& thread = model.thread(model.dependencies()[edge.witnesses[i].dependency].thread);
    later.emplace_back(thread.trace, thread.tid);
  }
  std::vector<std::pair<uint32_t, uint32_t>> expected;
  for (uint32_t i = 0; i < 10; ++i) {
    expected.emplace_back(0, 100 - i);
    expected.emplace_back(0, 2 + i);
  }
  expected.emplace_back(1, 1);
  expected.emplace_back(1, 2);
  EXPECT_EQ(later, expected);
  EXPECT_EQ(edge.more_witnesses, 22u);
  EXPECT_EQ(edge.count, 76u);
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

// A class graph fed trace by trace, forgetting each trace's locks before the next (as the
// streamed analysis does once the model has dropped them), is the graph built at once.
TEST(LockGraph, ClassGraphForgettingEachTracesLocksIsTheWholeOne) {
  TempDir dir;
  Model model;
  for (int i = 0; i < 3; ++i) {
    TraceBuilder t(100 + i);
    t.Thread(1, "main");
    t.Thread(2, "other");
    // Each trace has its own number of locks, so that lock ids shift between traces.
    for (int lock = 1; lock <= 3 + i; ++lock) t.Lock(lock, lock % 2 ? "odd" : "even");
    t.Lock(10, "sem", lockgraph::format::SyncKind::kSemaphore, "a.cc", 1, 1);
    t.Signal(10, 2);  // a signal: no edges, in any trace
    t.Dependency(1, 0, {1}, 2);
    t.Dependency(2, 0, {2}, 3 + i);
    t.Dependency(1, 0, {10}, 1);
    t.Dependency(2, 0, {1, 2}, 3);
    ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path(), std::to_string(i) + ".lgtrace")).ok());
  }
  LockGraphBuilder builder(LockGraph::kClasses, 1);
  for (const auto& extent : model.trace_extents()) {
    builder.ForgetLocksBelow(extent.first_lock);
    builder.Add(model, extent.first_dependency, extent.end_dependency, extent.end_lock);
  }
  const LockGraph streamed = std::move(builder).Finish(model.class_count());
  const LockGraph whole = LockGraph::Build(model, LockGraph::kClasses);
  ASSERT_EQ(streamed.edge_count(), whole.edge_count());
  ASSERT_EQ(whole.edge_count(), 4u);  // odd -> even, even -> odd, even -> even, odd -> odd
  for (uint32_t e = 0; e < whole.edge_count(); ++e) {
    EXPECT_EQ(streamed.edge(e).from, whole.edge(e).from) << e;
    EXPECT_EQ(streamed.edge(e).to, whole.edge(e).to) << e;
    EXPECT_EQ(streamed.edge(e).count, whole.edge(e).count) << e;
    ASSERT_EQ(streamed.edge(e).witnesses.size(), whole.edge(e).witnesses.size()) << e;
    for (size_t w = 0; w < whole.edge(e).witnesses.size(); ++w) {
      EXPECT_EQ(streamed.edge(e).witnesses[w].dependency, whole.edge(e).witnesses[w].dependency);
      EXPECT_EQ(streamed.edge(e).witnesses[w].held_index, whole.edge(e).witnesses[w].held_index);
    }
  }
}

// What a builder holds after each Add: the edges, the witnesses the Add gave, the cyclic
// components of the edges it met.
struct Built {
  struct Edge {
    uint32_t from, to;
    uint64_t count, more_witnesses;
    std::vector<std::pair<uint32_t, uint32_t>> witnesses;  // (dependency, held index)
    bool operator==(const Edge&) const = default;
  };
  std::vector<Edge> edges;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> new_witnesses;  // by trace
  std::vector<absl::flat_hash_map<uint32_t, uint32_t>> components;       // by trace
};

// The class graph of `model`, fed trace by trace as the streamed analysis feeds it, each
// trace by `add`.
Built BuildClassesByTrace(
    const Model& model,
    const std::function<void(LockGraphBuilder&, const lockgraph::analyzer::TraceExtent&)>& add) {
  LockGraphBuilder builder(LockGraph::kClasses, 1);
  builder.TrackEachAdd();
  Built built;
  for (const auto& extent : model.trace_extents()) {
    builder.ForgetLocksBelow(extent.first_lock);
    add(builder, extent);
    auto& witnesses = built.new_witnesses.emplace_back();
    builder.ForEachNewWitness(
        [&](EdgeWitness& w) { witnesses.emplace_back(w.dependency, w.held_index); });
    built.components.push_back(builder.LastAddComponents());
  }
  const LockGraph graph = std::move(builder).Finish(model.class_count());
  for (uint32_t e = 0; e < graph.edge_count(); ++e) {
    const GraphEdge& edge = graph.edge(e);
    Built::Edge& out = built.edges.emplace_back(
        Built::Edge{edge.from, edge.to, edge.count, edge.more_witnesses, {}});
    for (const EdgeWitness& w : edge.witnesses) {
      out.witnesses.emplace_back(w.dependency, w.held_index);
    }
  }
  return built;
}

TEST(LockGraph, AddInTwoIsAddOnOneThreadWhereverItSplits) {
  // Three traces of random orders among four classes, so that each edge is offered hundreds
  // of witnesses: the first and last of 6 threads (their lists stop past half, short of
  // full), the second of 90 (full lists, and threads past the 64 a crowd keeps as bits). One to three
  // held locks, two of a class among them at times; try-locks, a signal, count records.
  TempDir dir;
  Model model;
  std::mt19937 random(7);
  for (int trace = 0; trace < 3; ++trace) {
    TraceBuilder t(100 + trace);
    const uint32_t threads = trace == 1 ? 90 : 6;
    for (uint32_t tid = 1; tid <= threads; ++tid) t.Thread(tid, "t" + std::to_string(tid));
    const char* classes[] = {"a", "b", "c", "d"};
    for (uint64_t lock = 1; lock <= 12; ++lock) t.Lock(lock, classes[lock % 4]);
    t.Lock(13, "sem", lockgraph::format::SyncKind::kSemaphore, "a.cc", 1, 1);
    t.Signal(13, 2);
    for (int i = 0; i < 3000; ++i) {
      // The second trace takes locks of classes a and b only: the other edges keep the
      // lists the others leave past half.
      std::vector<uint64_t> locks = trace == 1 ? std::vector<uint64_t>{1, 4, 5, 8, 9, 12, 13}
                                    : std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                            12, 13};
      std::shuffle(locks.begin(), locks.end(), random);
      const std::vector<uint64_t> held(locks.begin(), locks.begin() + 1 + random() % 3);
      const uint8_t flags = random() % 20 == 0 ? lockgraph::format::kAcquireTry : 0;
      // The first fifth of thread 1 alone: its lists' first half, then a few new threads.
      const uint32_t tid = i < 600 ? 1 : 1 + random() % threads;
      const uint64_t dependency = t.Dependency(tid, 0, held, locks[3], flags);
      if (random() % 3 == 0) t.Count(dependency, 1 + random() % 5);
    }
    ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path(), std::to_string(trace) + ".lgtrace")).ok());
  }
  const Built one = BuildClassesByTrace(model, [&](LockGraphBuilder& b, const auto& extent) {
    b.Add(model, extent.first_dependency, extent.end_dependency, extent.end_lock);
  });
  // The test reaches every case of the merge: full lists, lists past half, far threads.
  size_t full = 0, past_half = 0;
  for (const Built::Edge& edge : one.edges) {
    full += edge.witnesses.size() == LockGraph::kMaxWitnesses;
    past_half += edge.witnesses.size() > LockGraph::kMaxWitnesses / 2 &&
                 edge.witnesses.size() < LockGraph::kMaxWitnesses;
  }
  ASSERT_GT(full, 0u);
  ASSERT_GT(past_half, 0u);
  ASSERT_EQ(one.edges.size(), 16u);

  for (const double at : {0.0, 0.01, 0.3, 0.5, 0.97, 1.0}) {
    SCOPED_TRACE(at);
    const Built two = BuildClassesByTrace(model, [&](LockGraphBuilder& b, const auto& extent) {
      const uint32_t middle =
          extent.first_dependency +
          static_cast<uint32_t>(at * (extent.end_dependency - extent.first_dependency));
      b.AddInTwo(model, extent.first_dependency, middle, extent.end_dependency,
                 extent.end_lock);
    });
    ASSERT_EQ(two.edges.size(), one.edges.size());
    for (size_t e = 0; e < one.edges.size(); ++e) EXPECT_EQ(two.edges[e], one.edges[e]) << e;
    EXPECT_EQ(two.new_witnesses, one.new_witnesses);
    EXPECT_EQ(two.components, one.components);
  }
}

// Trace by trace, the cycles the class orders each trace gives close among themselves: the
// test the streamed analysis makes before it builds a trace's instance graph.
class LastAddComponentsTest : public ::testing::Test {
 protected:
  LastAddComponentsTest() { classes_.TrackEachAdd(); }

  // A trace of one thread whose dependencies are `orders`: (held lock, taken lock) of locks
  // 1..6, of classes a, b, c, a, b, d. Returns the components by class name.
  std::map<std::string, uint32_t> Add(const std::vector<std::pair<uint64_t, uint64_t>>& orders) {
    TraceBuilder t(100 + traces_);
    t.Thread(1, "main");
    const char* classes[] = {"a", "b", "c", "a", "b", "d"};
    for (uint64_t lock = 1; lock <= 6; ++lock) t.Lock(lock, classes[lock - 1]);
    for (const auto& [held, taken] : orders) t.Dependency(1, 0, {held}, taken);
    EXPECT_TRUE(
        model_.AddTraceFile(t.WriteTo(dir_.path(), std::to_string(traces_++) + ".lgtrace")).ok());
    const auto& extent = model_.trace_extents().back();
    classes_.Add(model_, extent.first_dependency, extent.end_dependency,
                 static_cast<uint32_t>(model_.lock_count() + 1));
    std::map<std::string, uint32_t> by_name;
    for (const auto& [class_id, component] : classes_.LastAddComponents()) {
      by_name[model_.lock_class(class_id).name] = component;
    }
    return by_name;
  }

  TempDir dir_;
  Model model_;
  LockGraphBuilder classes_{LockGraph::kClasses, 1};
  int traces_ = 0;
};

TEST_F(LastAddComponentsTest, OnlyTheLastTracesOrdersCount) {
  EXPECT_THAT(Add({{1, 2}, {2, 3}, {1, 3}}), IsEmpty());  // a -> b -> c, and a -> c
  EXPECT_THAT(Add({{3, 1}}), IsEmpty());  // c -> a closes a cycle only with the first
  EXPECT_THAT(Add({{1, 2}, {2, 3}, {3, 4}}),  // a -> b -> c -> a
              UnorderedElementsAre(Pair("a", 1), Pair("b", 1), Pair("c", 1)));
  EXPECT_THAT(Add({}), IsEmpty());
}

TEST_F(LastAddComponentsTest, TwoLocksOfAClassNestedAreACycle) {
  EXPECT_THAT(Add({{1, 4}}), ElementsAre(Pair("a", 1)));  // two instances, either order
}

TEST_F(LastAddComponentsTest, BothOrdersOfTwoClassesAreACycleWhateverTheInstances) {
  EXPECT_THAT(Add({{1, 2}, {5, 4}}),  // a -> b on locks 1, 2; b -> a on locks 5, 4
              UnorderedElementsAre(Pair("a", 1), Pair("b", 1)));
}

TEST_F(LastAddComponentsTest, ClassesOffTheCyclesAreInNone) {
  // a <-> b and c -> d -> c, joined by b -> c one way only: two components.
  const auto components = Add({{1, 2}, {2, 1}, {2, 3}, {3, 6}, {6, 3}, {6, 6}});
  ASSERT_THAT(components, SizeIs(4));
  EXPECT_EQ(components.at("a"), components.at("b"));
  EXPECT_EQ(components.at("c"), components.at("d"));
  EXPECT_NE(components.at("a"), components.at("c"));
}

// An edge of the instance graph of the class cycles has what the whole graph's has.
void ExpectSameOrder(const GraphEdge& kept, const GraphEdge& original) {
  EXPECT_EQ(kept.count, original.count);
  EXPECT_EQ(kept.more_witnesses, original.more_witnesses);
  ASSERT_EQ(kept.witnesses.size(), original.witnesses.size());
  for (size_t i = 0; i < kept.witnesses.size(); ++i) {
    EXPECT_EQ(kept.witnesses[i].dependency, original.witnesses[i].dependency);
    EXPECT_EQ(kept.witnesses[i].held_index, original.witnesses[i].held_index);
  }
}

// The instance graph of only the locks whose classes lie on a class cycle has the whole
// graph's cycles, with the same witnesses and counts, and none of the other edges.
TEST(LockGraph, InstanceGraphOfTheClassCyclesKeepsEveryCycle) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "other");
  // Locks 1, 2 (classes a, b) are taken both ways, and lead on to lock 3 (class c); lock 4
  // (class d) is taken before lock 1.
  const char* classes[] = {"a", "b", "c", "d"};
  for (uint64_t lock = 1; lock <= 4; ++lock) t.Lock(lock, classes[lock - 1]);
  t.Dependency(1, 0, {4}, 1);
  t.Count(t.Dependency(1, 0, {1}, 2), 2);  // taken three times
  t.Dependency(1, 0, {1, 2}, 3);
  t.Dependency(2, 0, {2}, 1);
  t.Dependency(2, 0, {4, 2}, 1);
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  const auto [whole, cycles] = lockgraph::testing::GraphsOfLastTrace(model);
  ASSERT_EQ(whole.edge_count(), 5u);  // 4 -> 1, 1 -> 2, 1 -> 3, 2 -> 3, 2 -> 1
  ASSERT_EQ(cycles.edge_count(), 2u);
  auto find = [](const LockGraph& graph, uint32_t from, uint32_t to) -> const GraphEdge& {
    for (size_t e = 0; e < graph.edge_count(); ++e) {
      if (graph.edge(e).from == from && graph.edge(e).to == to) return graph.edge(e);
    }
    ADD_FAILURE() << "no edge " << from << " -> " << to;
    return graph.edge(0);
  };
  for (const auto& [from, to] : {std::pair<uint32_t, uint32_t>{1, 2}, {2, 1}}) {
    ExpectSameOrder(find(cycles, from, to), find(whole, from, to));
  }
  EXPECT_EQ(find(cycles, 1, 2).count, 3u);
  EXPECT_THAT(find(cycles, 2, 1).witnesses, SizeIs(2));
  EXPECT_THAT(cycles.out_edges(1), SizeIs(1));
  EXPECT_THAT(cycles.out_edges(3), IsEmpty());
  EXPECT_THAT(cycles.out_edges(4), IsEmpty());
}

// The same of a trace large enough that another thread passes over the later half of its
// dependencies (LockGraphBuilder::AddWithinGroups): every edge between two locks of classes
// on the cycle is the whole graph's, witnesses and counts alike, in both halves.
TEST(LockGraph, InstanceGraphOfALargeTracesClassCyclesIsTheWholeGraphsPart) {
  TraceBuilder t;
  for (uint32_t tid = 1; tid <= 8; ++tid) t.Thread(tid, "t" + std::to_string(tid));
  // Locks 1..36 of classes a..f in turn, taken in class order (a before b before c ...) but
  // for a lock of b now and then held while one of a is taken: a and b make the only cycle.
  const char* classes[] = {"a", "b", "c", "d", "e", "f"};
  for (uint64_t lock = 1; lock <= 36; ++lock) t.Lock(lock, classes[(lock - 1) % 6]);
  auto class_of = [](uint64_t lock) { return (lock - 1) % 6; };
  std::mt19937 random(11);
  const int kDependencies = LockGraphBuilder::kTwoThreadDependencies + 5000;
  for (int i = 0, written = 0; written < kDependencies; ++i) {
    uint64_t held = 1 + random() % 36, taken = 1 + random() % 36;
    if (i % 97 == 0) {
      held = 2 + 6 * (random() % 6);   // of class b
      taken = 1 + 6 * (random() % 6);  // of class a
    } else if (class_of(held) >= class_of(taken)) {
      continue;
    }
    const uint64_t dependency = t.Dependency(1 + i % 8, 0, {held}, taken);
    if (random() % 4 == 0) t.Count(dependency, 2);
    ++written;
  }
  TempDir dir;
  Model model;
  ASSERT_TRUE(model.AddTraceFile(t.WriteTo(dir.path())).ok());
  ASSERT_GE(model.dependencies().size(), LockGraphBuilder::kTwoThreadDependencies);
  const auto [whole, cycles] = lockgraph::testing::GraphsOfLastTrace(model);
  std::map<std::pair<uint32_t, uint32_t>, const GraphEdge*> expected;
  for (size_t e = 0; e < whole.edge_count(); ++e) {
    const GraphEdge& edge = whole.edge(e);
    if (model.lock(edge.from).class_id == model.lock(edge.to).class_id) continue;  // none
    const std::string& from = model.lock_class(model.lock(edge.from).class_id).name;
    const std::string& to = model.lock_class(model.lock(edge.to).class_id).name;
    if ((from == "a" || from == "b") && (to == "a" || to == "b")) {
      expected[{edge.from, edge.to}] = &edge;
    }
  }
  ASSERT_EQ(expected.size(), 72u);  // each lock of a to each of b, and back
  ASSERT_EQ(cycles.edge_count(), expected.size());
  for (size_t e = 0; e < cycles.edge_count(); ++e) {
    const GraphEdge& edge = cycles.edge(e);
    const auto it = expected.find({edge.from, edge.to});
    ASSERT_NE(it, expected.end()) << edge.from << " -> " << edge.to;
    ExpectSameOrder(edge, *it->second);
  }
}

}  // namespace

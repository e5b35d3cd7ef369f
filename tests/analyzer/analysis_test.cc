// The analysis on hand-built traces: which cycles are deadlocks, potential or ruled out (and
// why), and how traces of several processes merge.
#include "analyzer/analysis.h"

#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "analyzer/input/trace_prefetcher.h"
#include "analyzer/report/json_report.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::Analyze;
using ::lockgraph::analyzer::AnalyzeStreamed;
using ::lockgraph::analyzer::FormatJsonReport;
using ::lockgraph::analyzer::StreamedCycles;
using ::lockgraph::analyzer::AnalysisOptions;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::Model;
using ::lockgraph::analyzer::Report;
using ::lockgraph::analyzer::StackSymbolizer;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::analyzer::TracePrefetcher;
using ::lockgraph::format::kAcquireShared;
using ::lockgraph::format::kAcquireTry;
using ::lockgraph::format::MisuseKind;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class AnalysisTest : public ::testing::Test {
 protected:
  // The report of the whole model, its files parsed ahead in pieces of three records
  // (TracePrefetcher, Model::AddPrefetchedTrace), where `lockgraph analyze` takes a small
  // file whole and a large one in pieces. It is checked to be the report of the files parsed
  // ahead whole, and of the files read in turn (Model::AddTraceFile), and where the traces
  // can be judged as they are read (analyzer/streamed_cycles.h), the report of that.
  Report Run(const std::vector<TraceBuilder>& traces, AnalysisOptions options = {}) {
    std::vector<std::string> paths;
    for (size_t i = 0; i < traces.size(); ++i) {
      paths.push_back(traces[i].WriteTo(dir_.path(), "t" + std::to_string(i) + ".lgtrace"));
    }
    model_ = Model();
    TracePrefetcher in_pieces(paths, /*piece_records=*/3);
    for (const std::string& path : paths) {
      EXPECT_TRUE(model_.AddPrefetchedTrace(in_pieces, path).ok());
    }
    model_.Finish();
    StackSymbolizer symbolizer(model_.traces(), std::nullopt);
    Report report = Analyze(model_, symbolizer, options);

    Model whole;
    TracePrefetcher whole_files(paths);
    for (const std::string& path : paths) {
      EXPECT_TRUE(whole.AddPrefetchedTrace(whole_files, path).ok());
    }
    whole.Finish();
    StackSymbolizer whole_symbolizer(whole.traces(), std::nullopt);
    EXPECT_EQ(FormatJsonReport(Analyze(whole, whole_symbolizer, options)),
              FormatJsonReport(report))
        << "the report of the files parsed ahead whole";

    Model read_in_turn;
    for (const std::string& path : paths) EXPECT_TRUE(read_in_turn.AddTraceFile(path).ok());
    read_in_turn.Finish();
    StackSymbolizer read_symbolizer(read_in_turn.traces(), std::nullopt);
    EXPECT_EQ(FormatJsonReport(Analyze(read_in_turn, read_symbolizer, options)),
              FormatJsonReport(report))
        << "the report of the files read in turn";

    // Judged as they are read: the last trace kept whole, as `lockgraph analyze` does, and
    // dropped like the others.
    for (const bool last_kept : {true, false}) {
      StreamedCycles streamed(options.cycles);
      Model streamed_model;
      for (size_t i = 0; i < paths.size(); ++i) {
        EXPECT_TRUE(streamed_model.AddTraceFile(paths[i]).ok());
        streamed.AfterTrace(streamed_model, last_kept && i + 1 == paths.size());
      }
      streamed_model.Finish();
      if (!streamed.active()) continue;
      StackSymbolizer streamed_symbolizer(streamed_model.traces(), std::nullopt);
      const std::optional<Report> streamed_report =
          AnalyzeStreamed(streamed_model, streamed_symbolizer, options, streamed);
      if (streamed_report) {
        EXPECT_EQ(FormatJsonReport(*streamed_report), FormatJsonReport(report))
            << "the report of the traces judged as they were read; last kept: " << last_kept;
      }
    }
    return report;
  }

  static std::vector<std::string> Kinds(const Report& report) {
    std::vector<std::string> kinds;
    for (const Finding& f : report.findings) {
      kinds.push_back(lockgraph::analyzer::FindingKindName(f.kind));
    }
    return kinds;
  }

  static std::vector<std::string> LockNames(const Finding& f) {
    std::vector<std::string> names;
    for (const auto& lock : f.locks) names.push_back(lock.class_name);
    return names;
  }

  // Two threads (2, 3) started by thread 1 before either runs.
  static TraceBuilder TwoThreads(uint64_t pid = 100) {
    TraceBuilder t(pid);
    t.Thread(1, "main");
    t.Thread(2, "first", 1, 0);
    t.Thread(3, "second", 1, 0);
    return t;
  }

  TempDir dir_;
  Model model_;
};

TEST_F(AnalysisTest, OrderGraphHasEveryClassOrderWithItsCount) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "b");
  t.Lock(2, "a");
  t.Lock(3, "a");  // a second lock of class a
  t.Lock(4, "alone");
  t.Count(t.Dependency(2, 0, {2}, 1), 4);  // a -> b, 5 times
  t.Dependency(3, 0, {3}, 1);              // a -> b again, by another thread
  t.Dependency(3, 0, {1}, 2);              // b -> a
  t.Dependency(2, 0, {1}, 4, kAcquireTry); // a try-lock: no order
  EXPECT_THAT(Run({t}).order_graph.nodes, IsEmpty()) << "only when asked for";

  AnalysisOptions options;
  options.order_graph = true;
  const Report report = Run({t}, options);
  const auto& graph = report.order_graph;
  ASSERT_THAT(graph.nodes, SizeIs(2)) << "classes in some order, by key";
  EXPECT_EQ(graph.nodes[0].class_name, "a");
  EXPECT_EQ(graph.nodes[0].label, "Lock \"a\"");
  EXPECT_EQ(graph.nodes[0].site, "a.cc:1");
  EXPECT_EQ(graph.nodes[1].class_name, "b");
  ASSERT_THAT(graph.edges, SizeIs(2));
  EXPECT_EQ(graph.edges[0].from, 0u);  // a -> b
  EXPECT_EQ(graph.edges[0].to, 1u);
  EXPECT_EQ(graph.edges[0].count, 6u);
  EXPECT_EQ(graph.edges[0].threads, 2u);
  EXPECT_EQ(graph.edges[0].thread.name, "first");
  EXPECT_EQ(graph.edges[1].from, 1u);  // b -> a
  EXPECT_EQ(graph.edges[1].count, 1u);
  EXPECT_EQ(graph.edges[1].threads, 1u);
  EXPECT_EQ(graph.edges[1].thread.name, "second");
}

TEST_F(AnalysisTest, OppositeOrdersInTwoThreadsAreADeadlock) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 1);
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  const Finding& f = report.findings[0];
  EXPECT_THAT(LockNames(f), ElementsAre("a", "b"));
  ASSERT_THAT(f.edges, SizeIs(2));
  EXPECT_EQ(f.edges[0].thread.name, "first");   // a -> b
  EXPECT_EQ(f.edges[1].thread.name, "second");  // b -> a
  EXPECT_EQ(f.edges[0].thread.pid, 100u);
  EXPECT_THAT(f.message, HasSubstr("lock-order cycle between \"a\" and \"b\""));
  EXPECT_THAT(f.fix, HasSubstr("std::scoped_lock"));
  EXPECT_THAT(f.id, ::testing::StartsWith("LG-"));
  EXPECT_THAT(report.ruled_out, IsEmpty());
}

// The runtime never writes a dependency that holds nothing, but a damaged or hand-made trace
// may: it orders nothing and the rest of the trace is analyzed as usual (found by the fuzzer,
// when such a record came first).
TEST_F(AnalysisTest, ADependencyHoldingNothingOrdersNothing) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {}, 1);
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {}, 2);
  t.Dependency(3, 0, {2}, 1);
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  EXPECT_THAT(LockNames(report.findings[0]), ElementsAre("a", "b"));
  ASSERT_THAT(report.findings[0].edges, SizeIs(2));
}

TEST_F(AnalysisTest, FixKeepsTheOrderTakenMoreOften) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Count(t.Dependency(2, 0, {1}, 2), 99);  // a -> b, 100 times
  t.Dependency(3, 0, {2}, 1);               // b -> a, once
  const Report report = Run({t});
  ASSERT_THAT(report.findings, SizeIs(1));
  EXPECT_EQ(report.findings[0].edges[0].count, 100u);
  EXPECT_THAT(report.findings[0].fix, HasSubstr("keep one order (\"a\" before \"b\")"));
}

TEST_F(AnalysisTest, GateLockRulesTheCycleOutAndNamesTheGate) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Lock(9, "gate", lockgraph::format::SyncKind::kLock, "gate.cc", 7);
  t.Dependency(2, 0, {9, 1}, 2);
  t.Dependency(3, 0, {9, 2}, 1);
  const Report report = Run({t});
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("gate lock Lock \"gate\" at gate.cc:7"));
}

TEST_F(AnalysisTest, OneThreadTakingBothOrdersIsRuledOut) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(2, 0, {2}, 1);
  const Report report = Run({t});
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("single thread"));
}

TEST_F(AnalysisTest, JoinThenStartOrdersTheTwoThreads) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "first", 1, 0);
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Join(1, 1, 2);
  t.Thread(3, "second", 1, 2);
  t.Dependency(3, 0, {2}, 1);
  const Report report = Run({t});
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("ordered by thread start/join"));
}

// The graph keeps 64 witnesses per edge. Here the first 100 are threads started and joined one
// after the other, all ordered before `reverse`: the witness that makes the cycle real,
// `forward`'s, is one the graph only counted (found by tests/stress many_threads).
static TraceBuilder WitnessPastTheKeptOnes(uint64_t pid) {
  TraceBuilder t(pid);
  t.Thread(1, "main");
  t.Lock(1, "a");
  t.Lock(2, "b");
  constexpr uint32_t kSequential = 100;
  for (uint32_t i = 0; i < kSequential; ++i) {
    t.Thread(10 + i, "worker", 1, 2 * i);
    t.Dependency(10 + i, 0, {1}, 2);
    t.Join(1, 2 * i + 1, 10 + i);
  }
  t.Thread(2, "forward", 1, 2 * kSequential);
  t.Thread(3, "reverse", 1, 2 * kSequential + 1);
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 1);
  return t;
}

TEST_F(AnalysisTest, ACycleIsJudgedWithTheWitnessesTheGraphDidNotKeep) {
  const Report report = Run({WitnessPastTheKeptOnes(100)});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  std::vector<std::string> threads;
  for (const auto& edge : report.findings[0].edges) threads.push_back(edge.thread.name);
  EXPECT_THAT(threads, testing::UnorderedElementsAre("forward", "reverse"));
}

// The same in a second trace: its graph's search over every dependency of an edge looks at
// that trace's dependencies, which follow the first trace's.
TEST_F(AnalysisTest, ACycleOfALaterTraceIsJudgedWithItsOwnWitnessesTheGraphDidNotKeep) {
  TraceBuilder first = TwoThreads(100);
  first.Lock(1, "a");
  first.Lock(2, "b");
  first.Dependency(2, 0, {1}, 2);
  const Report report = Run({first, WitnessPastTheKeptOnes(200)});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  std::vector<std::string> threads;
  for (const auto& edge : report.findings[0].edges) threads.push_back(edge.thread.name);
  EXPECT_THAT(threads, testing::UnorderedElementsAre("forward", "reverse"));
  EXPECT_EQ(report.findings[0].edges[0].thread.pid, 200u);
}

// The other side of the test above: every one of 20,000 threads took A -> B before the one
// taking B -> A started, so the cycle is ruled out after all of them are judged. (Judged one
// by one against the whole thread graph, this took minutes; now one walk and a lookup each.)
TEST_F(AnalysisTest, ACycleOrderedAfterThousandsOfWitnessesIsRuledOut) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Lock(1, "a");
  t.Lock(2, "b");
  constexpr uint32_t kSequential = 20000;
  for (uint32_t i = 0; i < kSequential; ++i) {
    t.Thread(10 + i, "worker", 1, 2 * i);
    t.Dependency(10 + i, 0, {1}, 2);
    t.Join(1, 2 * i + 1, 10 + i);
  }
  t.Thread(2, "reverse", 1, 2 * kSequential);
  t.Dependency(2, 0, {2}, 1);
  const Report report = Run({t});
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("ordered by thread start/join"));
}

TEST_F(AnalysisTest, TryLockCannotCloseACycle) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 1, kAcquireTry);
  EXPECT_THAT(Kinds(Run({t})), IsEmpty());
}

TEST_F(AnalysisTest, ReadersOnlyCycleIsRuledOut) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2, kAcquireShared, kAcquireShared);
  t.Dependency(3, 0, {2}, 1, kAcquireShared, kAcquireShared);
  const Report report = Run({t});
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("shared"));
}

TEST_F(AnalysisTest, SemaphoreUsedAsASignalIsNoLock) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "sem", lockgraph::format::SyncKind::kSemaphore, "s.cc", 1, 1);
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 1);
  t.Signal(1, 3);
  EXPECT_THAT(Kinds(Run({t})), IsEmpty());
}

TEST_F(AnalysisTest, ThreeLocksOverThreeThreads) {
  TraceBuilder t = TwoThreads();
  t.Thread(4, "third", 1, 0);
  for (uint64_t id : {1, 2, 3}) t.Lock(id, std::string(1, static_cast<char>('a' + id - 1)));
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 3);
  t.Dependency(4, 0, {3}, 1);
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  EXPECT_THAT(LockNames(report.findings[0]), ElementsAre("a", "b", "c"));
}

TEST_F(AnalysisTest, SameClassesOnOtherLocksArePotential) {
  // transfer(a, b) order on accounts x, y in one thread; the reverse class order on other
  // locks elsewhere: no two threads can meet on the same locks in this run.
  TraceBuilder t = TwoThreads();
  t.Lock(1, "checking");
  t.Lock(2, "savings");
  t.Lock(3, "checking");
  t.Lock(4, "savings");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {4}, 3);
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("potential"));
  EXPECT_THAT(LockNames(report.findings[0]), ElementsAre("checking", "savings"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("between classes"));
}

TEST_F(AnalysisTest, TwoLocksOfOneClassNestedBothWaysByTwoThreadsArePotential) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "account");
  t.Lock(2, "account");
  t.Lock(3, "account");
  t.Lock(4, "account");
  t.Dependency(2, 0, {1}, 2);  // transfer(x, y)
  t.Dependency(3, 0, {3}, 4);  // transfer(z, w)
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("potential"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("two locks of class \"account\""));
}

TEST_F(AnalysisTest, OneThreadNestingOneClassIsNotPotential) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "account");
  t.Lock(2, "account");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(2, 0, {2}, 1);
  EXPECT_THAT(Kinds(Run({t})), IsEmpty());
}

TEST_F(AnalysisTest, InstanceDeadlockIsNotAlsoReportedAsPotential) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 1);
  EXPECT_THAT(Kinds(Run({t})), ElementsAre("deadlock"));
}

TEST_F(AnalysisTest, TracesOfTwoProgramsMergeByClassName) {
  TraceBuilder x(100);
  x.Thread(1, "main");
  x.Lock(1, "X");
  x.Lock(2, "Y");
  x.Dependency(1, 0, {1}, 2);
  TraceBuilder y(200);
  y.Thread(1, "main");
  y.Lock(1, "X");
  y.Lock(2, "Y");
  y.Dependency(1, 0, {2}, 1);
  EXPECT_THAT(Kinds(Run({x})), IsEmpty());
  EXPECT_THAT(Kinds(Run({y})), IsEmpty());
  const Report both = Run({x, y});
  ASSERT_THAT(Kinds(both), ElementsAre("potential"));
  EXPECT_EQ(both.summary.traces, 2u);
  EXPECT_EQ(both.findings[0].edges[0].thread.pid + both.findings[0].edges[1].thread.pid, 300u);
}

TEST_F(AnalysisTest, ForkedChildIsOrderedAfterItsParentsPast) {
  TraceBuilder parent(100, 1, 0, 0, /*realtime_ns=*/5);
  parent.Thread(1, "main");
  parent.Lock(1, "a");
  parent.Lock(2, "b");
  parent.Dependency(1, 0, {1}, 2);  // before the fork (segment 0)
  TraceBuilder child(101, /*ppid=*/100, /*parent_tid=*/1, /*parent_segment=*/0,
                     /*realtime_ns=*/5);
  child.Thread(1, "main");
  child.Lock(1, "a");
  child.Lock(2, "b");
  child.Dependency(1, 1, {2}, 1);
  const Report report = Run({parent, child});
  // Different processes: no instance cycle; the class cycle is ordered by the fork.
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("ordered by thread start/join"));
}

// A process forked by thread 1 of process 100 in that thread's segment `fork_segment`; its
// main thread (named `name`, first seen at `start_ns`) takes the ProcessLocks "x" and "y" in
// one order. Its instance ids start at `first_id`: each process numbers its own.
TraceBuilder ChildTakingXY(uint64_t pid, uint32_t fork_segment, uint64_t start_ns,
                           bool x_first, uint64_t first_id, const std::string& name) {
  TraceBuilder child(pid, /*ppid=*/100, /*parent_tid=*/1, fork_segment, /*realtime_ns=*/5);
  child.Thread(1, name, 0, 0, /*os_tid=*/0, start_ns);
  child.SharedLock(first_id, "x", "x");
  child.SharedLock(first_id + 1, "y", "y");
  // The forking thread continues in the child in segment fork_segment + 1.
  if (x_first) {
    child.Dependency(1, fork_segment + 1, {first_id}, first_id + 1);
  } else {
    child.Dependency(1, fork_segment + 1, {first_id + 1}, first_id);
  }
  return child;
}

TraceBuilder ParentOfChildren() {
  TraceBuilder parent(100, 1, 0, 0, /*realtime_ns=*/5);
  parent.Thread(1, "main");
  return parent;
}

TEST_F(AnalysisTest, ProcessLocksTakenBothWaysBySiblingProcessesAreADeadlock) {
  const Report report =
      Run({ParentOfChildren(), ChildTakingXY(101, 0, 10, /*x_first=*/true, 5, "forward"),
           ChildTakingXY(102, 1, 20, /*x_first=*/false, 7, "backward")});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  // One lock per name, whichever process numbered it how.
  EXPECT_EQ(report.summary.locks, 2u);
  const Finding& f = report.findings[0];
  EXPECT_THAT(LockNames(f), ElementsAre("x", "y"));
  for (const auto& lock : f.locks) EXPECT_EQ(lock.kind, lockgraph::format::SyncKind::kProcessLock);
  ASSERT_THAT(f.edges, SizeIs(2));
  EXPECT_EQ(f.edges[0].thread.pid, 101u);  // x -> y
  EXPECT_EQ(f.edges[1].thread.pid, 102u);  // y -> x
  EXPECT_THAT(report.ruled_out, IsEmpty());
}

TEST_F(AnalysisTest, OrdinaryLocksOfSiblingProcessesAreOnlyAPotentialDeadlock) {
  // The same orders on per-process locks: two processes never share an ordinary lock.
  TraceBuilder forward(101, 100, 1, 0, 5), backward(102, 100, 1, 1, 5);
  for (TraceBuilder* child : {&forward, &backward}) {
    child->Thread(1, "main");
    child->Lock(5, "x");
    child->Lock(6, "y");
  }
  forward.Dependency(1, 1, {5}, 6);
  backward.Dependency(1, 2, {6}, 5);
  const Report report = Run({ParentOfChildren(), forward, backward});
  EXPECT_THAT(Kinds(report), ElementsAre("potential"));
  EXPECT_EQ(report.summary.locks, 4u);
}

TEST_F(AnalysisTest, SiblingsForkedOneAfterTheOtherWasJoinedAreOrdered) {
  TraceBuilder parent = ParentOfChildren();
  parent.ProcessJoin(1, /*joiner_segment=*/1, /*child_pid=*/101, /*time_ns=*/15);
  // The parent forked 101 in segment 0, joined it in segment 1, forked 102 in segment 2.
  const Report report =
      Run({parent, ChildTakingXY(101, 0, 10, true, 5, "forward"),
           ChildTakingXY(102, 2, 20, false, 7, "backward")});
  EXPECT_THAT(Kinds(report), IsEmpty());
  ASSERT_THAT(report.ruled_out, SizeIs(1));
  EXPECT_THAT(report.ruled_out[0].reason, HasSubstr("ordered by thread start/join"));
}

TEST_F(AnalysisTest, JoinedChildHappensBeforeItsParentsLaterSegments) {
  // The parent takes y -> x after joining the child that took x -> y: ordered.
  TraceBuilder after = ParentOfChildren();
  after.SharedLock(1, "x", "x");
  after.SharedLock(2, "y", "y");
  after.ProcessJoin(1, 1, 101, 15);
  after.Dependency(1, 2, {2}, 1);
  const Report ordered = Run({after, ChildTakingXY(101, 0, 10, true, 5, "forward")});
  EXPECT_THAT(Kinds(ordered), IsEmpty());
  EXPECT_THAT(ordered.ruled_out, SizeIs(1));

  // The same, taken while the child runs (after the fork, before the join): a deadlock.
  TraceBuilder before = ParentOfChildren();
  before.SharedLock(1, "x", "x");
  before.SharedLock(2, "y", "y");
  before.Dependency(1, 1, {2}, 1);
  before.ProcessJoin(1, 1, 101, 15);
  EXPECT_THAT(Kinds(Run({before, ChildTakingXY(101, 0, 10, true, 5, "forward")})),
              ElementsAre("deadlock"));
}

TEST_F(AnalysisTest, AJoinOrdersTheChildOfThatPidForkedLastBeforeIt) {
  // Pid 101 is used twice: forked in segment 0 and joined (at 15), then reused by a child
  // forked in segment 2 that is never joined. The parent takes y -> x in segment 3.
  TraceBuilder parent = ParentOfChildren();
  parent.SharedLock(1, "x", "x");
  parent.SharedLock(2, "y", "y");
  parent.ProcessJoin(1, 1, 101, 15);
  parent.Dependency(1, 3, {2}, 1);
  const Report report = Run({parent, ChildTakingXY(101, 0, 10, true, 5, "first"),
                             ChildTakingXY(101, 2, 20, true, 5, "second")});
  // The first child is ordered before segment 3, the second is not.
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  std::vector<std::string> threads;
  for (const auto& edge : report.findings[0].edges) threads.push_back(edge.thread.name);
  EXPECT_THAT(threads, ::testing::UnorderedElementsAre("second", "main"));
}

TEST_F(AnalysisTest, LongWaitsOverTheThresholdAreGroupedBySite) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "slow");
  t.LongWait(2, 1, 150'000'000, 3);
  t.LongWait(2, 1, 400'000'000, 3);
  t.LongWait(2, 1, 50'000'000, 3);  // under the threshold
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("long-wait"));
  const Finding& f = report.findings[0];
  EXPECT_EQ(f.occurrences, 2u);
  EXPECT_EQ(f.wait_max_ns, 400'000'000u);
  EXPECT_EQ(f.waiter.name, "first");
  EXPECT_EQ(f.holder.name, "second");
  EXPECT_THAT(f.message, HasSubstr("waited 400.0 ms for Lock \"slow\""));
  AnalysisOptions strict;
  strict.long_wait_ns = 500'000'000;
  EXPECT_THAT(Kinds(Run({t}, strict)), IsEmpty());
}

TEST_F(AnalysisTest, MisuseRecordsBecomeFindings) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "l");
  t.Misuse(MisuseKind::kReleaseUnheld, 2, 1, "thread 2 \"first\" releases Lock \"l\", which is not held");
  t.Misuse(MisuseKind::kReleaseUnheld, 2, 1, "thread 2 \"first\" releases Lock \"l\", which is not held");
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("misuse"));
  EXPECT_THAT(report.findings[0].message,
              HasSubstr("release-unheld: thread 2 \"first\" releases Lock \"l\""));
  EXPECT_THAT(report.findings[0].message, HasSubstr("(2 times)"));
}

TEST_F(AnalysisTest, FindingIdsDependOnClassesNotOnLines) {
  auto cycle = [&](uint32_t line) {
    TraceBuilder t = TwoThreads();
    t.Lock(1, "a.cc:" + std::to_string(line), lockgraph::format::SyncKind::kLock, "a.cc", line);
    t.Lock(2, "b", lockgraph::format::SyncKind::kLock, "b.cc", 3);
    t.Dependency(2, 0, {1}, 2);
    t.Dependency(3, 0, {2}, 1);
    return Run({t}).findings.at(0).id;
  };
  EXPECT_EQ(cycle(10), cycle(25));  // the unnamed lock moved down the file
}

TEST_F(AnalysisTest, ClassStatisticsTakeTheLastSnapshotAndMergeTraces) {
  lockgraph::format::ClassStatsRecord early, last;
  early.acquisitions = 5;
  last.acquisitions = 10;
  last.contended = 4;
  last.wait_total_ns = 4000;
  last.wait_max_ns = 2500;
  last.wait_histogram = {{lockgraph::format::WaitBucket(100), 3},
                         {lockgraph::format::WaitBucket(2500), 1}};
  TraceBuilder t = TwoThreads();
  t.Lock(1, "l");
  t.Stats("l", early);
  t.Stats("l", last);
  TraceBuilder u = TwoThreads(200);
  u.Lock(1, "l");
  u.Stats("l", last);
  const Report report = Run({t, u});
  ASSERT_THAT(report.stats, SizeIs(1));
  EXPECT_EQ(report.stats[0].acquisitions, 20u);
  EXPECT_EQ(report.stats[0].contended, 8u);
  EXPECT_EQ(report.stats[0].wait_max_ns, 2500u);
  EXPECT_GE(report.stats[0].wait_p50_ns, 100u);
  EXPECT_LT(report.stats[0].wait_p50_ns, 2500u);
  EXPECT_EQ(report.stats[0].wait_p99_ns, 2500u);
}

// ---- Deadlocks that happened (DeadlockRecord) ----

namespace observed {

lockgraph::format::DeadlockRecord Deadlock(
    std::vector<std::pair<uint32_t, std::pair<uint64_t, uint64_t>>> threads) {
  lockgraph::format::DeadlockRecord record;
  record.time_ns = 5;
  for (const auto& [tid, held_waits] : threads) {
    lockgraph::format::DeadlockThread t;
    t.tid = tid;
    t.held = held_waits.first;
    t.waits_for = held_waits.second;
    record.threads.push_back(t);
  }
  return record;
}

}  // namespace observed

TEST_F(AnalysisTest, ADeadlockThatHappenedReplacesItsPrediction) {
  TraceBuilder t = TwoThreads();
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  t.Dependency(3, 0, {2}, 1);
  t.Add(observed::Deadlock({{2, {1, 2}}, {3, {2, 1}}}));
  const Report report = Run({t});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  const Finding& f = report.findings[0];
  EXPECT_TRUE(f.observed);
  EXPECT_THAT(f.message, HasSubstr("deadlock happened in this run: 2 threads"));
  ASSERT_THAT(f.edges, SizeIs(2));
  for (const auto& edge : f.edges) EXPECT_EQ(edge.count, 1u);
}

TEST_F(AnalysisTest, TheTwoPartsOfADeadlockAcrossProcessesAreOneFinding) {
  // Process 100's thread holds alpha and waits for beta; process 200's the other way. Each
  // trace has its own part; the ProcessLocks are one lock in both.
  TraceBuilder first(100);
  first.Thread(1, "main");
  first.SharedLock(1, "alpha", "alpha");
  first.SharedLock(2, "beta", "beta");
  first.Add(observed::Deadlock({{1, {1, 2}}}));
  TraceBuilder second(200);
  second.Thread(1, "main");
  second.SharedLock(7, "alpha", "alpha");
  second.SharedLock(8, "beta", "beta");
  second.Add(observed::Deadlock({{1, {8, 7}}}));
  const Report report = Run({first, second});
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  const Finding& f = report.findings[0];
  EXPECT_TRUE(f.observed);
  ASSERT_THAT(f.edges, SizeIs(2));
  EXPECT_NE(f.edges[0].thread.pid, f.edges[1].thread.pid);
  EXPECT_THAT(LockNames(f), ::testing::UnorderedElementsAre("alpha", "beta"));
  EXPECT_THAT(report.warnings, IsEmpty());
}

TEST_F(AnalysisTest, OneSideOfADeadlockAcrossProcessesIsAWarningNotAFinding) {
  TraceBuilder first(100);
  first.Thread(1, "main");
  first.SharedLock(1, "alpha", "alpha");
  first.SharedLock(2, "beta", "beta");
  first.Add(observed::Deadlock({{1, {1, 2}}}));
  const Report report = Run({first});
  EXPECT_THAT(report.findings, IsEmpty());
  ASSERT_THAT(report.warnings, SizeIs(1));
  EXPECT_THAT(report.warnings[0], HasSubstr("deadlock across processes"));
}

}  // namespace

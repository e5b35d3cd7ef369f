// StreamedCycles on hand-built traces: what it keeps of a trace read, and where it stops.
// (That its report is the whole model's is checked by every AnalysisTest: see Run there.)
#include "analyzer/streamed_cycles.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::Model;
using ::lockgraph::analyzer::StreamedCycles;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::SizeIs;

class StreamedCyclesTest : public ::testing::Test {
 protected:
  // Reads `trace` after those read before; `last`: no trace follows it.
  void Read(const TraceBuilder& trace, bool last = false) {
    const std::string name = "t" + std::to_string(files_++) + ".lgtrace";
    ASSERT_TRUE(model_.AddTraceFile(trace.WriteTo(dir_.path(), name)).ok());
    streamed_.AfterTrace(model_, last);
  }

  // A trace of thread 2 taking a -> c 100 times (one edge: its first 32 dependencies are
  // witnesses, the others of the same thread only counted), and a deadlock a -> b, b -> a.
  static TraceBuilder Droppable(uint64_t pid) {
    TraceBuilder t(pid);
    t.Thread(1, "main");
    t.Thread(2, "taker", 1, 0);
    t.Thread(3, "backward", 1, 0);
    t.Lock(1, "a");
    t.Lock(2, "b");
    t.Lock(3, "c");
    for (int i = 0; i < 100; ++i) t.Dependency(2, 0, {1}, 3);
    t.Dependency(2, 0, {1}, 2);
    t.Dependency(3, 0, {2}, 1);
    return t;
  }

  TempDir dir_;
  Model model_;
  StreamedCycles streamed_{{}};
  int files_ = 0;
};

TEST_F(StreamedCyclesTest, KeepsTheWitnessesOfTheCyclesAndOfTheClassGraph) {
  Read(Droppable(100));
  EXPECT_TRUE(streamed_.active());
  EXPECT_TRUE(streamed_.dropped_any());
  EXPECT_EQ(model_.dependencies_read(), 102u);
  EXPECT_EQ(model_.dependencies().size(), 32u + 2u);
  ASSERT_THAT(streamed_.instance_cycles(), SizeIs(1));
  EXPECT_THAT(streamed_.instance_cycles()[0].cycles, SizeIs(1));
  EXPECT_EQ(streamed_.summary().cycles_checked, 1u);

  // The next trace's kept dependencies follow the first's: its cycle's two, and of a -> c
  // the first of its taker, a thread new to that class edge.
  Read(Droppable(200));
  EXPECT_EQ(model_.dependencies_read(), 204u);
  EXPECT_EQ(model_.dependencies().size(), 34u + 3u);
  EXPECT_EQ(model_.trace_extents()[1].first_dependency, 34u);
  EXPECT_EQ(model_.trace_extents()[1].end_dependency, 37u);

  model_.Finish();
  const auto classes = streamed_.TakeClassGraph(model_);
  ASSERT_EQ(classes.edge_count(), 3u);
  EXPECT_EQ(classes.edge(0).count, 200u) << "a -> c: every dependency counted";
  EXPECT_EQ(classes.edge(0).more_witnesses, 200u - 33u);
  for (uint32_t e = 0; e < classes.edge_count(); ++e) {
    for (const auto& w : classes.edge(e).witnesses) {
      const auto& dep = model_.dependencies()[w.dependency];
      EXPECT_EQ(model_.lock_class(model_.lock(dep.held[w.held_index].lock).class_id).name,
                model_.lock_class(classes.edge(e).from).name);
      EXPECT_EQ(model_.lock(dep.acquired).class_id, classes.edge(e).to);
    }
  }
}

// The last trace is judged as any other, but keeps all it read: nothing is read after it.
TEST_F(StreamedCyclesTest, TheLastTraceKeepsEverything) {
  Read(Droppable(100));
  Read(Droppable(200), /*last=*/true);
  EXPECT_EQ(model_.dependencies_read(), 204u);
  EXPECT_EQ(model_.dependencies().size(), 34u + 102u) << "the first trace's kept, all of the last";
  EXPECT_EQ(model_.trace_extents()[1].first_dependency, 34u);
  EXPECT_EQ(model_.trace_extents()[1].end_dependency, 136u);
  ASSERT_THAT(streamed_.instance_cycles(), SizeIs(2)) << "its cycle judged";

  model_.Finish();
  const auto classes = streamed_.TakeClassGraph(model_);
  ASSERT_EQ(classes.edge_count(), 3u);
  EXPECT_EQ(classes.edge(0).count, 200u);
  EXPECT_EQ(classes.edge(0).more_witnesses, 200u - 33u);
  // Its witnesses name its dependencies where they were read: the first of its taker's a -> c.
  ASSERT_THAT(classes.edge(0).witnesses, SizeIs(33));
  EXPECT_EQ(classes.edge(0).witnesses.back().dependency, 34u);
}

// Once judged, a trace keeps only the locks, stacks and strings of what the findings read:
// its kept dependencies, its long waits and misuses. Ids stay; counts count everything.
TEST_F(StreamedCyclesTest, KeepsOnlyTheLocksStacksAndStringsTheFindingsRead) {
  namespace format = lockgraph::format;
  TraceBuilder t(100);
  t.Thread(1, "main");
  t.Thread(2, "taker", 1, 0);
  t.Add(format::ModuleRecord{.id = 1, .path_sid = t.String("/usr/bin/app"), .load_bias = 0,
                             .build_id = "", .function_sid = 0});
  for (uint64_t s = 1; s <= 4; ++s) t.Add(format::StackRecord{s, {{1, 0x100 * s}}});
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Lock(3, "waited");
  t.Lock(4, "misused");
  t.Lock(5, "unused");
  // a -> b 40 times by one thread: the first 32 witnesses (at stack 1), the others only
  // counted and dropped (at stack 2).
  for (int i = 0; i < 40; ++i) {
    format::DependencyRecord r;
    r.id = 100 + i;
    r.tid = 2;
    r.acquired = 2;
    r.stack_id = i < 32 ? 1 : 2;
    r.held.push_back({1, 0, 0});
    t.Add(r);
  }
  format::LongWaitRecord wait;
  wait.tid = 2;
  wait.instance = 3;
  wait.wait_ns = 1'000'000'000;
  wait.waiter_stack = 3;
  t.Add(wait);
  t.Misuse(format::MisuseKind::kReleaseUnheld, 2, 4, "released twice");
  Read(t);
  Read(Droppable(200));

  EXPECT_EQ(model_.lock_count(), 5u + 3u) << "every lock read is counted";
  EXPECT_EQ(model_.trace_extents()[1].first_lock, 6u) << "ids are never given again";
  for (const uint32_t id : {1u, 2u}) {
    EXPECT_EQ(model_.lock_class(model_.lock(id).class_id).name, id == 1 ? "a" : "b");
  }
  EXPECT_EQ(model_.lock_class(model_.lock(model_.waits()[0].lock).class_id).name, "waited");
  EXPECT_EQ(model_.lock_class(model_.lock(model_.misuses()[0].lock).class_id).name, "misused");
  EXPECT_EQ(model_.LockId(0, 1), 0u) << "the trace's instance table is gone";

  const auto& first = model_.traces()[0];
  EXPECT_TRUE(first.stacks.contains(1)) << "a witness's stack";
  EXPECT_FALSE(first.stacks.contains(2)) << "only dropped dependencies had it";
  EXPECT_TRUE(first.stacks.contains(3)) << "the long wait's";
  EXPECT_FALSE(first.stacks.contains(4));
  EXPECT_EQ(first.String(first.modules.at(1).path_sid), "/usr/bin/app");
  EXPECT_EQ(first.strings.size(), 1u) << "only the module's path";
}

// A trace whose every dependency is kept still drops a lock none of them names: a model
// that must analyze everything again cannot take it as it is.
TEST_F(StreamedCyclesTest, DroppingOnlyALockIsDroppingSomething) {
  TraceBuilder t(100);
  t.Thread(1, "main");
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Lock(3, "unused");
  t.Dependency(1, 0, {1}, 2);
  Read(t);
  EXPECT_EQ(model_.dependencies().size(), 1u) << "its one dependency is kept";
  EXPECT_TRUE(streamed_.dropped_any());
}

// Each of these makes a trace's cycles depend on what other traces say.
enum class Blocker { kProcessWideLock, kProcessJoin, kEvents, kMergeableSiteClass };

class StreamedCyclesStopTest : public StreamedCyclesTest,
                               public ::testing::WithParamInterface<Blocker> {
 protected:
  static TraceBuilder Blocking(uint64_t pid, Blocker blocker) {
    TraceBuilder t(pid);
    t.Thread(1, "main");
    switch (blocker) {
      case Blocker::kProcessWideLock:
        t.SharedLock(1, "shared", "/streamed-test");
        break;
      case Blocker::kProcessJoin:
        t.ProcessJoin(1, 0, 999, 5);
        break;
      case Blocker::kEvents:
        t.Events(1, 0, 0, {});
        break;
      case Blocker::kMergeableSiteClass: {
        // A preload class: no file, a stack of where it was first seen.
        t.Add(lockgraph::format::StackRecord{1, {}});
        lockgraph::format::ClassRecord c;
        c.id = 1;
        c.name_sid = t.String("libexample.so+0x10");
        c.site_stack_id = 1;
        t.Add(c);
        lockgraph::format::InstanceRecord i;
        i.id = 1;
        i.class_id = 1;
        i.site_stack_id = 1;
        t.Add(i);
        break;
      }
    }
    return t;
  }
};

TEST_P(StreamedCyclesStopTest, InTheFirstTraceBeforeDroppingAnything) {
  Read(Blocking(100, GetParam()));
  EXPECT_FALSE(streamed_.active());
  EXPECT_FALSE(streamed_.dropped_any());
  Read(Droppable(200));
  EXPECT_EQ(model_.dependencies().size(), 102u) << "nothing dropped after it stopped";
}

TEST_P(StreamedCyclesStopTest, InALaterTraceAfterDroppingSome) {
  Read(Droppable(100));
  Read(Blocking(200, GetParam()));
  EXPECT_FALSE(streamed_.active());
  EXPECT_TRUE(streamed_.dropped_any()) << "the caller must read the files again";
  EXPECT_THAT(streamed_.instance_cycles(), SizeIs(0));
}

INSTANTIATE_TEST_SUITE_P(Blockers, StreamedCyclesStopTest,
                         ::testing::Values(Blocker::kProcessWideLock, Blocker::kProcessJoin,
                                           Blocker::kEvents, Blocker::kMergeableSiteClass));

}  // namespace

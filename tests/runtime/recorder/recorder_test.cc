// What the recorder writes for lock patterns, read back from a real trace file.
#include <errno.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "common/llvm_symbolizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"
#include "runtime/base/futex.h"
#include "runtime/recorder/process_recorder.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using ::lockgraph::Event;
using ::lockgraph::Lock;
using ::lockgraph::RLock;
using ::lockgraph::Semaphore;
using ::lockgraph::Thread;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::format::ClassStatsRecord;
using ::lockgraph::format::DependencyCountRecord;
using ::lockgraph::format::DependencyRecord;
using ::lockgraph::format::InstanceEndRecord;
using ::lockgraph::format::LongWaitRecord;
using ::lockgraph::format::SignalReleaseRecord;
using ::lockgraph::format::ThreadJoinRecord;
using ::lockgraph::format::ThreadStartRecord;
using ::lockgraph::testing::LockName;
using ::lockgraph::testing::RecordsOf;
using ::lockgraph::testing::TraceTest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using RecorderTest = TraceTest;

uint64_t TotalCount(const Trace& trace, const DependencyRecord& dep) {
  uint64_t total = 1;  // the dependency record itself
  for (const DependencyCountRecord& c : RecordsOf<DependencyCountRecord>(trace)) {
    if (c.id == dep.id) total += c.count;
  }
  return total;
}

const ClassStatsRecord* StatsOf(const Trace& trace, const std::string& name,
                                std::vector<ClassStatsRecord>& storage) {
  storage = RecordsOf<ClassStatsRecord>(trace);
  const ClassStatsRecord* last = nullptr;  // cumulative: the last record holds the totals
  for (const ClassStatsRecord& s : storage) {
    if (trace.String(trace.classes.at(s.class_id).name_sid) == name) last = &s;
  }
  return last;
}

TEST_F(RecorderTest, RepeatedPatternIsOneDependencyWithACount) {
  Lock a("Repeat.a"), b("Repeat.b");
  for (int i = 0; i < 1000; ++i) {
    std::scoped_lock hold_a(a);
    std::scoped_lock hold_b(b);
  }
  const Trace& trace = ReadBack();
  EXPECT_THAT(Dependencies(trace, "Repeat."), ElementsAre("a -> b"));
  for (const DependencyRecord& dep : RecordsOf<DependencyRecord>(trace)) {
    EXPECT_EQ(TotalCount(trace, dep), 1000u);
  }
}

// A lock taken in a signal handler, or between a failing call and the program's read of
// errno, leaves errno as it was, as pthread_mutex_lock does: the runtime's own system calls
// (a futex wait that finds the word changed, the trace write of a new dependency) keep their
// errno to themselves.
TEST_F(RecorderTest, LockingLeavesErrnoAlone) {
  std::atomic<uint32_t> word{1};
  errno = ENOTTY;
  EXPECT_TRUE(lockgraph::runtime::FutexWait(word, 0, lockgraph::internal::Deadline::Never()));
  EXPECT_EQ(errno, ENOTTY) << "the futex wait's EAGAIN leaked";

  Lock a("Errno.a"), b("Errno.b");
  errno = ENOTTY;
  {
    std::scoped_lock hold_a(a);
    std::scoped_lock hold_b(b);
  }
  EXPECT_EQ(errno, ENOTTY);
  EXPECT_THAT(Dependencies(ReadBack(), "Errno."), ElementsAre("a -> b"));
}

// Below its largest size (16,384 slots) a thread's dependency cache grows rather than evict:
// two dependencies whose probe windows collide would otherwise evict each other at each use,
// writing a count record each time, and the trace would grow with the number of rounds.
TEST_F(RecorderTest, FewDependenciesRepeatedAreCountedOnceAtThreadExit) {
  std::vector<std::unique_ptr<Lock>> outer, inner;
  for (int i = 0; i < 40; ++i) outer.push_back(std::make_unique<Lock>(absl::StrCat("Few.o", i)));
  for (int i = 0; i < 25; ++i) inner.push_back(std::make_unique<Lock>(absl::StrCat("Few.i", i)));
  Thread worker([&] {
    for (int round = 0; round < 10; ++round) {
      for (auto& o : outer) {
        std::lock_guard hold_outer(*o);
        for (auto& i : inner) std::lock_guard hold_inner(*i);
      }
    }
  });
  worker.start();
  worker.join();
  const Trace& trace = ReadBack();
  std::map<uint64_t, int> count_records;  // dependency id -> its count records
  for (const DependencyCountRecord& c : RecordsOf<DependencyCountRecord>(trace)) {
    ++count_records[c.id];
  }
  int deps = 0;
  for (const DependencyRecord& dep : RecordsOf<DependencyRecord>(trace)) {
    if (LockName(trace, dep.acquired).rfind("Few.", 0) != 0) continue;
    ++deps;
    EXPECT_EQ(count_records[dep.id], 1) << "dependency #" << dep.id << " was evicted";
    EXPECT_EQ(TotalCount(trace, dep), 10u);
  }
  EXPECT_EQ(deps, 40 * 25);
}

TEST_F(RecorderTest, FirstLockOfAThreadRecordsNoDependency) {
  Lock a("Alone.a");
  for (int i = 0; i < 10; ++i) {
    std::lock_guard hold(a);
  }
  EXPECT_THAT(Dependencies(ReadBack(), "Alone."), IsEmpty());
}

TEST_F(RecorderTest, EachDistinctHeldListIsItsOwnDependency) {
  Lock a("Held.a"), b("Held.b"), c("Held.c");
  {
    std::lock_guard ha(a);
    std::lock_guard hb(b);
    std::lock_guard hc(c);
  }
  {
    std::lock_guard hb(b);
    std::lock_guard hc(c);
  }
  EXPECT_THAT(Dependencies(ReadBack(), "Held."), ElementsAre("a -> b", "a, b -> c", "b -> c"));
}

TEST_F(RecorderTest, TryLockIsRecordedWithTheTryFlag) {
  Lock a("Try.a"), b("Try.b");
  std::lock_guard ha(a);
  ASSERT_TRUE(b.try_lock());
  b.unlock();
  const Trace& trace = ReadBack();
  ASSERT_THAT(Dependencies(trace, "Try."), ElementsAre("a -> b"));
  EXPECT_EQ(RecordsOf<DependencyRecord>(trace).back().flags, lockgraph::format::kAcquireTry);
}

TEST_F(RecorderTest, TimedAcquisitionIsRecordedWithTheTimedFlag) {
  Lock a("Timed.a"), b("Timed.b");
  std::lock_guard ha(a);
  ASSERT_TRUE(b.try_lock_for(std::chrono::seconds(1)));
  b.unlock();
  const Trace& trace = ReadBack();
  ASSERT_THAT(Dependencies(trace, "Timed."), ElementsAre("a -> b"));
  EXPECT_EQ(RecordsOf<DependencyRecord>(trace).back().flags, lockgraph::format::kAcquireTimed);
}

TEST_F(RecorderTest, RLockReentryAddsNoDependency) {
  RLock r("Reenter.r");
  Lock l("Reenter.l");
  std::lock_guard outer(r);
  std::lock_guard hold(l);
  std::lock_guard inner(r);  // re-entry while holding l: no l -> r edge
  EXPECT_THAT(Dependencies(ReadBack(), "Reenter."), ElementsAre("r -> l"));
}

TEST_F(RecorderTest, ThreadStartAndJoinOpenNewSegments) {
  Lock a("Segment.a"), b("Segment.b");
  auto nest = [&] {
    std::lock_guard ha(a);
    std::lock_guard hb(b);
  };
  nest();
  Thread child([] {}, "Segment.child");
  child.start();
  nest();  // same order, later segment: recorded again (it is ordered differently)
  child.join();
  nest();
  const Trace& trace = ReadBack();
  const std::vector<DependencyRecord> deps = RecordsOf<DependencyRecord>(trace);
  std::vector<uint32_t> segments;
  for (const DependencyRecord& d : deps) {
    if (LockName(trace, d.acquired) == "Segment.b") segments.push_back(d.segment);
  }
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[1], segments[0] + 1);
  EXPECT_EQ(segments[2], segments[0] + 2);

  bool saw_start = false, saw_join = false;
  for (const ThreadStartRecord& s : RecordsOf<ThreadStartRecord>(trace)) {
    if (trace.String(s.name_sid) != "Segment.child") continue;
    saw_start = true;
    EXPECT_EQ(s.tid, child.ident());
    EXPECT_EQ(s.parent_segment, segments[0]);
  }
  for (const ThreadJoinRecord& j : RecordsOf<ThreadJoinRecord>(trace)) {
    if (j.joined != child.ident()) continue;
    saw_join = true;
    EXPECT_EQ(j.joiner_segment, segments[1]);
  }
  EXPECT_TRUE(saw_start);
  EXPECT_TRUE(saw_join);
}

TEST_F(RecorderTest, DependencyStacksNameTheSourceLines) {
  Lock a("Lines.a"), b("Lines.b");
  const int held_line = __LINE__ + 1;
  std::lock_guard ha(a);
  const int acquire_line = __LINE__ + 1;
  std::lock_guard hb(b);
  const Trace& trace = ReadBack();
  auto symbolizer = lockgraph::LlvmSymbolizer::Find("");
  if (!symbolizer) GTEST_SKIP() << "no llvm-symbolizer";
  lockgraph::analyzer::StackSymbolizer stacks({&trace}, symbolizer);
  const DependencyRecord dep = RecordsOf<DependencyRecord>(trace).back();
  ASSERT_EQ(LockName(trace, dep.acquired), "Lines.b");
  auto site = [&](uint64_t stack) {
    const std::vector<lockgraph::SourceFrame> frames = stacks.Frames({0, stack});
    return lockgraph::FrameSite(frames[lockgraph::FirstUserFrame(frames)]);
  };
  EXPECT_THAT(site(dep.stack_id), ::testing::EndsWith(absl::StrCat("recorder_test.cc:", acquire_line)));
  ASSERT_EQ(dep.held.size(), 1u);
  EXPECT_THAT(site(dep.held[0].stack_id), ::testing::EndsWith(absl::StrCat("recorder_test.cc:", held_line)));
}

TEST_F(RecorderTest, LongWaitNamesTheHolder) {
  lockgraph::Options options = this->options();
  options.long_wait = std::chrono::milliseconds(1);
  SetOptions(options);
  Lock contended("LongWait.l");
  Event held, waited;
  Thread holder(
      [&] {
        std::lock_guard hold(contended);
        held.set();
        waited.wait();  // holds the lock through the whole timed wait below
      },
      "LongWait.holder");
  holder.start();
  held.wait();
  EXPECT_FALSE(contended.try_lock_for(std::chrono::milliseconds(20)));
  waited.set();
  holder.join();

  const Trace& trace = ReadBack();
  std::vector<LongWaitRecord> waits;
  for (const LongWaitRecord& w : RecordsOf<LongWaitRecord>(trace)) {
    if (LockName(trace, w.instance) == "LongWait.l") waits.push_back(w);
  }
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0].holder_tid, holder.ident());
  EXPECT_EQ(waits[0].flags, lockgraph::format::kWaitTimedOut);
  EXPECT_GE(waits[0].wait_ns, 20'000'000u);  // the deadline passed before it gave up
  EXPECT_NE(waits[0].waiter_stack, 0u);
  EXPECT_NE(waits[0].holder_stack, 0u);
  std::vector<ClassStatsRecord> storage;
  const ClassStatsRecord* stats = StatsOf(trace, "LongWait.l", storage);
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->contended, 1u);
  EXPECT_GE(stats->wait_max_ns, 20'000'000u);
}

TEST_F(RecorderTest, ClassStatisticsCountAcquisitionsAndSampleHolds) {
  lockgraph::Options options = this->options();
  options.hold_sample = 1;  // measure every hold (threads started from now on)
  SetOptions(options);
  Lock l("Stats.l");
  Thread user(
      [&] {
        for (int i = 0; i < 10; ++i) {
          std::lock_guard hold(l);
        }
      },
      "Stats.user");
  user.start();
  user.join();  // its counts are merged when it exits
  std::vector<ClassStatsRecord> storage;
  const ClassStatsRecord* stats = StatsOf(ReadBack(), "Stats.l", storage);
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->acquisitions, 10u);
  EXPECT_EQ(stats->contended, 0u);
  EXPECT_EQ(stats->hold_samples, 10u);
  EXPECT_GE(stats->hold_total_ns, stats->hold_max_ns);
}

TEST_F(RecorderTest, DestroyedLockEndsItsInstance) {
  uint64_t id = 0;
  {
    Lock a("End.a"), b("End.b");
    std::lock_guard ha(a);
    std::lock_guard hb(b);
  }
  const Trace& trace = ReadBack();
  for (const auto& [instance, record] : trace.instances) {
    if (LockName(trace, instance) == "End.b") id = instance;
  }
  ASSERT_NE(id, 0u);
  bool ended = false;
  for (const InstanceEndRecord& e : RecordsOf<InstanceEndRecord>(trace)) ended |= e.id == id;
  EXPECT_TRUE(ended);
}

TEST_F(RecorderTest, SemaphoreOfValueOneIsHeldLikeALock) {
  Semaphore binary(1, "Binary.s");
  Semaphore counting(2, "Binary.counting");
  Lock l("Binary.l");
  {
    std::lock_guard permit(binary);
    std::lock_guard hold(l);
  }
  {
    std::lock_guard permit(counting);  // a resource count, not a lock-order node
    std::lock_guard hold(l);
  }
  EXPECT_THAT(Dependencies(ReadBack(), "Binary."), ElementsAre("s -> l"));
}

TEST_F(RecorderTest, SemaphoreReleasedByAnotherThreadBecomesASignal) {
  Semaphore baton(1, "Signal.s");
  Lock l("Signal.l");
  Thread taker(
      [&] {
        baton.acquire();
        std::lock_guard hold(l);  // s -> l while s is still thought a lock
      },
      "Signal.taker");
  taker.start();
  taker.join();
  baton.release();  // by a thread that did not acquire it
  const Trace& trace = ReadBack();
  std::vector<std::string> signals;
  for (const SignalReleaseRecord& s : RecordsOf<SignalReleaseRecord>(trace)) {
    signals.push_back(LockName(trace, s.instance));
  }
  EXPECT_THAT(signals, ElementsAre("Signal.s"));
}

TEST_F(RecorderTest, ReleaseOfAnUnheldLockIsRecordedAsMisuse) {
  Lock l("Misuse.l");
  ::testing::internal::CaptureStderr();
  l.unlock();
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, ::testing::HasSubstr("misuse (release-unheld)"));
  EXPECT_THAT(report, ::testing::HasSubstr("Lock \"Misuse.l\""));
  EXPECT_FALSE(l.locked());
  const Trace& trace = ReadBack();
  std::vector<std::string> misuses;
  for (const auto& m : RecordsOf<lockgraph::format::MisuseRecord>(trace)) {
    misuses.push_back(std::string(lockgraph::format::MisuseKindName(m.kind)) + " " +
                      LockName(trace, m.instance));
  }
  EXPECT_THAT(misuses, ElementsAre("release-unheld Misuse.l"));
}

// Issue 17: a dependency another thread has cached, taken again after Configure() switched
// the trace file, is defined and counted in the new file (its cache hit used to count it for
// the closed file, where it was never written).
TEST_F(TraceTest, AnotherThreadsCachedDependencyGoesToTheNewTrace) {
  Lock a("Switch.a"), b("Switch.b");
  Event first_done, switched;
  Thread other([&] {
    {
      std::lock_guard hold_a(a);
      std::lock_guard hold_b(b);
    }
    first_done.set();
    switched.wait();
    for (int i = 0; i < 3; ++i) {
      std::lock_guard hold_a(a);
      std::lock_guard hold_b(b);
    }
  }, "other");
  other.start();
  first_done.wait();
  lockgraph::testing::TempDir second_dir;
  lockgraph::Options second = options();
  second.trace = second_dir.path() + "/second.lgtrace";
  lockgraph::Configure(second);
  switched.set();
  other.join();
  lockgraph::Flush();
  absl::StatusOr<Trace> trace = lockgraph::analyzer::ReadTraceFile(second.trace);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_THAT(Dependencies(*trace, "Switch."), ElementsAre("a -> b"));
  uint64_t occurrences = RecordsOf<DependencyRecord>(*trace).size();
  for (const DependencyCountRecord& count : RecordsOf<DependencyCountRecord>(*trace)) {
    occurrences += count.count;
  }
  EXPECT_EQ(occurrences, 3u);
}

// Issue 17: a dependency the thread has cached is only counted when taken again, without
// the cold path (signal masking and the fork lock), even when it sits outside its home slot
// of the cache. 150 dependencies in a cache of at most 512 slots: some collide, which is
// where the cold path used to be taken on every acquisition.
TEST_F(TraceTest, CachedDependenciesTakeNoColdPathWhenTakenAgain) {
  constexpr int kInner = 150;
  Lock outer("ColdPath.outer");
  std::vector<std::unique_ptr<Lock>> inner;
  for (int i = 0; i < kInner; ++i) inner.push_back(std::make_unique<Lock>("ColdPath.inner"));
  std::atomic<uint64_t>& cold = lockgraph::runtime::ProcessRecorder::Get().dependency_cold_paths;
  uint64_t first_round = 0;
  std::thread worker([&] {
    for (int round = 0; round < 5; ++round) {
      const uint64_t before = cold.load();
      for (auto& lock : inner) {
        std::lock_guard hold_outer(outer);
        std::lock_guard hold_inner(*lock);
      }
      if (round == 0) {
        first_round = cold.load() - before;
      } else {
        EXPECT_EQ(cold.load() - before, 0u) << "round " << round;
      }
    }
  });
  worker.join();
  EXPECT_EQ(first_round, static_cast<uint64_t>(kInner));
}

}  // namespace

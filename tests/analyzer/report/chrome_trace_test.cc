#include "analyzer/report/chrome_trace.h"

#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/chrome_trace_checks.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::analyzer {
namespace {

using ::lockgraph::format::Event;
using ::lockgraph::format::EventOp;
using ::lockgraph::testing::BoundSlice;
using ::lockgraph::testing::EventsOf;
using ::lockgraph::testing::Nanos;
using ::lockgraph::testing::NestingErrors;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::ThreadId;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using json = nlohmann::json;
// (send name, send seq, receiving thread, receive name, receive seq)
using SignalArrow = std::tuple<std::string, int, int64_t, std::string, int>;

// Events at `t` ticks since their block's start (1 tick = 1 ns unless the block says other).
Event Acquire(uint64_t t, uint64_t lock, uint64_t seq) {
  return {EventOp::kAcquire, t, {.object = lock, .seq = seq}};
}
Event Release(uint64_t t, uint64_t lock) { return {EventOp::kRelease, t, {.object = lock}}; }
Event Wait(uint64_t t, uint64_t object, uint64_t ns) {
  return {EventOp::kWait, t, {.object = object, .size = ns}};
}
Event Timeout(uint64_t t, uint64_t object) { return {EventOp::kTimeout, t, {.object = object}}; }
Event Send(uint64_t t, uint64_t object, uint64_t seq) {
  return {EventOp::kSend, t, {.object = object, .seq = seq}};
}
Event Receive(uint64_t t, uint64_t object, uint64_t seq) {
  return {EventOp::kReceive, t, {.object = object, .seq = seq}};
}

format::ProcessRecord Process(uint64_t pid, uint64_t monotonic_ns = 0, uint64_t realtime_ns = 1) {
  format::ProcessRecord p;
  p.pid = pid;
  p.ppid = 1;
  p.mode = format::TraceMode::kFull;
  p.monotonic_ns = monotonic_ns;
  p.realtime_ns = realtime_ns;
  return p;
}

struct Exported {
  absl::Status status;
  json trace;
  std::vector<std::string> warnings;
  ChromeTraceCounts counts;
};

Exported Export(const std::vector<std::string>& paths) {
  ChromeTraceExporter exporter;
  Exported result;
  for (const std::string& path : paths) {
    result.status = exporter.AddTraceFile(path);
    if (!result.status.ok()) return result;
  }
  std::ostringstream out;
  result.status = exporter.Write(out);
  result.trace = json::parse(out.str());  // throws, failing the test, unless it is JSON
  result.warnings = exporter.warnings();
  result.counts = exporter.counts();
  return result;
}

Exported Export(const TraceBuilder& t) {
  TempDir dir;
  return Export({t.WriteTo(dir.path())});
}

// The complete slices of thread `tid` named `name`, in file order.
std::vector<json> Slices(const json& trace, int64_t tid, const std::string& name) {
  std::vector<json> slices;
  for (const json& e : EventsOf(trace, "X", name)) {
    if (e.at("tid") == tid) slices.push_back(e);
  }
  return slices;
}

// A lock-named track: process 100, thread 1 "main" (OS thread 1001), locks 1 "a" and 2 "b".
TraceBuilder MainWithTwoLocks() {
  TraceBuilder t(Process(100), "/usr/bin/bank");
  t.Thread(1, "main", 0, 0, 1001);
  t.Lock(1, "a");
  t.Lock(2, "b");
  return t;
}

TEST(ChromeTrace, HoldsAreNestedSlicesNamedAfterTheirLocks) {
  TraceBuilder t = MainWithTwoLocks();
  t.Events(1, 0, 1000, {Acquire(0, 1, 1), Acquire(100, 2, 1), Release(250, 2), Release(400, 1)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(NestingErrors(out.trace), IsEmpty());

  const std::vector<json> a = Slices(out.trace, 1001, "hold a");
  const std::vector<json> b = Slices(out.trace, 1001, "hold b");
  ASSERT_THAT(a, SizeIs(1));
  ASSERT_THAT(b, SizeIs(1));
  EXPECT_EQ(Nanos(a[0]["ts"]), 1000);
  EXPECT_EQ(Nanos(a[0]["dur"]), 400);
  EXPECT_EQ(Nanos(b[0]["ts"]), 1100);
  EXPECT_EQ(Nanos(b[0]["dur"]), 150);
  EXPECT_EQ(a[0]["pid"], 100);
  EXPECT_EQ(a[0]["cat"], "lock");
  EXPECT_EQ(a[0]["args"]["lock"], "a");
  EXPECT_EQ(a[0]["args"]["seq"], 1);
  EXPECT_EQ(out.counts.holds, 2u);

  const std::vector<json> process = EventsOf(out.trace, "M", "process_name");
  ASSERT_THAT(process, SizeIs(1));
  EXPECT_EQ(process[0]["pid"], 100);
  EXPECT_EQ(process[0]["args"]["name"], "bank");
  EXPECT_EQ(ThreadId(out.trace, "main"), 1001);
  EXPECT_THAT(out.warnings, IsEmpty());
}

TEST(ChromeTrace, TimesFollowEachBlocksStartAndTickRate) {
  TraceBuilder t = MainWithTwoLocks();
  // 5333 ps per tick: tick 3 is 15.999 ns after the block's start.
  t.Events(1, 0, 7000, {Acquire(0, 1, 1), Acquire(3, 2, 1), Release(3000, 2)}, 5333);
  t.Events(1, 0, 40000, {Release(0, 1)}, 5333);  // a hold released in a later block
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  const std::vector<json> a = Slices(out.trace, 1001, "hold a");
  const std::vector<json> b = Slices(out.trace, 1001, "hold b");
  ASSERT_THAT(a, SizeIs(1));
  ASSERT_THAT(b, SizeIs(1));
  EXPECT_EQ(Nanos(a[0]["ts"]), 7000);
  EXPECT_EQ(Nanos(a[0]["dur"]), 33000);
  EXPECT_EQ(Nanos(b[0]["ts"]), 7015);
  EXPECT_EQ(Nanos(b[0]["dur"]), 3000 * 5333 / 1000 - 15);
}

TEST(ChromeTrace, ContendedAcquisitionGetsAnArrowFromTheRelease) {
  TraceBuilder t(Process(100), "");
  t.Thread(1, "holder", 0, 0, 1001);
  t.Thread(2, "waiter", 0, 0, 1002);
  t.Lock(1, "ledger");
  // The waiter's block comes first in the file: blocks are flushed in any order.
  t.Events(2, 0, 0, {Wait(510, 1, 400), Acquire(520, 1, 2), Release(590, 1)});
  t.Events(1, 0, 0, {Acquire(0, 1, 1), Release(500, 1), Acquire(600, 1, 3), Release(700, 1)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(NestingErrors(out.trace), IsEmpty());

  const std::vector<json> waits = Slices(out.trace, 1002, "wait ledger");
  ASSERT_THAT(waits, SizeIs(1));
  EXPECT_EQ(Nanos(waits[0]["ts"]), 110);
  EXPECT_EQ(Nanos(waits[0]["dur"]), 400);
  EXPECT_EQ(waits[0]["cat"], "wait");
  EXPECT_EQ(waits[0]["args"]["waited_ns"], 400);

  // One arrow: acquisition 3 did not wait.
  const std::vector<json> starts = EventsOf(out.trace, "s");
  const std::vector<json> ends = EventsOf(out.trace, "f");
  ASSERT_THAT(starts, SizeIs(1));
  ASSERT_THAT(ends, SizeIs(1));
  EXPECT_EQ(starts[0]["id"], ends[0]["id"]);
  EXPECT_EQ(starts[0]["name"], ends[0]["name"]);
  EXPECT_EQ(starts[0]["cat"], ends[0]["cat"]);
  EXPECT_EQ(ends[0]["bp"], "e");
  const json* from = BoundSlice(out.trace, starts[0]);
  const json* to = BoundSlice(out.trace, ends[0]);
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  EXPECT_EQ((*from)["name"], "hold ledger");
  EXPECT_EQ((*from)["tid"], 1001);
  EXPECT_EQ((*from)["args"]["seq"], 1);
  EXPECT_EQ((*to)["name"], "hold ledger");
  EXPECT_EQ((*to)["tid"], 1002);
  EXPECT_EQ((*to)["args"]["seq"], 2);
  EXPECT_EQ(out.counts.lock_arrows, 1u);
}

TEST(ChromeTrace, ArrowIsDrawnOnlyWithBothEnds) {
  TraceBuilder t(Process(100), "");
  t.Thread(1, "waiter", 0, 0, 1001);
  t.Lock(1, "ledger");
  // Acquisition 4, which released the lock to this one, is not in the trace.
  t.Events(1, 0, 0, {Wait(100, 1, 50), Acquire(110, 1, 5), Release(200, 1)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(Slices(out.trace, 1001, "wait ledger"), SizeIs(1));
  EXPECT_THAT(EventsOf(out.trace, "s"), IsEmpty());
  EXPECT_THAT(EventsOf(out.trace, "f"), IsEmpty());
}

TEST(ChromeTrace, WaitThatTimedOutIsMarked) {
  TraceBuilder t = MainWithTwoLocks();
  t.Events(1, 0, 0, {Wait(300, 1, 200), Timeout(300, 1), Wait(500, 2, 100), Acquire(500, 2, 1)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  const std::vector<json> timed_out = Slices(out.trace, 1001, "wait a");
  const std::vector<json> acquired = Slices(out.trace, 1001, "wait b");
  ASSERT_THAT(timed_out, SizeIs(1));
  ASSERT_THAT(acquired, SizeIs(1));
  EXPECT_EQ(timed_out[0]["args"]["timed_out"], true);
  EXPECT_FALSE(acquired[0]["args"].contains("timed_out"));
  EXPECT_THAT(Slices(out.trace, 1001, "hold a"), IsEmpty());
}

TEST(ChromeTrace, SignalArrowsGoFromEachSendToTheReceivesItEnds) {
  TraceBuilder t(Process(100), "");
  t.Thread(1, "setter", 0, 0, 1001);
  t.Thread(2, "first", 0, 0, 1002);
  t.Thread(3, "second", 0, 0, 1003);
  t.Lock(5, "go", format::SyncKind::kEvent);
  t.Lock(6, "permits", format::SyncKind::kSemaphore);
  t.Lock(7, "jobs", format::SyncKind::kQueue);
  // Event::set wakes both waiters; release(3) gives permits 1..3, release(2) 4..5; nobody
  // puts the job that "second" gets.
  t.Events(2, 0, 0,
           {Wait(150, 5, 100), Receive(150, 5, 1), Receive(210, 6, 1), Receive(220, 6, 3)});
  t.Events(1, 0, 0, {Send(100, 5, 1), Send(200, 6, 3), Send(300, 6, 5)});
  t.Events(3, 0, 0, {Receive(160, 5, 1), Receive(310, 6, 4), Receive(400, 7, 1)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;

  std::set<SignalArrow> arrows;
  const std::vector<json> starts = EventsOf(out.trace, "s");
  for (const json& end : EventsOf(out.trace, "f")) {
    const json* start = nullptr;
    for (const json& s : starts) {
      if (s["id"] == end["id"]) start = &s;
    }
    ASSERT_NE(start, nullptr) << end;
    EXPECT_EQ((*start)["cat"], "signal");
    const json* send = BoundSlice(out.trace, *start);
    const json* receive = BoundSlice(out.trace, end);
    ASSERT_NE(send, nullptr) << *start;
    ASSERT_NE(receive, nullptr) << end;
    EXPECT_EQ((*send)["tid"], 1001);
    arrows.insert({(*send)["name"].get<std::string>(), (*send)["args"]["seq"].get<int>(),
                   (*receive)["tid"].get<int64_t>(), (*receive)["name"].get<std::string>(),
                   (*receive)["args"]["seq"].get<int>()});
  }
  EXPECT_EQ(arrows, (std::set<SignalArrow>{{"send go", 1, 1002, "receive go", 1},
                                     {"send go", 1, 1003, "receive go", 1},
                                     {"send permits", 3, 1002, "receive permits", 1},
                                     {"send permits", 3, 1002, "receive permits", 3},
                                     {"send permits", 5, 1003, "receive permits", 4}}));
  EXPECT_THAT(starts, SizeIs(5));
  EXPECT_EQ(out.counts.signal_arrows, 5u);
  EXPECT_EQ(out.counts.signals, 9u);
  const std::vector<json> unmatched = EventsOf(out.trace, "i", "receive jobs");
  ASSERT_THAT(unmatched, SizeIs(1));
  EXPECT_EQ(unmatched[0]["args"]["kind"], "Queue");
  EXPECT_THAT(Slices(out.trace, 1002, "wait go"), SizeIs(1));
}

TEST(ChromeTrace, ReleaseOutOfOrderCutsTheHoldTakenAfter) {
  TraceBuilder t = MainWithTwoLocks();
  t.Events(1, 0, 0, {Acquire(0, 1, 1), Acquire(100, 2, 1), Release(200, 1), Release(300, 2)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(NestingErrors(out.trace), IsEmpty());
  const std::vector<json> a = Slices(out.trace, 1001, "hold a");
  const std::vector<json> b = Slices(out.trace, 1001, "hold b");
  ASSERT_THAT(a, SizeIs(1));
  ASSERT_THAT(b, SizeIs(2));
  EXPECT_EQ(Nanos(a[0]["ts"]), 0);
  EXPECT_EQ(Nanos(b[0]["ts"]), 100);
  EXPECT_LE(Nanos(b[0]["ts"]) + Nanos(b[0]["dur"]), Nanos(a[0]["ts"]) + Nanos(a[0]["dur"]));
  EXPECT_FALSE(b[0]["args"].contains("continued"));
  EXPECT_EQ(b[1]["args"]["continued"], true);
  EXPECT_GE(Nanos(b[1]["ts"]), Nanos(a[0]["ts"]) + Nanos(a[0]["dur"]));
  EXPECT_EQ(Nanos(b[1]["ts"]) + Nanos(b[1]["dur"]), 300);
}

TEST(ChromeTrace, HoldStillOpenEndsAtTheThreadsLastEvent) {
  TraceBuilder t = MainWithTwoLocks();
  t.Events(1, 0, 0, {Acquire(0, 1, 1), Acquire(50, 2, 1), Release(100, 2)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(NestingErrors(out.trace), IsEmpty());
  const std::vector<json> a = Slices(out.trace, 1001, "hold a");
  ASSERT_THAT(a, SizeIs(1));
  EXPECT_EQ(a[0]["args"]["released"], false);
  // Right after the release of b at 100 (each event of a thread gets its own nanosecond).
  EXPECT_EQ(Nanos(a[0]["dur"]), 101);
}

TEST(ChromeTrace, EventsAtOneInstantStillNest) {
  TraceBuilder t = MainWithTwoLocks();
  t.Events(1, 0, 0, {Acquire(0, 1, 1), Acquire(0, 2, 1), Release(0, 2), Release(0, 1),
                     Acquire(0, 2, 2), Release(0, 2)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(NestingErrors(out.trace), IsEmpty());
  const std::vector<json> a = Slices(out.trace, 1001, "hold a");
  const std::vector<json> b = Slices(out.trace, 1001, "hold b");
  ASSERT_THAT(a, SizeIs(1));
  ASSERT_THAT(b, SizeIs(2));
  EXPECT_GT(Nanos(b[0]["ts"]), Nanos(a[0]["ts"]));
  EXPECT_LT(Nanos(b[0]["ts"]) + Nanos(b[0]["dur"]), Nanos(a[0]["ts"]) + Nanos(a[0]["dur"]));
  EXPECT_GT(Nanos(b[1]["ts"]), Nanos(a[0]["ts"]) + Nanos(a[0]["dur"]));
}

TEST(ChromeTrace, SpawnAndJoinNameTheOtherThread) {
  TraceBuilder t(Process(100), "");
  t.Thread(1, "main", 0, 0, 1001);
  t.Thread(2, "worker", /*parent=*/1, /*parent_segment=*/3, 1002);
  t.Events(1, 3, 0, {{EventOp::kSpawn, 10, {}}, {EventOp::kJoin, 900, {.object = 2}}});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  const std::vector<json> spawn = EventsOf(out.trace, "i", "spawn worker");
  const std::vector<json> join = EventsOf(out.trace, "i", "join worker");
  ASSERT_THAT(spawn, SizeIs(1));
  ASSERT_THAT(join, SizeIs(1));
  EXPECT_EQ(spawn[0]["tid"], 1001);
  EXPECT_EQ(spawn[0]["s"], "t");
  EXPECT_EQ(spawn[0]["args"]["thread"], 2);
  EXPECT_EQ(Nanos(join[0]["ts"]), 900);
}

TEST(ChromeTrace, ProcessesKeepTheirOwnTracksOnOneClock) {
  TempDir dir;
  TraceBuilder first(Process(100, /*monotonic_ns=*/1000000), "/bin/first");
  first.Thread(1, "main", 0, 0, 1001);
  first.Lock(1, "a");
  first.Events(1, 0, 0, {Acquire(0, 1, 1), Release(10, 1)});
  TraceBuilder second(Process(200, /*monotonic_ns=*/3000000), "/bin/second");
  second.Thread(1, "main", 0, 0, 1001);  // the same OS thread id, in another run
  second.Lock(1, "a");
  second.Events(1, 0, 0, {Acquire(0, 1, 1), Release(10, 1)});
  TraceBuilder reused(Process(100, /*monotonic_ns=*/5000000, /*realtime_ns=*/2), "/bin/first");
  reused.Thread(1, "main", 0, 0, 1005);  // pid 100 again, in a later run
  const Exported out = Export({first.WriteTo(dir.path(), "1.lgtrace"),
                               second.WriteTo(dir.path(), "2.lgtrace"),
                               reused.WriteTo(dir.path(), "3.lgtrace")});
  ASSERT_TRUE(out.status.ok()) << out.status;

  const std::vector<json> processes = EventsOf(out.trace, "M", "process_name");
  ASSERT_THAT(processes, SizeIs(3));
  EXPECT_EQ(processes[0]["pid"], 100);
  EXPECT_EQ(processes[1]["pid"], 200);
  EXPECT_NE(processes[2]["pid"], 100);
  EXPECT_NE(processes[2]["pid"], 200);
  const std::vector<json> holds = EventsOf(out.trace, "X", "hold a");
  ASSERT_THAT(holds, SizeIs(2));
  EXPECT_EQ(holds[0]["pid"], 100);
  EXPECT_EQ(holds[1]["pid"], 200);
  EXPECT_NE(holds[0]["tid"], holds[1]["tid"]);
  EXPECT_EQ(Nanos(holds[0]["ts"]), 0);
  EXPECT_EQ(Nanos(holds[1]["ts"]), 2000000);
  std::set<int64_t> tids;
  for (const json& m : EventsOf(out.trace, "M", "thread_name")) {
    tids.insert(m["tid"].get<int64_t>());
  }
  EXPECT_THAT(tids, SizeIs(3));
  EXPECT_EQ(out.counts.processes, 3u);
}

TEST(ChromeTrace, RestartedTraceContinuesItsThreads) {
  // lockgraph::Configure closed the first file and started the second: one process.
  TempDir dir;
  TraceBuilder before(Process(100, 0), "");
  before.Thread(1, "main", 0, 0, 1001);
  before.Lock(1, "a");
  before.Events(1, 0, 0, {Acquire(100, 1, 1)});
  TraceBuilder after(Process(100, 0), "");
  after.Thread(1, "main", 0, 0, 1001);
  after.Lock(1, "a");
  after.Events(1, 0, 500, {Release(0, 1)});
  const Exported out = Export(
      {before.WriteTo(dir.path(), "1.lgtrace"), after.WriteTo(dir.path(), "2.lgtrace")});
  ASSERT_TRUE(out.status.ok()) << out.status;
  const std::vector<json> holds = EventsOf(out.trace, "X", "hold a");
  ASSERT_THAT(holds, SizeIs(1));
  EXPECT_EQ(Nanos(holds[0]["ts"]), 100);
  EXPECT_EQ(Nanos(holds[0]["dur"]), 400);
  EXPECT_THAT(EventsOf(out.trace, "M", "process_name"), SizeIs(1));
}

TEST(ChromeTrace, DepsTraceGivesItsThreadsAndAWarning) {
  TempDir dir;
  TraceBuilder t;  // deps mode: dependencies, no event blocks
  t.Thread(1, "main");
  t.Thread(2, "worker", 1, 0);
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  const std::string path = t.WriteTo(dir.path());
  const Exported out = Export({path});
  ASSERT_TRUE(out.status.ok()) << out.status;
  ASSERT_THAT(out.warnings, SizeIs(1));
  EXPECT_THAT(out.warnings[0], HasSubstr(path));
  EXPECT_THAT(out.warnings[0], HasSubstr("deps mode"));
  EXPECT_THAT(out.warnings[0], HasSubstr("mode=full"));
  EXPECT_THAT(EventsOf(out.trace, "X"), IsEmpty());
  EXPECT_GT(ThreadId(out.trace, "main"), 0);
  EXPECT_GT(ThreadId(out.trace, "worker"), 0);
  EXPECT_NE(ThreadId(out.trace, "main"), ThreadId(out.trace, "worker"));
  EXPECT_EQ(out.counts.threads, 2u);
}

TEST(ChromeTrace, NamesAreEscaped) {
  TraceBuilder t(Process(100), "");
  t.Thread(1, "tab\there \"quoted\"", 0, 0, 1001);
  t.Lock(1, "back\\slash \xff line\nbreak");
  t.Events(1, 0, 0, {Acquire(0, 1, 1), Release(10, 1)});
  const Exported out = Export(t);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(ThreadId(out.trace, "tab\there \"quoted\""), 1001);
  EXPECT_THAT(EventsOf(out.trace, "X", "hold back\\slash \xef\xbf\xbd line\nbreak"), SizeIs(1));
}

TEST(ChromeTrace, MissingTraceIsAnErrorNamingIt) {
  ChromeTraceExporter exporter;
  const absl::Status status = exporter.AddTraceFile("/nonexistent/t.lgtrace");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/t.lgtrace"));
  std::ostringstream out;
  EXPECT_EQ(exporter.Write(out).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.str(), "");
}

TEST(ChromeTrace, CorruptTraceIsAnErrorNamingIt) {
  TempDir dir;
  TraceBuilder t = MainWithTwoLocks();
  t.Events(1, 0, 0, {Acquire(0, 9, 1)});  // lock 9 is not defined
  const std::string path = t.WriteTo(dir.path(), "bad.lgtrace");
  ChromeTraceExporter exporter;
  const absl::Status status = exporter.AddTraceFile(path);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("bad.lgtrace: byte "));
  EXPECT_THAT(status.message(), HasSubstr("undefined lock instance 9"));
}

}  // namespace
}  // namespace lockgraph::analyzer

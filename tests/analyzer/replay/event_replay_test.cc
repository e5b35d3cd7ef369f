// Tests of analyzer/replay/event_replay.h and analyzer/replay/race_detector.h on hand-built full-mode
// traces: the replay runs events in an order the program could have run them in (whatever
// the order of the blocks in the file), orders accesses by locks and signals, pairs each
// receive with its send, and warns about events whose partner is missing.
#include "analyzer/replay/event_replay.h"

#include <string>
#include <vector>

#include "analyzer/model/model.h"
#include "analyzer/replay/race_detector.h"
#include "common/events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::analyzer {
namespace {

using format::Event;
using format::EventOp;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr uint64_t kLock = 1;
constexpr uint64_t kVar = 2;
constexpr uint64_t kReady = 3;

Event E(EventOp op, uint64_t time, format::EventOperands operands = {}) {
  return Event{op, time, operands};
}

// Main (1) starts workers 2 and 3 in segments 0 and 1; `mu` is a lock, `x` a Shared<int>,
// `ready` an Event.
testing::TraceBuilder Program() {
  testing::TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "writer", 1, 0);
  t.Thread(3, "reader", 1, 1);
  t.Lock(kLock, "mu");
  t.Lock(kVar, "x", format::SyncKind::kShared);
  t.Lock(kReady, "ready", format::SyncKind::kEvent);
  t.Events(1, 0, 0, {E(EventOp::kSpawn, 1), E(EventOp::kSpawn, 2)});
  return t;
}

struct Replayed {
  Model model;
  ReplayStats stats;
};

Replayed Replay(const testing::TraceBuilder& t) {
  lockgraph::testing::TempDir dir;
  Replayed out;
  EXPECT_TRUE(out.model.AddTraceFile(t.WriteTo(dir.path())).ok());
  out.model.Finish();
  EXPECT_TRUE(ReplayEvents(out.model, &out.stats).ok());
  return out;
}

TEST(EventReplay, AccessesUnderOneLockAreOrderedWhateverTheBlockOrder) {
  testing::TraceBuilder t = Program();
  // The reader's block comes first in the file, but its acquisition is the lock's second.
  t.Events(3, 0, 10, {E(EventOp::kAcquire, 1, {.object = kLock, .seq = 2}),
                      E(EventOp::kRead, 2, {.object = kVar}),
                      E(EventOp::kRelease, 3, {.object = kLock})});
  t.Events(2, 0, 5, {E(EventOp::kAcquire, 1, {.object = kLock, .seq = 1}),
                     E(EventOp::kWrite, 2, {.object = kVar}),
                     E(EventOp::kRelease, 3, {.object = kLock})});
  const Replayed r = Replay(t);
  EXPECT_THAT(r.model.races(), IsEmpty());
  EXPECT_EQ(r.stats.accesses, 2u);
  EXPECT_EQ(r.stats.unmatched, 0u);
  EXPECT_THAT(r.model.warnings(), IsEmpty());
}

TEST(EventReplay, AccessesUnderNoCommonLockRace) {
  testing::TraceBuilder t = Program();
  t.Events(2, 0, 5, {E(EventOp::kAcquire, 1, {.object = kLock, .seq = 1}),
                     E(EventOp::kWrite, 2, {.object = kVar}),
                     E(EventOp::kRelease, 3, {.object = kLock})});
  t.Events(3, 0, 10, {E(EventOp::kRead, 2, {.object = kVar}),
                      E(EventOp::kRead, 3, {.object = kVar})});
  const Replayed r = Replay(t);
  ASSERT_THAT(r.model.races(), SizeIs(1));
  const ModelRace& race = r.model.races()[0];
  EXPECT_EQ(race.variable, r.model.LockId(0, kVar));
  EXPECT_EQ(r.model.thread(race.first.thread).name, "writer");
  EXPECT_TRUE(race.first.write);
  EXPECT_EQ(race.first.held, std::vector<uint32_t>{r.model.LockId(0, kLock)});
  EXPECT_EQ(r.model.thread(race.second.thread).name, "reader");
  EXPECT_FALSE(race.second.write);
  EXPECT_THAT(race.second.held, IsEmpty());
  EXPECT_EQ(race.count, 2u);  // two reads at one site race with the write: one finding
}

// Unordered threads replay in the order their blocks reach the file (when each thread
// flushed), so a race names its accesses in the order of their times instead. The reader
// here flushed first: before, the finding's first access flipped with the flush order.
TEST(EventReplay, ARaceNamesItsAccessesInTimeOrderWhateverTheBlockOrder) {
  testing::TraceBuilder t = Program();
  t.Events(3, 0, 10, {E(EventOp::kRead, 10, {.object = kVar})});   // at 20 ns
  t.Events(2, 0, 5, {E(EventOp::kWrite, 1, {.object = kVar})});    // at 6 ns
  const Replayed r = Replay(t);
  ASSERT_THAT(r.model.races(), SizeIs(1));
  const ModelRace& race = r.model.races()[0];
  EXPECT_EQ(r.model.thread(race.first.thread).name, "writer");
  EXPECT_TRUE(race.first.write);
  EXPECT_EQ(race.first.time_ns, 6u);
  EXPECT_EQ(r.model.thread(race.second.thread).name, "reader");
  EXPECT_EQ(race.second.time_ns, 20u);
}

TEST(EventReplay, ATraceAddedFromMemoryIsReplayedFromItsBytes) {
  testing::TraceBuilder t = Program();
  t.Events(2, 0, 5, {E(EventOp::kWrite, 1, {.object = kVar})});
  t.Events(3, 0, 10, {E(EventOp::kRead, 1, {.object = kVar})});
  Model model;
  // No file of that name exists: the replay must read the bytes kept in the model.
  ASSERT_TRUE(model.AddTraceBytes("/nonexistent/imported.std", t.bytes()).ok());
  model.Finish();
  ASSERT_TRUE(model.has_events());
  EXPECT_EQ(model.traces()[0].path, "/nonexistent/imported.std");
  ReplayStats stats;
  ASSERT_TRUE(ReplayEvents(model, &stats).ok());
  EXPECT_EQ(stats.accesses, 2u);
  ASSERT_THAT(model.races(), SizeIs(1));
  EXPECT_EQ(model.thread(model.races()[0].first.thread).name, "writer");
}

TEST(EventReplay, ACorruptTraceFromMemoryIsAnErrorNamingIt) {
  Model model;
  const absl::Status status = model.AddTraceBytes("imported.std", "not a trace");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("imported.std"));
}

TEST(EventReplay, AnEventOrdersTheWriteBeforeTheReadAndTheSegments) {
  testing::TraceBuilder t = Program();
  t.Events(3, 0, 1, {E(EventOp::kReceive, 1, {.object = kReady, .seq = 1}),
                     E(EventOp::kRead, 2, {.object = kVar})});
  t.Events(2, 0, 5, {E(EventOp::kWrite, 1, {.object = kVar}),
                     E(EventOp::kSend, 2, {.object = kReady, .seq = 1})});
  Replayed r = Replay(t);
  EXPECT_THAT(r.model.races(), IsEmpty());
  EXPECT_EQ(r.stats.signal_orders, 1u);
  const uint32_t writer = r.model.ThreadId(0, 2), reader = r.model.ThreadId(0, 3);
  // The writer's segment 0 (before the set) comes before the reader's segment 1 (after the
  // wait), not before its segment 0.
  EXPECT_TRUE(r.model.order().HappensBefore({writer, 0}, {reader, 1}));
  EXPECT_FALSE(r.model.order().HappensBefore({writer, 0}, {reader, 0}));
}

TEST(EventReplay, AReceiveWithoutItsSendRunsLastAndIsCounted) {
  testing::TraceBuilder t = Program();
  t.Events(3, 0, 1, {E(EventOp::kReceive, 1, {.object = kReady, .seq = 4}),
                     E(EventOp::kRead, 2, {.object = kVar})});
  t.Events(2, 0, 5, {E(EventOp::kWrite, 1, {.object = kVar})});
  const Replayed r = Replay(t);
  EXPECT_EQ(r.stats.unmatched, 1u);
  ASSERT_THAT(r.model.warnings(), SizeIs(1));
  EXPECT_THAT(r.model.warnings()[0], HasSubstr("1 events had no partner"));
  EXPECT_THAT(r.model.races(), SizeIs(1));  // nothing ordered the write before the read
}

TEST(EventReplay, JoinOrdersTheJoinedThreadsAccesses) {
  testing::TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "worker", 1, 0);
  t.Lock(kVar, "x", format::SyncKind::kShared);
  t.Events(1, 0, 0, {E(EventOp::kSpawn, 1), E(EventOp::kJoin, 2, {.object = 2}),
                     E(EventOp::kRead, 3, {.object = kVar})});
  t.Events(2, 0, 1, {E(EventOp::kWrite, 1, {.object = kVar})});
  const Replayed r = Replay(t);
  EXPECT_THAT(r.model.races(), IsEmpty());
  EXPECT_EQ(r.stats.unmatched, 0u);
}

TEST(RaceDetector, ReportsEachPairOfSitesOnceAndCountsTheRest) {
  RaceDetector races;
  VectorClock one, two;
  one.Tick(1);
  two.Tick(2);
  const RaceLocation x{.variable = 7};
  ModelAccess write{.thread = 1, .write = true, .site = {0, 10}, .held = {}};
  ModelAccess read{.thread = 2, .write = false, .site = {0, 20}, .held = {}};
  races.Access(x, 0, one, write);
  races.Access(x, 0, two, read);
  races.Access(x, 0, two, read);
  ASSERT_THAT(races.races(), SizeIs(1));
  EXPECT_EQ(races.races()[0].count, 2u);
  EXPECT_EQ(races.races()[0].first.site.id, 10u);
  EXPECT_EQ(races.races()[0].second.site.id, 20u);
}

TEST(RaceDetector, ConcurrentReadsDoNotRaceButAWriteAfterThemDoes) {
  RaceDetector races;
  VectorClock one, two, three;
  one.Tick(1);
  two.Tick(2);
  three.Tick(3);
  const RaceLocation x{.trace = 0, .address = 0x1000};
  races.Access(x, 4, one, {.thread = 1, .write = false, .site = {0, 1}, .held = {}});
  races.Access(x, 4, two, {.thread = 2, .write = false, .site = {0, 2}, .held = {}});
  EXPECT_THAT(races.races(), IsEmpty());
  // Thread 3 has seen thread 1's read, not thread 2's: one race, with the read of thread 2.
  three.Join(one);
  races.Access(x, 4, three, {.thread = 3, .write = true, .site = {0, 3}, .held = {}});
  ASSERT_THAT(races.races(), SizeIs(1));
  EXPECT_EQ(races.races()[0].first.thread, 2u);
  EXPECT_EQ(races.races()[0].size, 4u);
}

}  // namespace
}  // namespace lockgraph::analyzer

// The steering plan that `lockgraph confirm` hands the runtime, and the process wait board's
// cycle search (the end-to-end tests steer real programs: tests/e2e/confirm_test.cc).
#include "runtime/online/steering.h"

#include <source_location>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/online/process_wait_board.h"
#include "runtime/recorder/recorder.h"

namespace {

using ::lockgraph::runtime::BoardCycle;
using ::lockgraph::runtime::BoardEntry;
using ::lockgraph::runtime::ParseSteeringPlan;
using ::lockgraph::runtime::Steering;
using ::lockgraph::runtime::SteeringPlan;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(SteeringPlan, ReadsEdgesKeysAndLimits) {
  const auto plan = ParseSteeringPlan(
      "lockgraph-steer 1\npause_ms 500\nmax_timeouts 2\nfrom 0 accounts\nto 0 audit log\n"
      "from 1 audit log\nto 1 accounts\nfrom 1 x.cc:3\n");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->pause_ns, 500'000'000);
  EXPECT_EQ(plan->max_timeouts, 2);
  EXPECT_THAT(plan->from_keys[0], ElementsAre("accounts"));
  EXPECT_THAT(plan->to_keys[0], ElementsAre("audit log"));  // the rest of the line
  EXPECT_THAT(plan->from_keys[1], ElementsAre("audit log", "x.cc:3"));
}

TEST(SteeringPlan, BadPlansAreRefusedWithTheLine) {
  EXPECT_THAT(ParseSteeringPlan("").status().message(), HasSubstr("empty"));
  EXPECT_THAT(ParseSteeringPlan("steer me\n").status().message(),
              HasSubstr("line 1: not a lockgraph steering plan"));
  EXPECT_THAT(ParseSteeringPlan("lockgraph-steer 1\npause_ms soon\n").status().message(),
              HasSubstr("line 2: bad value for pause_ms"));
  EXPECT_THAT(ParseSteeringPlan("lockgraph-steer 1\nfrom 64 a\nto 64 b\n").status().message(),
              HasSubstr("line 2"));
  EXPECT_THAT(ParseSteeringPlan("lockgraph-steer 1\nfrom 0 a\n").status().message(),
              HasSubstr("edge 0 lacks"));
  EXPECT_THAT(ParseSteeringPlan("lockgraph-steer 1\n").status().message(),
              HasSubstr("no edge"));
  EXPECT_THAT(ParseSteeringPlan("lockgraph-steer 1\nwobble 3\n").status().message(),
              HasSubstr("unknown entry 'wobble'"));
}

// Two locks of the classes "steer.a" and "steer.b", registered as a primitive does.
struct TwoLocks {
  TwoLocks() {
    const auto here = std::source_location::current();
    lockgraph::internal::RegisterSync(a, 1, "steer.a", here);
    lockgraph::internal::RegisterSync(b, 1, "steer.b", here);
  }
  ~TwoLocks() {
    lockgraph::internal::UnregisterSync(a);
    lockgraph::internal::UnregisterSync(b);
  }
  lockgraph::internal::SyncHandle a, b;
};

SteeringPlan AbbaPlan() {
  SteeringPlan plan;
  plan.from_keys = {{"steer.a"}, {"steer.b"}};
  plan.to_keys = {{"steer.b"}, {"steer.a"}};
  plan.pause_ns = int64_t{3600} * 1'000'000'000;  // an hour: only the cycle lets them go
  return plan;
}

// Holds `held` (in the recorder's view), then asks the steering before taking `wanted`.
void HoldThenAsk(Steering& steering, const lockgraph::internal::SyncHandle& held,
                 const lockgraph::internal::SyncHandle& wanted) {
  lockgraph::runtime::ThreadState* ts = lockgraph::runtime::CurrentThread();
  lockgraph::runtime::RecordAcquire(ts, held, 0, 0);
  steering.BeforeAcquire(ts, wanted);
  lockgraph::runtime::PopHeld(ts, held);
}

TEST(Steering, ThreadsHeldBackAreLetGoWhenTheyCloseTheCycle) {
  // Each thread is held back (for up to an hour) until the other one is: the test ends only
  // if the steering lets both go together.
  TwoLocks locks;
  Steering steering(AbbaPlan());
  std::thread forward([&] { HoldThenAsk(steering, locks.a, locks.b); });
  std::thread backward([&] { HoldThenAsk(steering, locks.b, locks.a); });
  forward.join();
  backward.join();
}

TEST(Steering, AThreadOffThePlanIsNotHeldBack) {
  TwoLocks locks;
  Steering steering(AbbaPlan());
  // It holds "steer.b" and wants "steer.b" (another instance of no edge), or holds nothing.
  std::thread off_plan([&] {
    lockgraph::runtime::ThreadState* ts = lockgraph::runtime::CurrentThread();
    steering.BeforeAcquire(ts, locks.a);  // holds nothing
    HoldThenAsk(steering, locks.b, locks.b);
  });
  off_plan.join();
}

BoardEntry Entry(uint32_t pid, uint64_t wants, std::vector<uint64_t> held,
                 BoardEntry::Kind kind = BoardEntry::kWaiting) {
  BoardEntry e;
  e.kind = kind;
  e.pid = pid;
  e.tid = 1;
  e.wants = wants;
  e.held = std::move(held);
  return e;
}

TEST(ProcessWaitBoard, FindsTheCycleThroughAnEntry) {
  // 0 waits for 11 (held by 1), 1 waits for 12 (held by 2), 2 waits for 10 (held by 0).
  const std::vector<BoardEntry> ring = {Entry(1, 11, {10}), Entry(2, 12, {11}),
                                        Entry(3, 10, {12}), Entry(4, 99, {10})};
  EXPECT_THAT(BoardCycle(ring, 0, BoardEntry::kWaiting), ElementsAre(0, 1, 2));
  EXPECT_THAT(BoardCycle(ring, 1, BoardEntry::kWaiting), ElementsAre(1, 2, 0));
  EXPECT_THAT(BoardCycle(ring, 3, BoardEntry::kWaiting), IsEmpty());  // waits, not in it
  EXPECT_THAT(BoardCycle(ring, 0, BoardEntry::kPaused), IsEmpty());   // another kind
}

TEST(ProcessWaitBoard, ReleasedPausesAreNotPartOfACycle) {
  std::vector<BoardEntry> pair = {Entry(1, 11, {10}, BoardEntry::kPaused),
                                  Entry(2, 10, {11}, BoardEntry::kPaused)};
  EXPECT_THAT(BoardCycle(pair, 0, BoardEntry::kPaused), ElementsAre(0, 1));
  pair[1].flags = BoardEntry::kReleased;
  EXPECT_THAT(BoardCycle(pair, 0, BoardEntry::kPaused), IsEmpty());
}

}  // namespace

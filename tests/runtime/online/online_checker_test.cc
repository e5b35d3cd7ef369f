// The online checker alone, fed dependencies by hand: which new edges close a reportable cycle.
#include "runtime/online/online_checker.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::lockgraph::format::kAcquireShared;
using ::lockgraph::runtime::CheckedDependency;
using ::lockgraph::runtime::CycleFinding;
using ::lockgraph::runtime::HeldDescription;
using ::lockgraph::runtime::LockDescription;
using ::lockgraph::runtime::OnlineChecker;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Thread `tid` (segment `segment`) holds `held` and takes `acquired`.
CheckedDependency Dep(uint32_t tid, std::vector<uint64_t> held, uint64_t acquired,
                      uint32_t segment = 0, uint8_t flags = 0) {
  static uint64_t next_id = 1;
  CheckedDependency dep;
  dep.id = next_id++;
  dep.tid = tid;
  dep.segment = segment;
  dep.acquired = acquired;
  dep.flags = flags;
  for (uint64_t h : held) dep.held.push_back(HeldDescription{h, flags, 0x1000 + h});
  dep.stack = {0x2000 + acquired};
  return dep;
}

std::vector<LockDescription> Locks(const CheckedDependency& dep) {
  std::vector<LockDescription> locks;
  auto describe = [](uint64_t id) {
    LockDescription d;
    d.id = id;
    d.class_name = "L" + std::to_string(id);
    d.named = true;
    return d;
  };
  locks.push_back(describe(dep.acquired));
  for (const HeldDescription& h : dep.held) locks.push_back(describe(h.id));
  return locks;
}

std::vector<CycleFinding> Add(OnlineChecker& checker, const CheckedDependency& dep) {
  return checker.AddDependency(dep, Locks(dep));
}

std::vector<uint64_t> LockIds(const CycleFinding& cycle) {
  std::vector<uint64_t> ids;
  for (const LockDescription& l : cycle.locks) ids.push_back(l.id);
  return ids;
}

TEST(OnlineChecker, TwoThreadsInOppositeOrdersCloseACycle) {
  OnlineChecker checker;
  EXPECT_THAT(Add(checker, Dep(1, {1}, 2)), IsEmpty());
  const std::vector<CycleFinding> cycles = Add(checker, Dep(2, {2}, 1));
  ASSERT_THAT(cycles, SizeIs(1));
  EXPECT_THAT(LockIds(cycles[0]), ElementsAre(2, 1));  // from the new edge's source
  ASSERT_THAT(cycles[0].edges, SizeIs(2));
  EXPECT_EQ(cycles[0].edges[0].tid, 2u);
  EXPECT_EQ(cycles[0].edges[1].tid, 1u);
  EXPECT_EQ(cycles[0].locks[0].class_name, "L2");
}

// An edge keeps 64 witnesses; past that its second half turns over. Here 100 threads took
// 1 -> 2 one after another (each joined before the next started): the witness that closes
// the cycle with `reverse` is `forward`'s, the latest.
TEST(OnlineChecker, TheLatestWitnessOfAFullEdgeIsKept) {
  OnlineChecker checker;
  constexpr uint32_t kSequential = 100;
  for (uint32_t i = 0; i < kSequential; ++i) {
    checker.AddThreadStart(10 + i, 1, 2 * i);
    EXPECT_THAT(Add(checker, Dep(10 + i, {1}, 2)), IsEmpty());
    checker.AddJoin(1, 2 * i + 1, 10 + i);
  }
  checker.AddThreadStart(/*forward*/ 2, 1, 2 * kSequential);
  checker.AddThreadStart(/*reverse*/ 3, 1, 2 * kSequential + 1);
  EXPECT_THAT(Add(checker, Dep(2, {1}, 2)), IsEmpty());
  const std::vector<CycleFinding> cycles = Add(checker, Dep(3, {2}, 1));
  ASSERT_THAT(cycles, SizeIs(1));
  ASSERT_THAT(cycles[0].edges, SizeIs(2));
  EXPECT_EQ(cycles[0].edges[0].tid, 3u);
  EXPECT_EQ(cycles[0].edges[1].tid, 2u);
}

TEST(OnlineChecker, ACycleIsReportedOnlyOnce) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2));
  EXPECT_THAT(Add(checker, Dep(2, {2}, 1)), SizeIs(1));
  EXPECT_THAT(Add(checker, Dep(3, {2}, 1)), IsEmpty());
}

TEST(OnlineChecker, SecondThreadMakesTheWitnessOfACycleRuledOutBefore) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2));
  EXPECT_THAT(Add(checker, Dep(1, {2}, 1)), IsEmpty());  // one thread: no deadlock
  EXPECT_THAT(Add(checker, Dep(2, {2}, 1)), SizeIs(1));  // a second thread: deadlock
}

TEST(OnlineChecker, GateLockRulesTheCycleOut) {
  OnlineChecker checker;
  Add(checker, Dep(1, {9, 1}, 2));
  EXPECT_THAT(Add(checker, Dep(2, {9, 2}, 1)), IsEmpty());
}

TEST(OnlineChecker, StartOrderRulesTheCycleOut) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2, /*segment=*/0));
  checker.AddThreadStart(/*child=*/2, /*parent=*/1, /*parent_segment=*/0);
  EXPECT_THAT(Add(checker, Dep(2, {2}, 1)), IsEmpty());
  // The parent takes a -> b again after the start: concurrent with the child.
  EXPECT_THAT(Add(checker, Dep(1, {1}, 2, /*segment=*/1)), SizeIs(1));
}

TEST(OnlineChecker, JoinOrderRulesTheCycleOut) {
  OnlineChecker checker;
  Add(checker, Dep(2, {1}, 2));
  checker.AddJoin(/*joiner=*/1, /*joiner_segment=*/0, /*joined=*/2);
  checker.AddThreadStart(3, 1, 1);
  EXPECT_THAT(Add(checker, Dep(3, {2}, 1)), IsEmpty());
}

TEST(OnlineChecker, ReadersOnlyCannotDeadlock) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2, 0, kAcquireShared));
  EXPECT_THAT(Add(checker, Dep(2, {2}, 1, 0, kAcquireShared)), IsEmpty());
}

TEST(OnlineChecker, ThreeLockCycle) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2));
  Add(checker, Dep(2, {2}, 3));
  const std::vector<CycleFinding> cycles = Add(checker, Dep(3, {3}, 1));
  ASSERT_THAT(cycles, SizeIs(1));
  EXPECT_THAT(LockIds(cycles[0]), ElementsAre(3, 1, 2));
}

TEST(OnlineChecker, RemovedLockTakesItsEdgesAlong) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2));
  checker.RemoveLock(1);
  EXPECT_THAT(Add(checker, Dep(2, {2}, 1)), IsEmpty());
}

TEST(OnlineChecker, SignalSemaphoreIsNoNode) {
  OnlineChecker checker;
  Add(checker, Dep(1, {1}, 2));
  checker.MarkSignal(1);
  EXPECT_THAT(Add(checker, Dep(2, {2}, 1)), IsEmpty());
  EXPECT_THAT(Add(checker, Dep(2, {1}, 2)), IsEmpty());
}

TEST(OnlineChecker, SelfEdgeIsNoCycle) {
  OnlineChecker checker;
  EXPECT_THAT(Add(checker, Dep(1, {1}, 1)), IsEmpty());
}

}  // namespace

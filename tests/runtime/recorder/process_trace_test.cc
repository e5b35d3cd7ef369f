// What the recorder writes for processes: the process-join record and the segment it opens,
// the child's own trace (ordered after the fork, written out before the child ends), the
// global names of objects shared by processes, owner-died misuse, and in full mode the
// ProcessQueue hand-off as numbered send and receive events.
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using ::lockgraph::Lock;
using ::lockgraph::Process;
using ::lockgraph::ProcessLock;
using ::lockgraph::ProcessQueue;
using ::lockgraph::Thread;
using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::format::DependencyRecord;
using ::lockgraph::format::EventBlockRecord;
using ::lockgraph::format::EventOp;
using ::lockgraph::format::InstanceRecord;
using ::lockgraph::format::MisuseKind;
using ::lockgraph::format::MisuseRecord;
using ::lockgraph::format::ProcessJoinRecord;
using ::lockgraph::format::RuntimeStatsRecord;
using ::lockgraph::format::SyncKind;
using ::lockgraph::testing::LockName;
using ::lockgraph::testing::RecordsOf;
using ::lockgraph::testing::TraceTest;
using ::testing::ElementsAre;
using ::testing::SizeIs;

class ProcessTraceTest : public TraceTest {
 protected:
  // A unique ProcessLock name, unlinked when the test ends.
  std::string LockNameFor(const std::string& suffix) {
    const std::string name = absl::StrCat("lockgraph-trace-test.", getpid(), ".", suffix);
    names_.push_back(name);
    return name;
  }
  void TearDown() override {
    for (const std::string& name : names_) ProcessLock::unlink(name);
    TraceTest::TearDown();
  }
  // The trace a forked child wrote: the fixture's path has no %p, so the child's is PATH.<pid>.
  Trace ChildTrace(pid_t pid) {
    absl::StatusOr<Trace> trace =
        ReadTraceFile(absl::StrCat(options().trace, ".", static_cast<int>(pid)));
    EXPECT_TRUE(trace.ok()) << trace.status();
    return trace.ok() ? *std::move(trace) : Trace();
  }

 private:
  std::vector<std::string> names_;
};

const InstanceRecord* InstanceNamed(const Trace& trace, const std::string& class_name) {
  for (const auto& [id, instance] : trace.instances) {
    if (LockName(trace, id) == class_name) return &instance;
  }
  return nullptr;
}

TEST_F(ProcessTraceTest, JoinIsRecordedAndOrdersWhatFollows) {
  Lock a("ProcessJoin.a"), b("ProcessJoin.b");
  Process child([] {});
  child.start();
  ASSERT_TRUE(child.join());
  {
    std::scoped_lock hold_a(a);
    std::scoped_lock hold_b(b);
  }
  const Trace& trace = ReadBack();
  std::vector<ProcessJoinRecord> joins;
  for (const ProcessJoinRecord& join : RecordsOf<ProcessJoinRecord>(trace)) {
    if (join.child_pid == static_cast<uint64_t>(child.pid())) joins.push_back(join);
  }
  ASSERT_THAT(joins, SizeIs(1));
  std::vector<DependencyRecord> deps;
  for (const DependencyRecord& d : RecordsOf<DependencyRecord>(trace)) {
    if (LockName(trace, d.acquired) == "ProcessJoin.b") deps.push_back(d);
  }
  ASSERT_THAT(deps, SizeIs(1));
  // The join closed the joiner's segment: what it did next is in the one after.
  EXPECT_EQ(deps[0].tid, joins[0].joiner);
  EXPECT_EQ(deps[0].segment, joins[0].joiner_segment + 1);
}

TEST_F(ProcessTraceTest, ChildWritesItsOwnTraceBeforeItEnds) {
  Lock x("ChildTrace.x"), y("ChildTrace.y");
  Process child([&] {
    std::scoped_lock hold_x(x);
    std::scoped_lock hold_y(y);
  });
  child.start();
  ASSERT_TRUE(child.join());
  ASSERT_EQ(child.exitcode(), 0);
  const Trace& parent = ReadBack();
  const Trace trace = ChildTrace(child.pid());
  EXPECT_EQ(trace.process.pid, static_cast<uint64_t>(child.pid()));
  EXPECT_EQ(trace.process.ppid, static_cast<uint64_t>(getpid()));
  EXPECT_EQ(trace.process.realtime_ns, parent.process.realtime_ns);
  EXPECT_NE(trace.process.parent_tid, 0u);  // ordered after the forking thread's past
  std::vector<std::string> deps;
  for (const DependencyRecord& d : RecordsOf<DependencyRecord>(trace)) {
    deps.push_back(LockName(trace, d.held[0].instance) + " -> " + LockName(trace, d.acquired));
  }
  EXPECT_THAT(deps, ElementsAre("ChildTrace.x -> ChildTrace.y"));
  // The exit statistics, written only by an orderly end, are there.
  EXPECT_THAT(RecordsOf<RuntimeStatsRecord>(trace), SizeIs(1));
}

TEST_F(ProcessTraceTest, AProcessLockHeldAcrossStartIsNotHeldInTheChild) {
  ProcessLock shared(LockNameFor("held-across-start"));
  Lock local("HeldAcrossStart.local"), inner("HeldAcrossStart.inner");
  std::scoped_lock hold_shared(shared);
  std::scoped_lock hold_local(local);
  Process child([&] { std::scoped_lock hold_inner(inner); });
  child.start();
  ASSERT_TRUE(child.join());
  const Trace trace = ChildTrace(child.pid());
  std::vector<std::string> deps;
  for (const DependencyRecord& d : RecordsOf<DependencyRecord>(trace)) {
    std::string held;
    for (const auto& h : d.held) held += LockName(trace, h.instance) + " ";
    deps.push_back(held + "-> " + LockName(trace, d.acquired));
  }
  // The parent's ProcessLock belongs to the parent; the copy of the plain Lock is held.
  EXPECT_THAT(deps, ElementsAre("HeldAcrossStart.local -> HeldAcrossStart.inner"));
}

TEST_F(ProcessTraceTest, SharedObjectsCarryTheirGlobalNames) {
  lockgraph::Options options = this->options();
  options.long_wait = std::chrono::nanoseconds(0);  // every wait is recorded, with its object
  SetOptions(options);
  const std::string first = LockNameFor("first"), second = LockNameFor("second");
  ProcessLock x(first), y(second);
  {
    std::scoped_lock hold_x(x);
    std::scoped_lock hold_y(y);
  }
  ProcessQueue<int> queue(1, "GlobalNames.queue");
  EXPECT_EQ(queue.get(std::chrono::milliseconds(1)), std::nullopt);  // a (long) wait
  const Trace& trace = ReadBack();
  for (const std::string& name : {first, second}) {
    const InstanceRecord* instance = InstanceNamed(trace, name);
    ASSERT_NE(instance, nullptr) << name;
    EXPECT_EQ(instance->kind, SyncKind::kProcessLock);
    EXPECT_EQ(trace.String(instance->global_name_sid), name);
  }
  const InstanceRecord* q = InstanceNamed(trace, "GlobalNames.queue");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->kind, SyncKind::kProcessQueue);
  EXPECT_TRUE(absl::StartsWith(trace.String(q->global_name_sid), absl::StrCat("pq:", getpid(), ":")))
      << trace.String(q->global_name_sid);
  // Objects of one process have none.
  Lock plain("GlobalNames.plain"), nested("GlobalNames.nested");
  {
    std::scoped_lock both(plain, nested);
  }
  const Trace& again = ReadBack();
  const InstanceRecord* p = InstanceNamed(again, "GlobalNames.plain");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->global_name_sid, 0u);
}

TEST_F(ProcessTraceTest, HolderThatDiedIsAnOwnerDiedMisuse) {
  const std::string name = LockNameFor("owner-died");
  ProcessLock lock(name);
  Process dies([&] {
    lock.lock();
    _exit(0);
  });
  dies.start();
  ASSERT_TRUE(dies.join());
  ::testing::internal::CaptureStderr();
  lock.lock();
  ::testing::internal::GetCapturedStderr();
  lock.unlock();
  const Trace& trace = ReadBack();
  std::vector<MisuseRecord> misuses;
  for (const MisuseRecord& m : RecordsOf<MisuseRecord>(trace)) {
    if (m.kind == MisuseKind::kOwnerDied) misuses.push_back(m);
  }
  ASSERT_THAT(misuses, SizeIs(1));
  EXPECT_EQ(LockName(trace, misuses[0].instance), name);
  EXPECT_TRUE(absl::StrContains(trace.String(misuses[0].detail_sid),
                                absl::StrCat("(process ", dies.pid(), ") died holding it")));
}

// The events of `op` on the object named `class_name`, as their sequence numbers.
std::vector<uint64_t> Signals(const Trace& trace, EventOp op, const std::string& class_name) {
  std::vector<uint64_t> seqs;
  for (const EventBlockRecord& block : RecordsOf<EventBlockRecord>(trace)) {
    lockgraph::format::EventDecoder events(block.events);
    lockgraph::format::Event e;
    while (events.Next(e)) {
      if (e.op == op && LockName(trace, e.operands.object) == class_name) {
        seqs.push_back(e.operands.seq);
      }
    }
  }
  return seqs;
}

std::vector<uint64_t> ProcessJoinEvents(const Trace& trace) {
  std::vector<uint64_t> pids;
  for (const EventBlockRecord& block : RecordsOf<EventBlockRecord>(trace)) {
    lockgraph::format::EventDecoder events(block.events);
    lockgraph::format::Event e;
    while (events.Next(e)) {
      if (e.op == EventOp::kJoinProcess) pids.push_back(e.operands.object);
    }
  }
  return pids;
}

TEST_F(ProcessTraceTest, FullModeNumbersTheHandOffOfEveryItem) {
  lockgraph::Options options = this->options();
  options.mode = lockgraph::Mode::kFull;
  SetOptions(options);
  pid_t child_pid = 0;
  // Full mode applies to threads made from now on (and to the processes they fork).
  Thread sender(
      [&] {
        ProcessQueue<int> queue(2, "FullMode.queue");
        Process receiver([&] {
          for (int i = 0; i < 5; ++i) {
            if (queue.get() != i) _exit(2);
          }
        });
        receiver.start();
        for (int i = 0; i < 5; ++i) queue.put(i);
        receiver.join();
        child_pid = receiver.pid();
        EXPECT_EQ(receiver.exitcode(), 0);
      },
      "FullMode.sender");
  sender.start();
  sender.join();
  ASSERT_NE(child_pid, 0);
  const Trace& parent = ReadBack();
  EXPECT_THAT(Signals(parent, EventOp::kSend, "FullMode.queue"), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(ProcessJoinEvents(parent), ElementsAre(static_cast<uint64_t>(child_pid)));
  const Trace child = ChildTrace(child_pid);
  EXPECT_THAT(Signals(child, EventOp::kReceive, "FullMode.queue"), ElementsAre(1, 2, 3, 4, 5));
  // Both files name the queue by one global name.
  const InstanceRecord* sent = InstanceNamed(parent, "FullMode.queue");
  const InstanceRecord* received = InstanceNamed(child, "FullMode.queue");
  ASSERT_NE(sent, nullptr);
  ASSERT_NE(received, nullptr);
  EXPECT_EQ(parent.String(sent->global_name_sid), child.String(received->global_name_sid));
}

}  // namespace

// What the recorder writes for processes: the process-join record and the segment it opens,
// and the child's own trace (ordered after the fork, written out before the child ends).
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using ::lockgraph::Lock;
using ::lockgraph::Process;
using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::format::DependencyRecord;
using ::lockgraph::format::ProcessJoinRecord;
using ::lockgraph::format::RuntimeStatsRecord;
using ::lockgraph::testing::LockName;
using ::lockgraph::testing::RecordsOf;
using ::lockgraph::testing::TraceTest;
using ::testing::ElementsAre;
using ::testing::SizeIs;

class ProcessTraceTest : public TraceTest {
 protected:
  // The trace a forked child wrote: the fixture's path has no %p, so the child's is PATH.<pid>.
  Trace ChildTrace(pid_t pid) {
    absl::StatusOr<Trace> trace =
        ReadTraceFile(absl::StrCat(options().trace, ".", static_cast<int>(pid)));
    EXPECT_TRUE(trace.ok()) << trace.status();
    return trace.ok() ? *std::move(trace) : Trace();
  }
};

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

}  // namespace

// Tests of lockgraph::Process: Python's multiprocessing.Process semantics with fork — start,
// join (with and without a timeout), is_alive, exitcode (negative for a signal), pid, name,
// and the misuse of the API. Children report back through MAP_SHARED memory, pipes and their
// exit codes (a failed EXPECT in a child would not be seen).
#include "lockgraph/process.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/runtime/primitives/child_support.h"

namespace {

using namespace std::chrono_literals;
using ::lockgraph::testing::Pipe;
using ::lockgraph::testing::Shared;
using ::testing::HasSubstr;

TEST(Process, RunsTheTargetInAForkedChild) {
  struct Seen {
    pid_t pid = 0;
    pid_t parent = 0;
  };
  Shared<Seen> seen;
  lockgraph::Process child([&] {
    seen->pid = getpid();
    seen->parent = getppid();
  });
  child.start();
  EXPECT_GT(child.pid(), 0);
  EXPECT_NE(child.pid(), getpid());
  EXPECT_TRUE(child.join());
  EXPECT_EQ(seen->pid, child.pid());
  EXPECT_EQ(seen->parent, getpid());
  EXPECT_EQ(child.exitcode(), 0);
  EXPECT_FALSE(child.is_alive());
}

TEST(Process, NothingRunsBeforeStart) {
  lockgraph::Process child([] {});
  EXPECT_EQ(child.pid(), 0);
  EXPECT_FALSE(child.is_alive());
  EXPECT_EQ(child.exitcode(), std::nullopt);
  EXPECT_THAT(child.name(), ::testing::StartsWith("Process-"));
  lockgraph::Process named([] {}, "named");
  EXPECT_EQ(named.name(), "named");
}

TEST(Process, ChildOnlyChangesItsOwnCopyOfMemory) {
  int value = 1;
  lockgraph::Process child([&] { value = 2; });
  child.start();
  ASSERT_TRUE(child.join());
  EXPECT_EQ(value, 1);
}

TEST(Process, ExitCodeIsOneWhenTheTargetThrows) {
  lockgraph::Process child([] { throw std::runtime_error("boom"); }, "thrower");
  ::testing::internal::CaptureStderr();  // the child inherits the redirected stderr
  child.start();
  ASSERT_TRUE(child.join());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(child.exitcode(), 1);
  EXPECT_THAT(err, HasSubstr("exception in process \"thrower\""));
  EXPECT_THAT(err, HasSubstr("boom"));
}

TEST(Process, ExitCodeIsTheTargetsOwnWhenItExits) {
  lockgraph::Process child([] { std::exit(7); });
  child.start();
  ASSERT_TRUE(child.join());
  EXPECT_EQ(child.exitcode(), 7);
}

TEST(Process, ChildKilledByASignalHasMinusTheSignalAsExitCode) {
  lockgraph::Process suicide([] { raise(SIGKILL); });
  suicide.start();
  ASSERT_TRUE(suicide.join());
  EXPECT_EQ(suicide.exitcode(), -SIGKILL);

  Pipe never;
  lockgraph::Process blocked([&] { never.Receive(); });
  blocked.start();
  ASSERT_EQ(kill(blocked.pid(), SIGTERM), 0);
  ASSERT_TRUE(blocked.join());
  EXPECT_EQ(blocked.exitcode(), -SIGTERM);
  EXPECT_FALSE(blocked.is_alive());
}

TEST(Process, JoinTimesOutWhileTheChildWaitsForAByte) {
  Pipe go;
  lockgraph::Process child([&] { go.Receive(); });
  child.start();
  EXPECT_FALSE(child.join(0ns));
  EXPECT_FALSE(child.join(20ms));
  EXPECT_TRUE(child.is_alive());
  EXPECT_EQ(child.exitcode(), std::nullopt);
  go.Send();
  EXPECT_TRUE(child.join(60s));
  EXPECT_FALSE(child.is_alive());
  EXPECT_EQ(child.exitcode(), 0);
  EXPECT_TRUE(child.join());  // joining again returns at once
}

TEST(Process, IsAliveReapsAChildThatEnded) {
  lockgraph::Process child([] { std::exit(5); });
  child.start();
  // Wait for the end without reaping: is_alive() must see it.
  siginfo_t info = {};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(child.is_alive());
  EXPECT_EQ(child.exitcode(), 5);
  errno = 0;
  EXPECT_EQ(waitpid(child.pid(), nullptr, WNOHANG), -1);  // reaped already
  EXPECT_EQ(errno, ECHILD);
  EXPECT_TRUE(child.join(0ns));
}

TEST(Process, StartingTwiceIsReportedAndForksOnce) {
  Shared<std::atomic<int>> runs;
  lockgraph::Process child([&] { runs->fetch_add(1); }, "twice");
  child.start();
  ::testing::internal::CaptureStderr();
  child.start();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(child.join());
  EXPECT_EQ(runs->load(), 1);
  EXPECT_THAT(err, HasSubstr("thread-api"));
  EXPECT_THAT(err, HasSubstr("starts Process \"twice\" a second time"));
}

TEST(Process, JoiningBeforeStartIsReported) {
  lockgraph::Process child([] {}, "unstarted");
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(child.join());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("joins Process \"unstarted\" before it was started"));
}

TEST(Process, TheChildSeesItselfAliveAndCannotJoinItself) {
  lockgraph::Process* self = nullptr;
  lockgraph::Process child([&] {
    // Exit codes: 10 + (alive) + 2 * (join returned true).
    std::exit(10 + (self->is_alive() ? 1 : 0) + (self->join(0ns) ? 2 : 0));
  });
  self = &child;
  ::testing::internal::CaptureStderr();
  child.start();
  ASSERT_TRUE(child.join());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(child.exitcode(), 11);
  EXPECT_THAT(err, HasSubstr("only its parent can wait for it"));
}

TEST(Process, DestructorJoinsARunningChild) {
  Pipe go;
  Shared<std::atomic<bool>> finished;
  pid_t pid = 0;
  {
    lockgraph::Process child([&] {
      go.Receive();
      finished->store(true);
    });
    child.start();
    pid = child.pid();
    go.Send();
  }
  EXPECT_TRUE(finished->load());
  errno = 0;
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);  // reaped: no zombie left
  EXPECT_EQ(errno, ECHILD);
}

TEST(Process, ManyChildrenRunAtOnce) {
  constexpr int kChildren = 8;
  Shared<std::atomic<int>> sum;
  std::vector<std::unique_ptr<lockgraph::Process>> children;
  for (int i = 1; i <= kChildren; ++i) {
    children.push_back(std::make_unique<lockgraph::Process>([&, i] { sum->fetch_add(i); }));
    children.back()->start();
  }
  for (auto& child : children) {
    ASSERT_TRUE(child->join());
    EXPECT_EQ(child->exitcode(), 0);
  }
  EXPECT_EQ(sum->load(), kChildren * (kChildren + 1) / 2);
}

}  // namespace

// Tests of lockgraph::ProcessLock: one lock per name across processes, mutual exclusion
// between processes, recovery when a holder process dies, the std Lockable and TimedLockable
// requirements, and its misuse.
#include "lockgraph/process_lock.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <concepts>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/process.h"
#include "tests/runtime/primitives/child_support.h"
#include "tests/runtime/primitives/lock_test_support.h"

namespace {

using namespace std::chrono_literals;
using ::lockgraph::Process;
using ::lockgraph::ProcessLock;
using ::lockgraph::testing::Pipe;
using ::lockgraph::testing::Shared;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using ::lockgraph::testing::InOtherThread;
using ::lockgraph::testing::TimedLockable;

static_assert(TimedLockable<ProcessLock>);
static_assert(!std::is_copy_constructible_v<ProcessLock>);
static_assert(!std::is_default_constructible_v<ProcessLock>);

// Each test's locks get names of their own (this pid and the test's name), and are unlinked
// when it ends.
class ProcessLockTest : public ::testing::Test {
 protected:
  std::string Name(const std::string& suffix = "") {
    const std::string name =
        absl::StrCat("lockgraph-test.", getpid(), ".",
                     ::testing::UnitTest::GetInstance()->current_test_info()->name(), suffix);
    names_.push_back(name);
    return name;
  }
  void TearDown() override {
    for (const std::string& name : names_) ProcessLock::unlink(name);
  }

 private:
  std::vector<std::string> names_;
};


TEST_F(ProcessLockTest, LockAndUnlockToggleLocked) {
  ProcessLock lock(Name());
  EXPECT_EQ(lock.name(), Name());
  EXPECT_FALSE(lock.locked());
  lock.lock();
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.acquire());
  lock.release();
  {
    std::lock_guard hold(lock);
    EXPECT_TRUE(lock.locked());
  }
  EXPECT_FALSE(lock.locked());
}

TEST_F(ProcessLockTest, TwoObjectsOfOneNameAreOneLock) {
  ProcessLock a(Name()), b(Name());
  a.lock();
  EXPECT_TRUE(b.locked());
  EXPECT_FALSE(InOtherThread([&] { return b.try_lock(); }));
  EXPECT_FALSE(InOtherThread([&] { return b.try_lock_for(10ms); }));
  a.unlock();
  EXPECT_TRUE(InOtherThread([&] {
    const bool taken = b.try_lock();
    if (taken) b.unlock();
    return taken;
  }));
  ProcessLock other(Name(".other"));
  a.lock();
  EXPECT_FALSE(other.locked());
  a.unlock();
}

TEST_F(ProcessLockTest, AnotherProcessCannotTakeItWhileHeld) {
  ProcessLock lock(Name());
  const std::string name = Name();
  lock.lock();
  Process busy([&] {
    ProcessLock mine(name);  // opened by name in the child
    _exit(!mine.try_lock() && !mine.acquire(true, 10ms) && mine.locked() ? 0 : 1);
  });
  busy.start();
  ASSERT_TRUE(busy.join());
  EXPECT_EQ(busy.exitcode(), 0);
  lock.unlock();
  Process idle([&] {
    ProcessLock mine(name);
    if (!mine.try_lock()) _exit(1);
    mine.unlock();
    _exit(0);
  });
  idle.start();
  ASSERT_TRUE(idle.join());
  EXPECT_EQ(idle.exitcode(), 0);
}

TEST_F(ProcessLockTest, AcquireWaitsForAnotherProcessToRelease) {
  const std::string name = Name();
  ProcessLock lock(name);
  Pipe held, release;
  Process holder([&] {
    ProcessLock mine(name);
    mine.lock();
    held.Send();
    release.Receive();
    mine.unlock();
  });
  holder.start();
  held.Receive();
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.acquire(true, 20ms));
  release.Send();
  EXPECT_TRUE(lock.acquire(true, 60s));
  lock.unlock();
  ASSERT_TRUE(holder.join());
  EXPECT_EQ(holder.exitcode(), 0);
}

TEST_F(ProcessLockTest, ProvidesMutualExclusionBetweenProcesses) {
  struct Counter {
    long value = 0;                // incremented without atomics, under the lock only
    std::atomic<int> inside{0};    // threads inside the critical section
    std::atomic<int> overlaps{0};  // times one entered while another was inside
  };
  constexpr int kIncrements = 20000;
  const std::string name = Name();
  Shared<Counter> counter;
  auto work = [&] {
    ProcessLock lock(name);
    for (int i = 0; i < kIncrements; ++i) {
      std::lock_guard hold(lock);
      if (counter->inside.fetch_add(1) != 0) counter->overlaps.fetch_add(1);
      const long value = counter->value;
      std::atomic_signal_fence(std::memory_order_seq_cst);
      counter->value = value + 1;
      counter->inside.fetch_sub(1);
    }
  };
  Process first(work), second(work);
  first.start();
  second.start();
  ASSERT_TRUE(first.join());
  ASSERT_TRUE(second.join());
  EXPECT_EQ(first.exitcode(), 0);
  EXPECT_EQ(second.exitcode(), 0);
  EXPECT_EQ(counter->overlaps.load(), 0);
  EXPECT_EQ(counter->value, 2L * kIncrements);
}

TEST_F(ProcessLockTest, HolderThatDiesIsReportedAndTheLockRecovered) {
  const std::string name = Name();
  ProcessLock lock(name);
  Process dies([&] {
    ProcessLock mine(name);
    mine.lock();
    _exit(0);  // ends holding it
  });
  dies.start();
  ASSERT_TRUE(dies.join());
  ASSERT_EQ(dies.exitcode(), 0);
  ::testing::internal::CaptureStderr();
  lock.lock();  // does not wait, does not throw
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(lock.locked());
  EXPECT_THAT(err, HasSubstr("owner-died"));
  EXPECT_THAT(err, HasSubstr(absl::StrCat("whose holder (process ", dies.pid(),
                                          ") died holding it")));
  lock.unlock();
  // Recovered for good: the next acquisitions are plain.
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(InOtherThread([&] {
    const bool taken = lock.try_lock();
    if (taken) lock.unlock();
    return taken;
  }));
  lock.lock();
  lock.unlock();
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "");
}

TEST_F(ProcessLockTest, RelockingFromTheHolderFailsInsteadOfWaiting) {
  ProcessLock lock(Name());
  lock.lock();
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(lock.acquire(true, 60s));  // would wait forever: fails at once
  try {
    lock.lock();
    ADD_FAILURE() << "lock() of a held ProcessLock returned";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::resource_deadlock_would_occur);
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("self-deadlock"));
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.try_lock());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST_F(ProcessLockTest, UnlockByAnotherThreadIsReportedAndKeepsItHeld) {
  ProcessLock lock(Name());
  lock.lock();
  ::testing::internal::CaptureStderr();
  std::thread([&] { lock.unlock(); }).join();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("release-by-non-owner"));
  EXPECT_THAT(err, HasSubstr("which another thread or process holds"));
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST_F(ProcessLockTest, UnlockOfAFreeLockIsReported) {
  ProcessLock lock(Name());
  ::testing::internal::CaptureStderr();
  lock.unlock();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("release-unheld"));
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST_F(ProcessLockTest, DestroyingItWhileHeldReleasesIt) {
  const std::string name = Name();
  ProcessLock survivor(name);
  ::testing::internal::CaptureStderr();
  {
    ProcessLock doomed(name);
    doomed.lock();
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("destroy-held"));
  EXPECT_FALSE(survivor.locked());
  EXPECT_TRUE(survivor.try_lock());
  survivor.unlock();
}

TEST_F(ProcessLockTest, UnlinkRemovesTheNameNotTheLock) {
  const std::string name = Name();
  ProcessLock old(name);
  old.lock();
  EXPECT_TRUE(ProcessLock::unlink(name));
  EXPECT_FALSE(ProcessLock::unlink(name));
  EXPECT_TRUE(old.locked());  // still usable by whoever has it
  ProcessLock fresh(name);    // a new lock under the old name
  EXPECT_FALSE(fresh.locked());
  EXPECT_TRUE(InOtherThread([&] {
    const bool taken = fresh.try_lock();
    if (taken) fresh.unlock();
    return taken;
  }));
  old.unlock();
}

TEST_F(ProcessLockTest, NamesMapToSharedMemoryNames) {
  const std::string shm = ProcessLock::SharedMemoryName("jobs/queue 1");
  EXPECT_THAT(shm, ::testing::StartsWith(absl::StrCat("/lockgraph.", getuid(), ".jobs_queue_1.")));
  EXPECT_NE(shm, ProcessLock::SharedMemoryName("jobs_queue_1"));
  EXPECT_EQ(shm, ProcessLock::SharedMemoryName("jobs/queue 1"));
  EXPECT_THROW(ProcessLock(""), std::invalid_argument);
}

}  // namespace

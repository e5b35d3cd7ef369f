// Tests of lockgraph::Lock: Python's threading.Lock semantics, and the std Lockable and
// TimedLockable requirements (std::lock_guard, std::unique_lock, std::scoped_lock, std::lock,
// std::condition_variable_any).
#include "lockgraph/lock.h"

#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/event.h"
#include "lockgraph/rlock.h"
#include "lockgraph/thread.h"
#include "tests/runtime/primitives/lock_test_support.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using ::lockgraph::testing::BasicLockable;
using ::lockgraph::testing::HeldElsewhere;
using ::lockgraph::testing::InOtherThread;
using ::lockgraph::testing::Lockable;
using ::lockgraph::testing::TimedLockable;

static_assert(BasicLockable<lockgraph::Lock>);
static_assert(Lockable<lockgraph::Lock>);
static_assert(TimedLockable<lockgraph::Lock>);
// The standard's own TimedLockable takes any clock.
static_assert(requires(lockgraph::Lock& m, std::chrono::system_clock::time_point s) {
  { m.try_lock_until(s) } -> std::same_as<bool>;
});
static_assert(std::is_default_constructible_v<lockgraph::Lock>);
static_assert(!std::is_copy_constructible_v<lockgraph::Lock>);
static_assert(!std::is_copy_assignable_v<lockgraph::Lock>);



TEST(Lock, LockAndUnlockToggleLocked) {
  lockgraph::Lock lock;
  EXPECT_FALSE(lock.locked());
  lock.lock();
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, NamedLockBehavesLikeAnonymousOne) {
  lockgraph::Lock lock("accounts");
  lock.lock();
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, TryLockSucceedsWhenFree) {
  lockgraph::Lock lock;
  ASSERT_TRUE(lock.try_lock());
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, TryLockFailsWhileHeldByTheSameThread) {
  lockgraph::Lock lock;
  lock.lock();
  EXPECT_FALSE(lock.try_lock());  // not recursive; a try never waits
  EXPECT_FALSE(lock.acquire(false));
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, TryLockFailsWhileHeldByAnotherThread) {
  lockgraph::Lock lock;
  HeldElsewhere holder(lock);
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.try_lock());
  holder.Release();
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(Lock, NonBlockingAcquireFailsWhileHeldByAnotherThread) {
  lockgraph::Lock lock;
  HeldElsewhere holder(lock);
  EXPECT_FALSE(lock.acquire(false));
  EXPECT_FALSE(lock.acquire(false, 1s));  // the timeout is ignored when not blocking
  holder.Release();
  ASSERT_TRUE(lock.acquire(false));
  EXPECT_TRUE(lock.locked());
  lock.release();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, AcquireAndReleaseArePythonSpellings) {
  lockgraph::Lock lock;
  ASSERT_TRUE(lock.acquire());
  EXPECT_TRUE(lock.locked());
  lock.release();
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(lock.acquire(true, 10ms));
  EXPECT_TRUE(lock.locked());
  lock.release();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, TimedAcquireTimesOutWhileHeldByAnotherThread) {
  lockgraph::Lock lock;
  HeldElsewhere holder(lock);  // released only after the wait below has ended
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(lock.acquire(true, 20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
  EXPECT_TRUE(lock.locked());
}

TEST(Lock, ZeroOrNegativeTimeoutIsOneAttempt) {
  lockgraph::Lock lock;
  HeldElsewhere holder(lock);
  EXPECT_FALSE(lock.acquire(true, 0ns));
  EXPECT_FALSE(lock.acquire(true, -5ms));
  EXPECT_FALSE(lock.try_lock_for(-1s));
  holder.Release();
  ASSERT_TRUE(lock.acquire(true, 0ns));
  lock.unlock();
}

TEST(Lock, TryLockForTimesOutWhileHeldByAnotherThread) {
  lockgraph::Lock lock;
  HeldElsewhere holder(lock);
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(lock.try_lock_for(20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
}

TEST(Lock, TryLockUntilTimesOutWhileHeldByAnotherThread) {
  lockgraph::Lock lock;
  HeldElsewhere holder(lock);
  const Clock::time_point deadline = Clock::now() + 20ms;
  EXPECT_FALSE(lock.try_lock_until(deadline));
  EXPECT_GE(Clock::now(), deadline);
  EXPECT_FALSE(lock.try_lock_until(std::chrono::system_clock::now() + 10ms));
  EXPECT_FALSE(lock.try_lock_until(Clock::now() - 1s));  // a past deadline: one attempt
}

TEST(Lock, TimedLockSucceedsWhenFree) {
  lockgraph::Lock lock;
  ASSERT_TRUE(lock.try_lock_for(10ms));
  lock.unlock();
  ASSERT_TRUE(lock.try_lock_until(Clock::now() + 10ms));
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, TimedAcquireSucceedsOnceTheHolderReleases) {
  lockgraph::Lock lock;
  lockgraph::Event held, waiting;
  std::thread holder([&] {
    lock.lock();
    held.set();
    waiting.wait();  // the main thread is about to wait (or already waits)
    lock.unlock();
  });
  held.wait();
  waiting.set();
  EXPECT_TRUE(lock.acquire(true, 60s));  // the holder releases without waiting for us
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  holder.join();
}

TEST(Lock, BlockingLockWaitsForTheHolder) {
  lockgraph::Lock lock;
  int value = 0;
  lockgraph::Event held, waiting;
  std::thread holder([&] {
    lock.lock();
    held.set();
    waiting.wait();
    value = 1;  // written under the lock, before the main thread can take it
    lock.unlock();
  });
  held.wait();
  waiting.set();
  lock.lock();
  EXPECT_EQ(value, 1);
  lock.unlock();
  holder.join();
}

TEST(Lock, UnlockByAnotherThreadReleasesIt) {
  // Python lets any thread release a Lock; lockgraph reports it as misuse and releases.
  lockgraph::Lock lock;
  lock.lock();
  std::thread([&] { lock.unlock(); }).join();
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(lock.try_lock());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, UnlockOfAFreeLockIsIgnored) {
  lockgraph::Lock lock;
  lock.unlock();  // misuse: reported, and the lock stays usable
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(InOtherThread([&] { return lock.try_lock(); }));
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, RelockingFromTheHolderTimesOut) {
  // A Lock is not recursive: the holder's second acquisition is reported (it would wait
  // forever) and, bounded, fails.
  lockgraph::Lock lock;
  lock.lock();
  EXPECT_FALSE(lock.acquire(true, 10ms));
  EXPECT_TRUE(lock.locked());
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

// Destroying a held lock: the misuse is reported on stderr and in the trace, and the lock
// leaves its holder's held set, so the holder's next dependency neither names it nor reads
// its memory (overwritten here).
class LockDestroyedWhileHeld : public lockgraph::testing::TraceTest {
 protected:
  // Takes two fresh locks, one inside the other: a new dependency, which reads every lock the
  // calling thread holds (so a forgotten, destroyed one would be read after its end).
  static void TakeNestedLocks() {
    lockgraph::Lock outer("DestroyHeld.outer"), inner("DestroyHeld.inner");
    std::lock_guard hold_outer(outer);
    std::lock_guard hold_inner(inner);
  }

  // The trace's misuse records, as "KIND LOCK by TID (holder OTHER)".
  static std::vector<std::string> Misuses(const lockgraph::analyzer::Trace& trace) {
    std::vector<std::string> out;
    for (const auto& m : lockgraph::testing::RecordsOf<lockgraph::format::MisuseRecord>(trace)) {
      out.push_back(absl::StrCat(lockgraph::format::MisuseKindName(m.kind), " ",
                                 lockgraph::testing::LockName(trace, m.instance), " by ", m.tid,
                                 " (holder ", m.other_tid, ")"));
    }
    return out;
  }
};

TEST_F(LockDestroyedWhileHeld, ByItsHolderIsReportedAndForgotten) {
  lockgraph::Thread destroyer([] {
    alignas(lockgraph::Lock) unsigned char storage[sizeof(lockgraph::Lock)];
    auto* lock = new (storage) lockgraph::Lock("DestroyHeld.dead");
    lock->lock();
    lock->~Lock();  // misuse: reported; the lock leaves this thread's held set
    std::memset(storage, 0xA5, sizeof(storage));
    TakeNestedLocks();
  }, "destroyer");
  ::testing::internal::CaptureStderr();
  destroyer.start();
  destroyer.join();
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, HasSubstr(absl::StrCat("misuse (destroy-held): thread ", destroyer.ident(),
                                             " \"destroyer\" destroys Lock \"DestroyHeld.dead\"")));
  EXPECT_THAT(report, HasSubstr("while holding it"));

  const lockgraph::analyzer::Trace& trace = ReadBack();
  ASSERT_NE(destroyer.ident(), 0u);
  EXPECT_THAT(Misuses(trace),
              ElementsAre(absl::StrCat("destroy-held DestroyHeld.dead by ", destroyer.ident(),
                                       " (holder 0)")));
  EXPECT_THAT(Dependencies(trace, "DestroyHeld."), ElementsAre("outer -> inner"));
}

TEST_F(LockDestroyedWhileHeld, ByAnotherThreadIsReportedAndForgottenByItsHolder) {
  alignas(lockgraph::Lock) unsigned char storage[sizeof(lockgraph::Lock)];
  auto* lock = new (storage) lockgraph::Lock("DestroyHeld.dead");
  lockgraph::Event held, destroyed;
  lockgraph::Thread holder([&] {
    lock->lock();
    held.set();
    destroyed.wait();
    TakeNestedLocks();  // the holder must no longer count the destroyed lock as held
  }, "holder");
  lockgraph::Thread destroyer([&] {
    held.wait();
    lock->~Lock();  // misuse: reported
    std::memset(storage, 0xA5, sizeof(storage));
    destroyed.set();
  }, "destroyer");
  ::testing::internal::CaptureStderr();
  holder.start();
  destroyer.start();
  destroyer.join();
  holder.join();
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, HasSubstr(absl::StrCat("misuse (destroy-held): thread ", destroyer.ident(),
                                             " \"destroyer\" destroys Lock \"DestroyHeld.dead\"")));
  EXPECT_THAT(report, HasSubstr(absl::StrCat("while thread ", holder.ident(), " \"holder\" holds it")));

  const lockgraph::analyzer::Trace& trace = ReadBack();
  ASSERT_NE(holder.ident(), 0u);
  ASSERT_NE(destroyer.ident(), 0u);
  EXPECT_THAT(Misuses(trace),
              ElementsAre(absl::StrCat("destroy-held DestroyHeld.dead by ", destroyer.ident(),
                                       " (holder ", holder.ident(), ")")));
  EXPECT_THAT(Dependencies(trace, "DestroyHeld."), ElementsAre("outer -> inner"));
}

TEST(Lock, WorksWithLockGuard) {
  lockgraph::Lock lock;
  {
    std::lock_guard hold(lock);
    EXPECT_TRUE(lock.locked());
    EXPECT_FALSE(InOtherThread([&] { return lock.try_lock(); }));
  }
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, WorksWithUniqueLock) {
  lockgraph::Lock lock;
  std::unique_lock hold(lock);
  EXPECT_TRUE(hold.owns_lock());
  EXPECT_TRUE(lock.locked());
  hold.unlock();
  EXPECT_FALSE(lock.locked());
  hold.lock();
  EXPECT_TRUE(lock.locked());
  hold.release()->unlock();  // give up ownership without unlocking, then unlock by hand
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, WorksWithUniqueLockDeferLock) {
  lockgraph::Lock lock;
  std::unique_lock hold(lock, std::defer_lock);
  EXPECT_FALSE(hold.owns_lock());
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(hold.try_lock());
  EXPECT_TRUE(hold.owns_lock());
  EXPECT_TRUE(lock.locked());
  hold.unlock();
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(hold.try_lock_for(10ms));
  EXPECT_TRUE(lock.locked());
}

TEST(Lock, UniqueLockTryToLockFailsWhileHeldElsewhere) {
  lockgraph::Lock lock;
  {
    HeldElsewhere holder(lock);
    std::unique_lock hold(lock, std::try_to_lock);
    EXPECT_FALSE(hold.owns_lock());
    std::unique_lock timed(lock, 10ms);  // try_lock_for
    EXPECT_FALSE(timed.owns_lock());
    std::unique_lock until(lock, Clock::now() + 10ms);  // try_lock_until
    EXPECT_FALSE(until.owns_lock());
  }
  std::unique_lock hold(lock, std::try_to_lock);
  EXPECT_TRUE(hold.owns_lock());
  EXPECT_TRUE(lock.locked());
}

TEST(Lock, WorksWithScopedLockOfTwo) {
  lockgraph::Lock a("a"), b("b");
  {
    std::scoped_lock both(a, b);
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
  }
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
}

TEST(Lock, WorksWithScopedLockOfThree) {
  lockgraph::Lock a, b, c;
  {
    std::scoped_lock all(a, b, c);
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
    EXPECT_TRUE(c.locked());
    EXPECT_FALSE(InOtherThread([&] { return b.try_lock(); }));
  }
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
  EXPECT_FALSE(c.locked());
}

TEST(Lock, ScopedLockWaitsForALockHeldElsewhere) {
  lockgraph::Lock a, b;
  lockgraph::Event held, waiting;
  std::thread holder([&] {
    b.lock();
    held.set();
    waiting.wait();
    b.unlock();
  });
  held.wait();
  waiting.set();
  {
    std::scoped_lock both(a, b);  // std::lock's back-off: takes both once b is free
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
  }
  holder.join();
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
}

TEST(Lock, WorksWithStdLock) {
  lockgraph::Lock a, b, c;
  std::lock(a, b, c);
  EXPECT_TRUE(a.locked());
  EXPECT_TRUE(b.locked());
  EXPECT_TRUE(c.locked());
  {
    std::lock_guard ga(a, std::adopt_lock);
    std::lock_guard gb(b, std::adopt_lock);
    std::lock_guard gc(c, std::adopt_lock);
  }
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
  EXPECT_FALSE(c.locked());
}

TEST(Lock, StdTryLockReportsWhichLockFailed) {
  lockgraph::Lock a, b;
  HeldElsewhere holder(b);
  EXPECT_EQ(std::try_lock(a, b), 1);  // index of the lock that could not be taken
  EXPECT_FALSE(a.locked());           // std::try_lock released the one it took
}

TEST(Lock, ConditionVariableAnyHandsItemsOver) {
  constexpr int kItems = 100;
  lockgraph::Lock lock;
  std::condition_variable_any cv;
  std::deque<int> items;
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) {
      {
        std::lock_guard hold(lock);
        items.push_back(i);
      }
      cv.notify_one();
    }
  });
  std::vector<int> received;
  {
    std::unique_lock hold(lock);
    while (received.size() < kItems) {
      cv.wait(hold, [&] { return !items.empty(); });
      EXPECT_TRUE(lock.locked());
      received.push_back(items.front());
      items.pop_front();
    }
  }
  producer.join();
  ASSERT_EQ(received.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(received[i], i);
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, ConditionVariableAnyWaitForTimesOutAndRelocks) {
  lockgraph::Lock lock;
  std::condition_variable_any cv;
  std::unique_lock hold(lock);
  // Nobody notifies; the predicate form is immune to spurious wakeups of the std type.
  EXPECT_FALSE(cv.wait_for(hold, 10ms, [] { return false; }));
  EXPECT_TRUE(hold.owns_lock());
  EXPECT_TRUE(lock.locked());
}

TEST(Lock, ProvidesMutualExclusion) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 20000;
  lockgraph::Lock lock;
  lockgraph::Event go;
  long counter = 0;  // deliberately not atomic: only the lock protects it
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.wait();
      for (int i = 0; i < kIncrements; ++i) {
        std::lock_guard hold(lock);
        counter = counter + 1;
      }
    });
  }
  go.set();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter, kThreads * kIncrements);
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, ManyLocksCanBeHeldAtOnce) {
  constexpr int kLocks = 40;
  std::vector<std::unique_ptr<lockgraph::Lock>> locks;
  for (int i = 0; i < kLocks; ++i) locks.push_back(std::make_unique<lockgraph::Lock>());
  for (auto& lock : locks) lock->lock();
  for (auto& lock : locks) EXPECT_TRUE(lock->locked());
  for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->unlock();
  for (auto& lock : locks) EXPECT_FALSE(lock->locked());
}

// reinit(), Python's _at_fork_reinit: the lock is free, its holder forgets it, nothing is
// reported, and the object is used on (a later dependency reads no stale held entry).
TEST_F(LockDestroyedWhileHeld, ReinitByItsHolderFreesItQuietly) {
  lockgraph::Thread user([] {
    lockgraph::Lock lock("Reinit.holder");
    lock.lock();
    lock.reinit();
    EXPECT_FALSE(lock.locked());
    TakeNestedLocks();
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
  }, "user");
  user.start();
  user.join();
  EXPECT_THAT(Misuses(ReadBack()), ::testing::IsEmpty());
}

TEST_F(LockDestroyedWhileHeld, ReinitOfAnotherThreadsLockMakesItsHolderForgetIt) {
  lockgraph::Lock lock("Reinit.other");
  lockgraph::Event held, reinitialized;
  lockgraph::Thread holder([&] {
    lock.lock();
    held.set();
    reinitialized.wait();
    TakeNestedLocks();  // reads its held locks: the reinitialized one is no longer among them
  }, "holder");
  holder.start();
  held.wait();
  lock.reinit();
  EXPECT_FALSE(lock.locked());
  reinitialized.set();
  holder.join();
  EXPECT_THAT(Misuses(ReadBack()), ::testing::IsEmpty());
  EXPECT_THAT(Dependencies(ReadBack(), "DestroyHeld."), ElementsAre("outer -> inner"));
}

TEST_F(LockDestroyedWhileHeld, RLockReinitForgetsEveryLevel) {
  lockgraph::RLock rlock("Reinit.rlock");
  rlock.lock();
  rlock.lock();
  rlock.reinit();
  EXPECT_FALSE(rlock.is_owned());
  TakeNestedLocks();
  EXPECT_TRUE(rlock.try_lock());
  rlock.unlock();
  EXPECT_THAT(Misuses(ReadBack()), ::testing::IsEmpty());
}

}  // namespace

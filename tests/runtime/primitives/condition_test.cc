// Tests of lockgraph::Condition: Python's threading.Condition semantics (notify wakes exactly
// n waiters, FIFO, never spuriously), on its own RLock or on an external Lock or RLock.
#include "lockgraph/condition.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "lockgraph/event.h"
#include "lockgraph/lock.h"
#include "lockgraph/rlock.h"
#include "lockgraph/semaphore.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

static_assert(!std::is_copy_constructible_v<lockgraph::Condition>);

// True if another thread can take the condition's lock right now.
bool TryLockElsewhere(lockgraph::Condition& cond) {
  bool taken = false;
  std::thread([&] {
    taken = cond.try_lock();
    if (taken) cond.unlock();
  }).join();
  return taken;
}

// Waiters that each call cond.wait() once, counting their wakeups under the condition's lock.
// Each one announces itself on `registered` while holding the lock, right before wait(): once
// the notifier has taken that many announcements and then the lock, they are all waiting.
class Waiters {
 public:
  Waiters(lockgraph::Condition& cond, int count) : cond_(cond) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([this] {
        std::unique_lock hold(cond_);
        registered_.release();
        cond_.wait();
        ++woken_;
        woke_.release();
      });
    }
    for (int i = 0; i < count; ++i) registered_.acquire();
  }
  ~Waiters() { Join(); }

  // Waits until `n` more waiters have returned from wait().
  void AwaitWakeups(int n) {
    for (int i = 0; i < n; ++i) woke_.acquire();
  }
  int woken() {
    std::lock_guard hold(cond_);
    return woken_;
  }
  void Join() {
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  lockgraph::Condition& cond_;
  lockgraph::Semaphore registered_{0};
  lockgraph::Semaphore woke_{0};
  int woken_ = 0;  // guarded by cond_
  std::vector<std::thread> threads_;
};

TEST(Condition, IsLockable) {
  lockgraph::Condition cond("ready");
  cond.lock();
  EXPECT_FALSE(TryLockElsewhere(cond));
  ASSERT_TRUE(cond.try_lock());  // its own lock is an RLock: re-entry succeeds
  cond.unlock();
  EXPECT_FALSE(TryLockElsewhere(cond));
  cond.unlock();
  EXPECT_TRUE(TryLockElsewhere(cond));
  ASSERT_TRUE(cond.acquire(true, 10ms));
  cond.release();
  EXPECT_TRUE(TryLockElsewhere(cond));
}

TEST(Condition, WaitAndNotifyHandOffWithAPredicate) {
  constexpr int kItems = 50;
  lockgraph::Condition cond;
  std::deque<int> items;
  std::vector<int> received;
  std::thread consumer([&] {
    std::unique_lock hold(cond);
    while (received.size() < kItems) {
      cond.wait([&] { return !items.empty(); });
      received.push_back(items.front());
      items.pop_front();
    }
  });
  for (int i = 0; i < kItems; ++i) {
    std::lock_guard hold(cond);
    items.push_back(i);
    cond.notify();
  }
  consumer.join();
  ASSERT_EQ(received.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(received[i], i);
}

TEST(Condition, NotifyWakesExactlyNWaiters) {
  lockgraph::Condition cond;
  Waiters waiters(cond, 3);  // all three are waiting once this returns
  {
    std::lock_guard hold(cond);
    cond.notify(1);
  }
  waiters.AwaitWakeups(1);
  EXPECT_EQ(waiters.woken(), 1);
  {
    std::lock_guard hold(cond);
    cond.notify(2);
  }
  waiters.AwaitWakeups(2);
  EXPECT_EQ(waiters.woken(), 3);
  waiters.Join();
}

TEST(Condition, NotifyDefaultsToOneWaiter) {
  lockgraph::Condition cond;
  Waiters waiters(cond, 2);
  {
    std::lock_guard hold(cond);
    cond.notify();
  }
  waiters.AwaitWakeups(1);
  EXPECT_EQ(waiters.woken(), 1);
  {
    std::lock_guard hold(cond);
    cond.notify();
  }
  waiters.AwaitWakeups(1);
  EXPECT_EQ(waiters.woken(), 2);
}

TEST(Condition, NotifyOfMoreThanTheWaitersWakesThemAll) {
  lockgraph::Condition cond;
  Waiters waiters(cond, 2);
  {
    std::lock_guard hold(cond);
    cond.notify(5);
  }
  waiters.AwaitWakeups(2);
  EXPECT_EQ(waiters.woken(), 2);
}

TEST(Condition, NotifyOfZeroWakesNobody) {
  lockgraph::Condition cond;
  Waiters waiters(cond, 2);
  {
    std::lock_guard hold(cond);
    cond.notify(0);
    cond.notify(-1);
    cond.notify(1);
  }
  waiters.AwaitWakeups(1);
  EXPECT_EQ(waiters.woken(), 1);
  {
    std::lock_guard hold(cond);
    cond.notify(1);
  }
  waiters.AwaitWakeups(1);
  EXPECT_EQ(waiters.woken(), 2);
}

TEST(Condition, NotifyAllWakesEveryWaiter) {
  lockgraph::Condition cond;
  Waiters waiters(cond, 4);
  {
    std::lock_guard hold(cond);
    cond.notify_all();
  }
  waiters.AwaitWakeups(4);
  EXPECT_EQ(waiters.woken(), 4);
}

TEST(Condition, WakesWaitersInFifoOrder) {
  constexpr int kWaiters = 3;
  lockgraph::Condition cond;
  lockgraph::Semaphore registered(0), woke(0);
  std::vector<int> order;  // guarded by cond
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&, i] {
      std::unique_lock hold(cond);
      registered.release();
      cond.wait();
      order.push_back(i);
      woke.release();
    });
    ASSERT_TRUE(registered.acquire());  // waiter i waits before waiter i+1 starts
  }
  for (int i = 0; i < kWaiters; ++i) {
    {
      std::lock_guard hold(cond);
      cond.notify(1);
    }
    ASSERT_TRUE(woke.acquire());
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(Condition, NotifyWithoutWaitersIsNotRemembered) {
  lockgraph::Condition cond;
  std::lock_guard hold(cond);
  cond.notify();
  cond.notify_all();
  EXPECT_FALSE(cond.wait_for(10ms));  // the earlier notifies woke nobody, and count for nothing
}

TEST(Condition, WaitForTimesOutAndHoldsTheLockAgain) {
  lockgraph::Condition cond;
  std::unique_lock hold(cond);
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(cond.wait_for(20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
  EXPECT_FALSE(TryLockElsewhere(cond));
  hold.unlock();
  EXPECT_TRUE(TryLockElsewhere(cond));
}

TEST(Condition, WaitForReturnsTrueWhenNotified) {
  lockgraph::Condition cond;
  lockgraph::Semaphore waiting(0);
  bool notified = false;
  std::thread waiter([&] {
    std::unique_lock hold(cond);
    waiting.release();
    notified = cond.wait_for(60s);
    EXPECT_FALSE(TryLockElsewhere(cond));
  });
  ASSERT_TRUE(waiting.acquire());
  {
    std::lock_guard hold(cond);  // the waiter is waiting once we hold the lock
    cond.notify();
  }
  waiter.join();
  EXPECT_TRUE(notified);
}

TEST(Condition, WaitForWithPredicateReturnsThePredicate) {
  lockgraph::Condition cond;
  std::unique_lock hold(cond);
  EXPECT_FALSE(cond.wait_for(10ms, [] { return false; }));
  EXPECT_TRUE(cond.wait_for(10ms, [] { return true; }));
  EXPECT_TRUE(cond.wait_for(0ms, [] { return true; }));
  EXPECT_FALSE(cond.wait_for(0ms, [] { return false; }));
  EXPECT_FALSE(TryLockElsewhere(cond));
}

TEST(Condition, WaitForWithPredicateSeesAnUpdateFromAnotherThread) {
  lockgraph::Condition cond;
  bool ready = false;  // guarded by cond
  lockgraph::Event waiting;
  std::thread setter([&] {
    waiting.wait();
    std::lock_guard hold(cond);
    ready = true;
    cond.notify();
  });
  std::unique_lock hold(cond);
  waiting.set();
  EXPECT_TRUE(cond.wait_for(60s, [&] { return ready; }));
  EXPECT_TRUE(ready);
  hold.unlock();
  setter.join();
}

TEST(Condition, WorksOnAnExternalLock) {
  lockgraph::Lock lock("queue");
  lockgraph::Condition cond(lock);
  cond.lock();
  EXPECT_TRUE(lock.locked());
  cond.unlock();
  EXPECT_FALSE(lock.locked());

  bool ready = false;  // guarded by lock
  std::thread producer([&] {
    std::lock_guard hold(lock);  // the lock itself, not the Condition
    ready = true;
    cond.notify();
  });
  {
    std::unique_lock hold(lock);
    cond.wait([&] { return ready; });
    EXPECT_TRUE(lock.locked());
  }
  producer.join();
  EXPECT_FALSE(lock.locked());
}

TEST(Condition, OnAnExternalLockTryFailsWhileTheLockIsHeldElsewhere) {
  lockgraph::Lock lock;
  lockgraph::Condition cond(lock);
  lockgraph::Event held, release;
  std::thread holder([&] {
    lock.lock();
    held.set();
    release.wait();
    lock.unlock();
  });
  held.wait();
  EXPECT_FALSE(cond.try_lock());
  EXPECT_FALSE(cond.acquire(false));
  EXPECT_FALSE(cond.acquire(true, 10ms));
  release.set();
  holder.join();
  ASSERT_TRUE(cond.try_lock());
  EXPECT_TRUE(lock.locked());
  cond.release();
  EXPECT_FALSE(lock.locked());
}

TEST(Condition, WaitForOnAnExternalLockHoldsItAgainAfterATimeout) {
  lockgraph::Lock lock;
  lockgraph::Condition cond(lock);
  lock.lock();
  EXPECT_FALSE(cond.wait_for(10ms));
  EXPECT_TRUE(lock.locked());
  bool taken_elsewhere = true;
  std::thread([&] { taken_elsewhere = lock.try_lock(); }).join();
  EXPECT_FALSE(taken_elsewhere);
  lock.unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(Condition, WaitOnAnExternalRLockRestoresEveryLevel) {
  lockgraph::RLock rlock;
  lockgraph::Condition cond(rlock);
  bool ready = false;  // guarded by rlock
  lockgraph::Event waiting;
  std::thread notifier([&] {
    waiting.wait();
    std::lock_guard hold(rlock);  // only free while the main thread waits
    ready = true;
    cond.notify();
  });
  rlock.lock();
  rlock.lock();
  waiting.set();
  // A bounded wait, so that a wait() that kept a level of the lock fails instead of hanging.
  EXPECT_TRUE(cond.wait_for(60s, [&] { return ready; }));
  EXPECT_TRUE(rlock.is_owned());
  rlock.unlock();
  EXPECT_TRUE(rlock.is_owned());  // held twice again: two unlocks needed
  EXPECT_FALSE(TryLockElsewhere(cond));
  rlock.unlock();
  EXPECT_FALSE(rlock.is_owned());
  EXPECT_TRUE(TryLockElsewhere(cond));
  notifier.join();
}

TEST(Condition, WaitOnItsOwnLockRestoresEveryLevel) {
  lockgraph::Condition cond;
  bool ready = false;  // guarded by cond
  lockgraph::Event waiting;
  std::thread notifier([&] {
    waiting.wait();
    std::lock_guard hold(cond);
    ready = true;
    cond.notify();
  });
  cond.lock();
  cond.lock();
  waiting.set();
  EXPECT_TRUE(cond.wait_for(60s, [&] { return ready; }));
  cond.unlock();
  EXPECT_FALSE(TryLockElsewhere(cond));
  cond.unlock();
  EXPECT_TRUE(TryLockElsewhere(cond));
  notifier.join();
}

TEST(Condition, WorksWithUniqueLock) {
  lockgraph::Condition cond;
  {
    std::unique_lock<lockgraph::Condition> hold(cond);
    EXPECT_TRUE(hold.owns_lock());
    EXPECT_FALSE(TryLockElsewhere(cond));
    hold.unlock();
    EXPECT_TRUE(TryLockElsewhere(cond));
    ASSERT_TRUE(hold.try_lock());
    EXPECT_FALSE(TryLockElsewhere(cond));
  }
  EXPECT_TRUE(TryLockElsewhere(cond));
  std::unique_lock<lockgraph::Condition> deferred(cond, std::defer_lock);
  EXPECT_FALSE(deferred.owns_lock());
  EXPECT_TRUE(TryLockElsewhere(cond));
}

TEST(Condition, WaitWithoutTheLockReturnsAtOnce) {
  lockgraph::Condition cond;
  cond.wait();  // misuse: reported, returns instead of blocking
  EXPECT_FALSE(cond.wait_for(60s));
  EXPECT_TRUE(TryLockElsewhere(cond));  // it did not take the lock either
}

TEST(Condition, NotifyWithoutTheLockDoesNothing) {
  lockgraph::Condition cond;
  Waiters waiters(cond, 1);
  cond.notify();  // misuse: reported, wakes nobody
  cond.notify_all();
  {
    std::lock_guard hold(cond);  // the waiter is still waiting: it must be notified properly
    EXPECT_EQ(waiters.woken(), 0);
    cond.notify();
  }
  waiters.AwaitWakeups(1);
  EXPECT_EQ(waiters.woken(), 1);
}

TEST(Condition, StillWorksAfterMisuse) {
  lockgraph::Lock lock;
  lockgraph::Condition cond(lock);
  cond.wait();    // misuse
  cond.notify();  // misuse
  bool ready = false;
  std::thread producer([&] {
    std::lock_guard hold(cond);
    ready = true;
    cond.notify_all();
  });
  {
    std::unique_lock hold(cond);
    cond.wait([&] { return ready; });
    EXPECT_TRUE(lock.locked());
  }
  producer.join();
  EXPECT_FALSE(lock.locked());
}

}  // namespace

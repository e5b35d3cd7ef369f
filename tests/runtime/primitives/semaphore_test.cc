// Tests of lockgraph::Semaphore and lockgraph::BoundedSemaphore: Python's threading.Semaphore
// and BoundedSemaphore semantics, the std::counting_semaphore spellings and BasicLockable.
#include "lockgraph/semaphore.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "lockgraph/bounded_semaphore.h"
#include "lockgraph/event.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

static_assert(std::is_base_of_v<lockgraph::Semaphore, lockgraph::BoundedSemaphore>);
static_assert(!std::is_copy_constructible_v<lockgraph::Semaphore>);

void UpdateMax(std::atomic<int>& max, int value) {
  int seen = max.load();
  while (seen < value && !max.compare_exchange_weak(seen, value)) {
  }
}

TEST(Semaphore, ValueIsTheInitialValue) {
  EXPECT_EQ(lockgraph::Semaphore().value(), 1);
  EXPECT_EQ(lockgraph::Semaphore(0).value(), 0);
  EXPECT_EQ(lockgraph::Semaphore(3, "slots").value(), 3);
}

TEST(Semaphore, AcquireTakesAndReleaseReturnsOnePermit) {
  lockgraph::Semaphore sem(2);
  ASSERT_TRUE(sem.acquire());
  EXPECT_EQ(sem.value(), 1);
  ASSERT_TRUE(sem.acquire());
  EXPECT_EQ(sem.value(), 0);
  sem.release();
  EXPECT_EQ(sem.value(), 1);
  sem.release();
  EXPECT_EQ(sem.value(), 2);
}

TEST(Semaphore, NonBlockingAcquireAtZeroFails) {
  lockgraph::Semaphore sem(0);
  EXPECT_FALSE(sem.acquire(false));
  EXPECT_FALSE(sem.try_acquire());
  EXPECT_FALSE(sem.try_lock());
  EXPECT_EQ(sem.value(), 0);
}

TEST(Semaphore, TimedAcquireAtZeroTimesOut) {
  lockgraph::Semaphore sem(0);
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(sem.acquire(true, 20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
  EXPECT_FALSE(sem.try_acquire_for(10ms));
  EXPECT_FALSE(sem.acquire(true, 0ns));
  EXPECT_EQ(sem.value(), 0);
}

TEST(Semaphore, TimedAcquireSucceedsWhenAPermitIsFree) {
  lockgraph::Semaphore sem(1);
  EXPECT_TRUE(sem.try_acquire_for(10ms));
  EXPECT_EQ(sem.value(), 0);
  sem.release();
  EXPECT_TRUE(sem.acquire(true, 0ns));
  EXPECT_EQ(sem.value(), 0);
  sem.release();
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, ReleaseOfNLetsExactlyNAcquisitionsThrough) {
  lockgraph::Semaphore sem(0);
  sem.release(3);
  EXPECT_EQ(sem.value(), 3);
  EXPECT_TRUE(sem.acquire(false));
  EXPECT_TRUE(sem.acquire(false));
  EXPECT_TRUE(sem.acquire(false));
  EXPECT_FALSE(sem.acquire(false));
  EXPECT_EQ(sem.value(), 0);
}

TEST(Semaphore, ReleaseOfZeroOrLessAddsNothing) {
  lockgraph::Semaphore sem(1);
  sem.release(0);
  sem.release(-2);
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, ValueCanGrowAboveTheInitialValue) {
  lockgraph::Semaphore sem(1);  // unbounded: Python allows it too
  sem.release();
  sem.release(2);
  EXPECT_EQ(sem.value(), 4);
}

TEST(Semaphore, BlockingAcquireIsReleasedByAnotherThread) {
  lockgraph::Semaphore sem(0);
  lockgraph::Event acquiring;
  bool acquired = false;
  std::thread waiter([&] {
    acquiring.set();
    acquired = sem.acquire();
  });
  acquiring.wait();
  sem.release();  // before or during the waiter's acquire: it gets the permit either way
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_EQ(sem.value(), 0);
}

TEST(Semaphore, TimedAcquireIsReleasedByAnotherThread) {
  lockgraph::Semaphore sem(0);
  lockgraph::Event acquiring;
  bool acquired = false;
  std::thread waiter([&] {
    acquiring.set();
    acquired = sem.acquire(true, 60s);
  });
  acquiring.wait();
  sem.release();
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_EQ(sem.value(), 0);
}

TEST(Semaphore, ReleaseOfNWakesNWaiters) {
  constexpr int kWaiters = 4;
  lockgraph::Semaphore sem(0);
  lockgraph::Semaphore started(0);
  std::atomic<int> acquired{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&] {
      started.release();
      if (sem.acquire()) acquired.fetch_add(1);
    });
  }
  for (int i = 0; i < kWaiters; ++i) ASSERT_TRUE(started.acquire());
  sem.release(kWaiters);
  for (std::thread& waiter : waiters) waiter.join();
  EXPECT_EQ(acquired.load(), kWaiters);
  EXPECT_EQ(sem.value(), 0);
}

TEST(Semaphore, SignalsFromAnotherThread) {
  // A value-0 semaphore as a signal: one thread releases, another acquires.
  lockgraph::Semaphore done(0);
  int result = 0;
  std::thread worker([&] {
    result = 42;
    done.release();
  });
  ASSERT_TRUE(done.acquire());
  EXPECT_EQ(result, 42);
  worker.join();
  EXPECT_EQ(done.value(), 0);
}

TEST(Semaphore, ValueOneSemaphoreReleasedByAnotherThreadKeepsCounting) {
  // Once released by a thread that did not take it, a value-1 semaphore becomes a signal;
  // its counting is unaffected.
  lockgraph::Semaphore sem(1);
  ASSERT_TRUE(sem.acquire());
  EXPECT_EQ(sem.value(), 0);
  std::thread([&] { sem.release(); }).join();
  EXPECT_EQ(sem.value(), 1);
  ASSERT_TRUE(sem.acquire(false));
  EXPECT_FALSE(sem.acquire(false));
  sem.release();
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, NeverLetsMoreThanItsValueInside) {
  constexpr int kThreads = 8;
  constexpr int kSlots = 3;
  lockgraph::Semaphore slots(kSlots);
  lockgraph::Event three_inside;
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  std::atomic<int> entries{0};
  std::atomic<int> first_arrivals{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::lock_guard permit(slots);
      const int now = inside.fetch_add(1) + 1;
      UpdateMax(max_inside, now);
      // The first three to enter stay until all three are inside, so the maximum is reached.
      if (entries.fetch_add(1) < kSlots) {
        if (first_arrivals.fetch_add(1) + 1 == kSlots) three_inside.set();
        three_inside.wait();
      }
      inside.fetch_sub(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(max_inside.load(), kSlots);
  EXPECT_EQ(entries.load(), kThreads);
  EXPECT_EQ(inside.load(), 0);
  EXPECT_EQ(slots.value(), kSlots);
}

TEST(Semaphore, ValueOneSemaphoreReleasedByAnotherThreadIsForgottenByItsTaker) {
  alignas(lockgraph::Semaphore) unsigned char storage[sizeof(lockgraph::Semaphore)];
  auto* sem = new (storage) lockgraph::Semaphore(1);
  lockgraph::Event taken, released;
  std::thread taker([&] {
    ASSERT_TRUE(sem->acquire());  // lock-like: joins this thread's held set
    taken.set();
    released.wait();
    // The permit went back from another thread: this thread no longer holds it. A new
    // dependency reads every lock this thread holds.
    lockgraph::Semaphore outer(1), inner(1);
    std::lock_guard hold_outer(outer);
    std::lock_guard hold_inner(inner);
    EXPECT_EQ(inner.value(), 0);
  });
  taken.wait();
  sem->release();
  EXPECT_EQ(sem->value(), 1);
  sem->~Semaphore();
  std::memset(storage, 0xA5, sizeof(storage));
  released.set();
  taker.join();
}

TEST(Semaphore, DestroyingAValueOneSemaphoreWithItsPermitTakenIsSafe) {
  // A semaphore is not owned: dropping one whose permit is out is legal (Python, and
  // std::counting_semaphore), unlike destroying a held Lock.
  std::thread([] {
    alignas(lockgraph::Semaphore) unsigned char storage[sizeof(lockgraph::Semaphore)];
    auto* sem = new (storage) lockgraph::Semaphore(1);
    ASSERT_TRUE(sem->acquire());  // a value-1 semaphore is lock-like: joins the held set
    sem->~Semaphore();
    std::memset(storage, 0xA5, sizeof(storage));  // as a reused stack slot or heap block
    // A lock taken while another is held records a dependency, which describes the held set.
    lockgraph::Semaphore outer(1);
    lockgraph::Semaphore inner(1);
    std::lock_guard hold_outer(outer);
    std::lock_guard hold_inner(inner);
    EXPECT_EQ(inner.value(), 0);
  }).join();
}

TEST(Semaphore, LockGuardHoldsOnePermit) {
  lockgraph::Semaphore sem(2);
  {
    std::lock_guard permit(sem);
    EXPECT_EQ(sem.value(), 1);
    {
      std::lock_guard second(sem);
      EXPECT_EQ(sem.value(), 0);
      EXPECT_FALSE(sem.try_lock());
    }
    EXPECT_EQ(sem.value(), 1);
  }
  EXPECT_EQ(sem.value(), 2);
}

TEST(Semaphore, LockAndUnlockTakeAndReturnOnePermit) {
  lockgraph::Semaphore sem(1);
  sem.lock();
  EXPECT_EQ(sem.value(), 0);
  EXPECT_FALSE(sem.try_lock());
  sem.unlock();
  EXPECT_EQ(sem.value(), 1);
  {
    std::unique_lock permit(sem, std::try_to_lock);
    EXPECT_TRUE(permit.owns_lock());
    EXPECT_EQ(sem.value(), 0);
  }
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, ValueOneSemaphoreIsMutuallyExclusive) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 5000;
  lockgraph::Semaphore mutex(1);
  lockgraph::Event go;
  long counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.wait();
      for (int i = 0; i < kIncrements; ++i) {
        std::lock_guard hold(mutex);
        counter = counter + 1;
      }
    });
  }
  go.set();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter, kThreads * kIncrements);
  EXPECT_EQ(mutex.value(), 1);
}

TEST(BoundedSemaphore, ValueIsTheInitialValue) {
  EXPECT_EQ(lockgraph::BoundedSemaphore().value(), 1);
  EXPECT_EQ(lockgraph::BoundedSemaphore(4, "pool").value(), 4);
}

TEST(BoundedSemaphore, ReleaseAboveTheInitialValueIsRefused) {
  lockgraph::BoundedSemaphore pool(2);
  pool.release();  // misuse: reported, no permit added
  EXPECT_EQ(pool.value(), 2);
  ASSERT_TRUE(pool.acquire(false));
  ASSERT_TRUE(pool.acquire(false));
  EXPECT_FALSE(pool.acquire(false));
  EXPECT_EQ(pool.value(), 0);
}

TEST(BoundedSemaphore, ReleaseThatWouldOvershootAddsNothing) {
  lockgraph::BoundedSemaphore pool(3);
  ASSERT_TRUE(pool.acquire());
  EXPECT_EQ(pool.value(), 2);
  pool.release(2);  // 2 + 2 > 3: refused as a whole
  EXPECT_EQ(pool.value(), 2);
  pool.release(1);
  EXPECT_EQ(pool.value(), 3);
}

TEST(BoundedSemaphore, ReleaseBelowTheBoundWorks) {
  lockgraph::BoundedSemaphore pool(3);
  ASSERT_TRUE(pool.acquire());
  ASSERT_TRUE(pool.acquire());
  ASSERT_TRUE(pool.acquire());
  EXPECT_EQ(pool.value(), 0);
  pool.release();
  EXPECT_EQ(pool.value(), 1);
  pool.release(2);
  EXPECT_EQ(pool.value(), 3);
}

TEST(BoundedSemaphore, ReleaseThroughTheBaseClassIsBounded) {
  lockgraph::BoundedSemaphore pool(1);
  lockgraph::Semaphore& base = pool;
  base.release();
  EXPECT_EQ(pool.value(), 1);
  {
    std::lock_guard permit(base);
    EXPECT_EQ(pool.value(), 0);
  }
  EXPECT_EQ(pool.value(), 1);
}

TEST(BoundedSemaphore, ReleaseWakesABlockedWaiter) {
  lockgraph::BoundedSemaphore pool(1);
  ASSERT_TRUE(pool.acquire());
  lockgraph::Event acquiring;
  bool acquired = false;
  std::thread waiter([&] {
    acquiring.set();
    acquired = pool.acquire();
  });
  acquiring.wait();
  pool.release();
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_EQ(pool.value(), 0);
  pool.release();
  EXPECT_EQ(pool.value(), 1);
}

TEST(BoundedSemaphore, BoundsConcurrentUsers) {
  constexpr int kThreads = 6;
  constexpr int kSlots = 2;
  lockgraph::BoundedSemaphore pool(kSlots);
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  lockgraph::Event go;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.wait();
      for (int i = 0; i < 200; ++i) {
        std::lock_guard permit(pool);
        UpdateMax(max_inside, inside.fetch_add(1) + 1);
        inside.fetch_sub(1);
      }
    });
  }
  go.set();
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(max_inside.load(), kSlots);
  EXPECT_GE(max_inside.load(), 1);
  EXPECT_EQ(pool.value(), kSlots);
}

}  // namespace

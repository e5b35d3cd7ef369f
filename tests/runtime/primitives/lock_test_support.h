// Helpers of the tests of lockgraph's locks (Lock, RLock, ProcessLock, SharedLock): the
// standard's named requirements spelled as concepts, and the other thread a test needs to
// hold a lock or to try one.
//
//   static_assert(lockgraph::testing::TimedLockable<lockgraph::Lock>);
//   static_assert(lockgraph::testing::SharedTimedLockable<lockgraph::SharedLock>);
//   HeldElsewhere<lockgraph::Lock> held(lock);        // another thread holds it until Release()
//   EXPECT_FALSE(InOtherThread([&] { return lock.try_lock(); }));
#ifndef LOCKGRAPH_TESTS_RUNTIME_PRIMITIVES_LOCK_TEST_SUPPORT_H_
#define LOCKGRAPH_TESTS_RUNTIME_PRIMITIVES_LOCK_TEST_SUPPORT_H_

#include <chrono>
#include <concepts>
#include <thread>

#include "lockgraph/event.h"

namespace lockgraph::testing {

// BasicLockable, Lockable and TimedLockable ([thread.req.lockable]); TimedLockable with the
// steady clock, the clock lockgraph's timeouts use.
template <class M>
concept BasicLockable = requires(M& m) {
  m.lock();
  m.unlock();
};
template <class M>
concept Lockable = BasicLockable<M> && requires(M& m) {
  { m.try_lock() } -> std::same_as<bool>;
};
template <class M>
concept TimedLockable =
    Lockable<M> && requires(M& m, std::chrono::milliseconds d,
                            std::chrono::steady_clock::time_point t) {
      { m.try_lock_for(d) } -> std::same_as<bool>;
      { m.try_lock_until(t) } -> std::same_as<bool>;
    };

// SharedLockable and SharedTimedLockable ([thread.req.lockable.shared]): what std::shared_lock
// needs.
template <class M>
concept SharedLockable = requires(M& m) {
  m.lock_shared();
  { m.try_lock_shared() } -> std::same_as<bool>;
  m.unlock_shared();
};
template <class M>
concept SharedTimedLockable =
    SharedLockable<M> && requires(M& m, std::chrono::milliseconds d,
                                  std::chrono::steady_clock::time_point t) {
      { m.try_lock_shared_for(d) } -> std::same_as<bool>;
      { m.try_lock_shared_until(t) } -> std::same_as<bool>;
    };

// Holds `lock` in another thread from construction until Release() (or destruction).
template <class L>
class HeldElsewhere {
 public:
  explicit HeldElsewhere(L& lock)
      : thread_([this, &lock] {
          lock.lock();
          held_.set();
          release_.wait();
          lock.unlock();
        }) {
    held_.wait();
  }
  ~HeldElsewhere() { Release(); }
  // Returns once the other thread has unlocked.
  void Release() {
    release_.set();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Event held_;
  Event release_;
  std::thread thread_;
};

// Runs `f` in another thread and returns its result.
template <class F>
auto InOtherThread(F f) {
  decltype(f()) result{};
  std::thread([&] { result = f(); }).join();
  return result;
}

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_RUNTIME_PRIMITIVES_LOCK_TEST_SUPPORT_H_

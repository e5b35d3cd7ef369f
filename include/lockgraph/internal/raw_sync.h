// Not part of the API: an unrecorded futex mutex and condition variable, used inside the
// primitives (Queue<T> is a template, so its internals must be declared in a header). They
// are invisible to the lock graph and to the LD_PRELOAD interposer.
#ifndef LOCKGRAPH_INTERNAL_RAW_SYNC_H_
#define LOCKGRAPH_INTERNAL_RAW_SYNC_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "absl/base/thread_annotations.h"

namespace lockgraph::internal {

// A point in CLOCK_MONOTONIC time, or never. Timed waits loop until their deadline, so a
// spurious wakeup never shortens or stretches a timeout.
class Deadline {
 public:
  static Deadline Never() { return Deadline(-1); }
  // kForever (or anything past the year 2262) gives Never().
  static Deadline After(std::chrono::nanoseconds timeout);
  // At a CLOCK_MONOTONIC time (MonotonicNanos()); negative gives Never().
  static Deadline At(int64_t monotonic_ns) { return Deadline(monotonic_ns < 0 ? -1 : monotonic_ns); }

  bool never() const { return ns_ < 0; }
  bool Passed() const;
  int64_t monotonic_ns() const { return ns_; }

 private:
  explicit Deadline(int64_t ns) : ns_(ns) {}
  int64_t ns_;
};

int64_t MonotonicNanos();

class ABSL_LOCKABLE RawMutex {
 public:
  RawMutex() = default;
  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    uint32_t expected = 0;
    if (!word_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      LockSlow();
    }
  }
  void unlock() ABSL_UNLOCK_FUNCTION() {
    if (word_.exchange(0, std::memory_order_release) == 2) Wake();
  }

 private:
  void LockSlow();
  void Wake();
  std::atomic<uint32_t> word_{0};  // 0 free, 1 locked, 2 locked and maybe waiters
};

class ABSL_SCOPED_LOCKABLE RawMutexLock {
 public:
  explicit RawMutexLock(RawMutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_.lock(); }
  ~RawMutexLock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  RawMutexLock(const RawMutexLock&) = delete;
  RawMutexLock& operator=(const RawMutexLock&) = delete;

 private:
  RawMutex& mu_;
};

// Wakeups may be spurious: callers re-check their condition in a loop.
class RawCondVar {
 public:
  // Releases `mu`, waits for a notify (or a spurious wakeup) or the deadline, re-acquires `mu`.
  // Returns false if the deadline has passed.
  bool Wait(RawMutex& mu, Deadline deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void NotifyOne();
  void NotifyAll();

 private:
  std::atomic<uint32_t> sequence_{0};
};

}  // namespace lockgraph::internal

#endif  // LOCKGRAPH_INTERNAL_RAW_SYNC_H_

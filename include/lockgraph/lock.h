// lockgraph::Lock — a non-recursive mutex that records the order in which threads take it
// (Python's threading.Lock, spelled like std::timed_mutex).
//
//   lockgraph::Lock accounts("accounts");        // the class is "accounts"
//   lockgraph::Lock audit;                        // the class is this file:line
//
// Name member locks: an unnamed member's class is the site of the constructor that builds
// its object, the same for every member (a C++ rule of std::source_location).
//   std::scoped_lock both(accounts, audit);       // Lockable and TimedLockable
//
// Cost: an uncontended lock+unlock is a compare-and-swap, an exchange and a few thread-local
// stores; a new (held locks, lock) pair in a thread records a dependency with its stack, once.
// Misuse — unlocking a lock that is not held, unlocking another thread's lock, locking again a
// lock this thread holds (which would wait forever), destroying a held lock — is reported with
// the stack and handled per the on_misuse option. An unlock by another thread still releases
// the lock, as in Python.
#ifndef LOCKGRAPH_LOCK_H_
#define LOCKGRAPH_LOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <source_location>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class Condition;

class ABSL_LOCKABLE Lock {
 public:
  // `name` is the lock class; empty means the class is the construction site (for a member,
  // the enclosing object's constructor).
  explicit Lock(std::string_view name = {},
                std::source_location site = std::source_location::current());
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // Never blocks; a successful try_lock joins the held set but can never close a cycle.
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TimedLock(internal::ToTimeout(timeout));
  }
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TimedLock(internal::UntilTimeout(deadline));
  }
  void unlock() ABSL_UNLOCK_FUNCTION();

  // Python spelling. acquire(false) is try_lock(); a timeout other than kForever bounds the
  // wait. Returns true if the lock was taken.
  bool acquire(bool blocking = true, std::chrono::nanoseconds timeout = kForever)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void release() ABSL_UNLOCK_FUNCTION() { unlock(); }

  // True if some thread holds the lock (a snapshot).
  bool locked() const { return word_.load(std::memory_order_relaxed) != 0; }

  // Free again, whoever held it, and nothing reported (Python's _at_fork_reinit: in a forked
  // child the holder may be a thread that does not exist). The holder forgets it.
  void reinit();

 private:
  friend class Condition;

  bool TimedLock(std::chrono::nanoseconds timeout);
  bool Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc);
  bool LockSlow(std::chrono::nanoseconds timeout, uint8_t flags, uintptr_t caller_pc);
  void Acquired(uint8_t flags, uintptr_t caller_pc);
  void UnlockSlow();

  std::atomic<uint32_t> word_{0};   // 0 free, 1 locked, 2 locked and maybe waiters
  // The last thread to take the lock and where (not cleared on release): named in reports
  // and long waits. Whether the caller holds the lock is decided by its held stack.
  std::atomic<uint32_t> owner_{0};
  std::atomic<uintptr_t> owner_pc_{0};
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_LOCK_H_

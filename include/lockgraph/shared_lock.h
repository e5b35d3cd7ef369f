// lockgraph::SharedLock — a reader-writer lock that records the order in which threads take
// it and in which mode (std::shared_timed_mutex's interface).
//
//   lockgraph::SharedLock table("routes");
//   { std::shared_lock read(table); ... }          // shared: readers do not block readers
//   { std::unique_lock write(table); ... }         // exclusive; std::scoped_lock works too
//
// A shared acquisition is recorded as shared, so a cycle of shared acquisitions only (two
// threads reading A then B and B then A) is harmless to every check, and so is any cycle with
// a lock that both of the threads meeting at it read; a cycle with a writer at each of its
// locks is a deadlock.
//
// Waiting: a writer waits for every holder; a reader waits for a writer that holds the lock,
// and, if it holds no other lock, also for one that waits (so a stream of readers cannot
// starve a writer). A reader that holds other locks never waits behind a waiting writer: two
// readers cannot deadlock through a writer queued between them. There is no FIFO order.
// Unlike std::shared_mutex, a thread may take the lock shared again while it holds it shared:
// that never waits. Locks the runtime does not record (a std::mutex outside `lockgraph run`)
// are not counted as held.
//
// Cost: uncontended, an exclusive lock+unlock is two compare-and-swaps, a shared one a
// compare-and-swap and an atomic subtract, each with a few thread-local stores (about 1.3x
// std::shared_mutex for a shared lock+unlock, docs/performance.md); a new (held locks, lock,
// mode) in a thread records a dependency with its stack, once. A blocked waiter sleeps on a
// futex; every release that may let a waiter in wakes them all.
// Misuse — unlocking in a mode this thread does not hold the lock in (release-wrong-mode: the
// lock stays held), unlocking a lock not held, taking the lock in either mode while this
// thread holds it exclusively, or exclusively while it holds it shared (each waits forever: a
// deadlock of one thread, reported before it blocks; with a timeout, misuse), destroying a
// held lock — is reported with the stack and handled per the on_misuse option. An unlock() by a thread that does not
// hold the lock releases another thread's exclusive hold, as Lock does; an unlock_shared() by
// a thread that holds no shared hold releases nothing (whose hold would it end?).
#ifndef LOCKGRAPH_SHARED_LOCK_H_
#define LOCKGRAPH_SHARED_LOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <source_location>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class ABSL_LOCKABLE SharedLock {
 public:
  // `name` is the lock class; empty means the class is the construction site (for a member,
  // the enclosing object's constructor).
  explicit SharedLock(std::string_view name = {},
                      std::source_location site = std::source_location::current());
  ~SharedLock();
  SharedLock(const SharedLock&) = delete;
  SharedLock& operator=(const SharedLock&) = delete;

  // ---- Exclusive (writer) mode: Lockable and TimedLockable ----
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // Never blocks; a successful try joins the held set but can never close a cycle.
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

  // ---- Shared (reader) mode: SharedLockable and SharedTimedLockable ----
  void lock_shared() ABSL_SHARED_LOCK_FUNCTION();
  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true);
  template <class Rep, class Period>
  bool try_lock_shared_for(const std::chrono::duration<Rep, Period>& timeout)
      ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return TimedLockShared(internal::ToTimeout(timeout));
  }
  template <class Clock, class Duration>
  bool try_lock_shared_until(const std::chrono::time_point<Clock, Duration>& deadline)
      ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return TimedLockShared(internal::UntilTimeout(deadline));
  }
  void unlock_shared() ABSL_UNLOCK_FUNCTION();

  // True if some thread holds the lock, in either mode (a snapshot).
  bool locked() const { return (word_.load(std::memory_order_relaxed) & kHeldMask) != 0; }

 private:
  // The word's layout is runtime/base/shared_word.h's: the writer bit and the reader count.
  static constexpr uint32_t kHeldMask = (1u << 31) | ((1u << 29) - 1);

  bool TimedLock(std::chrono::nanoseconds timeout);
  bool TimedLockShared(std::chrono::nanoseconds timeout);
  bool LockSlow(std::chrono::nanoseconds timeout, uint8_t flags, uintptr_t caller_pc);
  bool LockSharedSlow(std::chrono::nanoseconds timeout, uint8_t flags, uintptr_t caller_pc);
  void Acquired(uint8_t flags, uintptr_t caller_pc);
  void UnlockSlow();
  void UnlockSharedSlow();

  std::atomic<uint32_t> word_{0};
  std::atomic<uint64_t> writers_{0};  // the process and number of waiting writers
  // The last thread to take the lock, in either mode, and where (not cleared on release):
  // named in reports and long waits. Whether the caller holds the lock, and how, is decided
  // by its held stack.
  std::atomic<uint32_t> owner_{0};
  std::atomic<uintptr_t> owner_pc_{0};
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_SHARED_LOCK_H_

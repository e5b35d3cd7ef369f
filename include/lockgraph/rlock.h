// lockgraph::RLock — a recursive lock owned by one thread (Python's threading.RLock, spelled
// like std::recursive_timed_mutex).
//
//   lockgraph::RLock registry_lock("registry");
//   std::lock_guard outer(registry_lock);
//   std::lock_guard inner(registry_lock);  // re-entry: no new lock-order edge
//
// Only the first acquisition of a thread is recorded in its lock order; re-entries are
// counted. Releasing an RLock the calling thread does not own is misuse: it is reported and
// ignored (the owner keeps the lock).
#ifndef LOCKGRAPH_RLOCK_H_
#define LOCKGRAPH_RLOCK_H_

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

class ABSL_LOCKABLE RLock {
 public:
  explicit RLock(std::string_view name = {},
                 std::source_location site = std::source_location::current());
  ~RLock();
  RLock(const RLock&) = delete;
  RLock& operator=(const RLock&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return acquire(true, internal::ToTimeout(timeout));
  }
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return acquire(true, internal::UntilTimeout(deadline));
  }
  void unlock() ABSL_UNLOCK_FUNCTION();

  bool acquire(bool blocking = true, std::chrono::nanoseconds timeout = kForever)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void release() ABSL_UNLOCK_FUNCTION() { unlock(); }

  // True if the calling thread holds the lock.
  bool is_owned() const;

  // Free again, whoever owned it, and nothing reported (Python's _at_fork_reinit).
  void reinit();

 private:
  friend class Condition;

  bool Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc);
  void UnlockSlow();
  // Condition::wait: release every level, then restore them.
  uint32_t ReleaseAll();
  void RestoreAll(uint32_t depth, uintptr_t caller_pc);

  std::atomic<uint32_t> word_{0};   // 0 free, 1 owned, 2 owned and maybe waiters
  std::atomic<uint32_t> owner_{0};  // recorder thread id of the owner, 0 if none
  std::atomic<uintptr_t> owner_pc_{0};
  uint32_t depth_ = 0;              // re-entries of the owner; only the owner touches it
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_RLOCK_H_

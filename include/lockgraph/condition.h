// lockgraph::Condition — a condition variable bound to a lock (Python's
// threading.Condition). It is itself Lockable: holding the Condition holds its lock.
//
//   lockgraph::Condition ready;                        // owns an RLock, as in Python
//   consumer: std::unique_lock hold(ready); ready.wait([&] { return !items.empty(); });
//   producer: std::lock_guard hold(ready); items.push_back(x); ready.notify();
//
// wait() releases the lock completely (every level of an RLock), blocks until notified, and
// re-acquires it, so the wait shows in the lock order as a fresh acquisition. Waiters are
// woken in FIFO order, exactly `n` by notify(n), never spuriously. Waiting or notifying
// without holding the lock is misuse (Python raises RuntimeError): reported per on_misuse,
// and the call returns at once.
#ifndef LOCKGRAPH_CONDITION_H_
#define LOCKGRAPH_CONDITION_H_

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/lock.h"
#include "lockgraph/rlock.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class ABSL_LOCKABLE Condition {
 public:
  // Uses a new RLock of its own.
  explicit Condition(std::string_view name = {},
                     std::source_location site = std::source_location::current());
  // Uses `lock`, which must outlive the Condition.
  explicit Condition(Lock& lock, std::string_view name = {},
                     std::source_location site = std::source_location::current());
  explicit Condition(RLock& lock, std::string_view name = {},
                     std::source_location site = std::source_location::current());
  ~Condition();
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // The underlying lock.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void unlock() ABSL_UNLOCK_FUNCTION();
  bool acquire(bool blocking = true, std::chrono::nanoseconds timeout = kForever)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void release() ABSL_UNLOCK_FUNCTION() { unlock(); }

  // Blocks until notified. The caller must hold the lock.
  void wait() { WaitFor(kForever); }
  template <std::predicate P>
  void wait(P pred) {
    while (!pred()) WaitFor(kForever);
  }
  // Blocks until notified or the timeout passes; false on timeout.
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
    return WaitFor(internal::ToTimeout(timeout));
  }
  // Waits until pred() holds or the timeout passes; returns pred().
  template <class Rep, class Period, std::predicate P>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout, P pred) {
    const internal::Deadline deadline = internal::Deadline::After(internal::ToTimeout(timeout));
    while (!pred()) {
      if (deadline.Passed()) return pred();
      WaitUntil(deadline);
    }
    return true;
  }

  // True if the calling thread holds the lock (Python's Condition._is_owned()).
  bool is_owned() const;

  // Wakes up to `n` waiters (the longest-waiting first). The caller must hold the lock.
  void notify(int n = 1);
  void notify_all();

 private:
  struct Waiter;

  bool WaitFor(std::chrono::nanoseconds timeout);
  bool WaitUntil(internal::Deadline deadline);
  bool WaitUntilAt(internal::Deadline deadline, uintptr_t caller_pc);
  bool HeldByCaller(const char* operation);
  uint32_t NextNotify() ABSL_EXCLUSIVE_LOCKS_REQUIRED(waiters_mu_);
  void LogNotify(uint32_t seq);

  std::unique_ptr<RLock> own_lock_;
  Lock* lock_ = nullptr;    // exactly one of lock_ and rlock_ is set
  RLock* rlock_ = nullptr;
  internal::RawMutex waiters_mu_;
  Waiter* head_ ABSL_GUARDED_BY(waiters_mu_) = nullptr;  // FIFO of blocked waiters
  Waiter* tail_ ABSL_GUARDED_BY(waiters_mu_) = nullptr;
  uint32_t notifies_ ABSL_GUARDED_BY(waiters_mu_) = 0;  // numbers the signals (full mode)
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_CONDITION_H_

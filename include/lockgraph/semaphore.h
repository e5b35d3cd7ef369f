// lockgraph::Semaphore — a counting semaphore (Python's threading.Semaphore; also spelled like
// std::counting_semaphore, and BasicLockable so std::lock_guard can hold one permit).
//
//   lockgraph::Semaphore slots(3);               // at most 3 threads inside
//   { std::lock_guard permit(slots); work(); }
//
// Lock-order rule: a semaphore created with value 1 is a lock while each permit is released
// by the thread that took it, and takes part in the lock graph; once a thread releases a
// permit it did not take, the semaphore is a signal and its edges are dropped. Semaphores of
// any other initial value count resources or signal; they are not lock-order nodes. Waits are
// timed and counted like a lock's.
#ifndef LOCKGRAPH_SEMAPHORE_H_
#define LOCKGRAPH_SEMAPHORE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <source_location>
#include <string_view>

#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class Semaphore {
 public:
  explicit Semaphore(int64_t value = 1, std::string_view name = {},
                     std::source_location site = std::source_location::current());
  virtual ~Semaphore();
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Takes one permit. acquire(false) never blocks; a timeout bounds the wait. Returns true if
  // a permit was taken.
  bool acquire(bool blocking = true, std::chrono::nanoseconds timeout = kForever);
  // Returns `n` permits and wakes up to `n` waiters.
  virtual void release(int64_t n = 1);

  bool try_acquire() { return acquire(false); }
  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout) {
    return acquire(true, internal::ToTimeout(timeout));
  }

  // BasicLockable: one permit.
  void lock() { acquire(); }
  bool try_lock() { return acquire(false); }
  void unlock() { release(); }

  // The number of free permits (a snapshot).
  int64_t value() const { return count_.load(std::memory_order_relaxed); }

 protected:
  Semaphore(int64_t value, std::string_view name, const std::source_location& site,
            uint8_t kind);
  // Returns n permits; `bounded`: never above the initial value (misuse otherwise).
  void Release(int64_t n, bool bounded);

  const int64_t initial_;

 private:
  bool AcquireSlow(std::chrono::nanoseconds timeout, uintptr_t caller_pc);
  void Acquired(uint8_t flags, uintptr_t caller_pc);
  bool IsLockLike() const;

  std::atomic<int64_t> count_;
  std::atomic<uint32_t> waiters_{0};
  std::atomic<uint32_t> wake_seq_{0};       // futex word the waiters sleep on
  std::atomic<uint32_t> last_acquirer_{0};  // recorder thread id, for value-1 semaphores
  std::atomic<int64_t> released_{0};        // permits ever released (full mode only)
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_SEMAPHORE_H_

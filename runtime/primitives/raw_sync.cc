// The unrecorded futex mutex and condition variable of lockgraph/internal/raw_sync.h.
// The mutex is the three-state mutex of Drepper, "Futexes Are Tricky" (2011), mutex3.
#include "lockgraph/internal/raw_sync.h"

#include "lockgraph/timeout.h"

#include <time.h>

#include "runtime/base/futex.h"
#include "runtime/base/futex_lock.h"
#include "runtime/base/tsan_annotations.h"

namespace lockgraph::internal {

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Deadline Deadline::After(std::chrono::nanoseconds timeout) {
  if (timeout == lockgraph::kForever) return Never();
  const int64_t now = MonotonicNanos();
  const int64_t ns = timeout.count() < 0 ? 0 : timeout.count();
  if (ns > INT64_MAX - now) return Never();
  return Deadline(now + ns);
}

bool Deadline::Passed() const { return !never() && MonotonicNanos() >= ns_; }

void RawMutex::LockSlow() { runtime::LockWordSlow(word_, Deadline::Never()); }

void RawMutex::Wake() { runtime::FutexWake(word_, 1); }

bool RawCondVar::Wait(RawMutex& mu, Deadline deadline) {
  // Reading the sequence before unlocking closes the window in which a notify could be lost.
  const uint32_t seen = sequence_.load(std::memory_order_acquire);
  LOCKGRAPH_TSAN_RELEASE(this);
  mu.unlock();
  const bool in_time = runtime::FutexWait(sequence_, seen, deadline);
  mu.lock();
  LOCKGRAPH_TSAN_ACQUIRE(this);
  return in_time && !deadline.Passed();
}

void RawCondVar::NotifyOne() {
  sequence_.fetch_add(1, std::memory_order_release);
  runtime::FutexWake(sequence_, 1);
}

void RawCondVar::NotifyAll() {
  sequence_.fetch_add(1, std::memory_order_release);
  runtime::FutexWake(sequence_, INT_MAX);
}

}  // namespace lockgraph::internal

#include "lockgraph/semaphore.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "lockgraph/bounded_semaphore.h"
#include "runtime/base/futex.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

using runtime::CurrentThread;
using runtime::OwnerId;
using runtime::ThreadState;

namespace {

int32_t Clamp32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
}

// Full mode, a semaphore used as a signal: the k-th permit taken overall is the
// (k - initial)-th beyond the initial value, which exists once that many were released; the
// analyzer pairs it with the first release that brought the total that far.
void LogSignalAcquire(ThreadState* ts, const internal::SyncHandle& handle, int64_t initial) {
  auto& taken = const_cast<internal::SyncHandle&>(handle).acquisitions;
  const int64_t k = static_cast<int64_t>(taken.fetch_add(1, std::memory_order_relaxed) + 1);
  if (k > initial) {
    runtime::LogSignal(ts, format::EventOp::kReceive, handle, static_cast<uint64_t>(k - initial));
  }
}
}  // namespace

Semaphore::Semaphore(int64_t value, std::string_view name, std::source_location site)
    : Semaphore(value, name, site, static_cast<uint8_t>(format::SyncKind::kSemaphore)) {}

Semaphore::Semaphore(int64_t value, std::string_view name, const std::source_location& site,
                     uint8_t kind)
    : initial_(value), count_(value) {
  internal::RegisterSync(handle_, kind, name, site);
  handle_.initial_value = Clamp32(value);
}

// Destroying a semaphore whose permit is out is legal (unlike a held lock): the thread that
// took it just stops counting it as held.
Semaphore::~Semaphore() {
  if (initial_ == 1 && count_.load(std::memory_order_relaxed) < 1) {
    ThreadState* ts = CurrentThread();
    if (ts == nullptr || runtime::PopHeld(ts, handle_) != runtime::PopResult::kPopped) {
      runtime::ReleasedByOtherThread(0, handle_);
    }
  }
  internal::UnregisterSync(handle_);
}

// A semaphore of initial value 1 is a lock while each permit goes back from the thread that
// took it (semaphore.h); only then is it held in the lock order.
bool Semaphore::IsLockLike() const { return initial_ == 1 && !runtime::IsSignal(handle_); }

void Semaphore::Acquired(uint8_t flags, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  last_acquirer_.store(OwnerId(ts), std::memory_order_relaxed);
  if (ts == nullptr) return;
  if (IsLockLike()) {
    runtime::RecordAcquire(ts, handle_, flags, caller_pc);
  } else if (ts->events != nullptr) {
    LogSignalAcquire(ts, handle_, initial_);
  }
}

bool Semaphore::acquire(bool blocking, std::chrono::nanoseconds timeout) {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  const uint8_t flags = runtime::AcquireFlagsFor(blocking, timeout);
  int64_t count = count_.load(std::memory_order_relaxed);
  while (count > 0) {
    if (count_.compare_exchange_weak(count, count - 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      Acquired(flags, caller_pc);
      return true;
    }
  }
  if (flags == format::kAcquireTry) return false;
  return AcquireSlow(timeout, caller_pc);
}

bool Semaphore::AcquireSlow(std::chrono::nanoseconds timeout, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  const uint8_t flags = runtime::AcquireFlagsFor(true, timeout);
  const bool lock_like = IsLockLike();
  const uint64_t chain =
      ts != nullptr && lock_like ? runtime::NoteAcquire(ts, handle_, flags, caller_pc) : 0;
  const uint32_t holder = lock_like ? last_acquirer_.load(std::memory_order_relaxed) : 0;
  const int64_t start = internal::MonotonicNanos();
  const internal::Deadline deadline = internal::Deadline::After(timeout);
  bool acquired = false;
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  for (;;) {
    // Read the wake sequence before the count: a release between the two bumps it, so the
    // futex wait below returns at once instead of missing the wakeup.
    const uint32_t seen = wake_seq_.load(std::memory_order_seq_cst);
    int64_t count = count_.load(std::memory_order_seq_cst);
    while (count > 0 && !acquired) {
      acquired = count_.compare_exchange_weak(count, count - 1, std::memory_order_acquire,
                                              std::memory_order_relaxed);
    }
    if (acquired || deadline.Passed()) break;
    runtime::FutexWait(wake_seq_, seen, deadline);
  }
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, holder, 0,
                            !acquired, caller_pc);
  if (!acquired) return false;
  last_acquirer_.store(OwnerId(ts), std::memory_order_relaxed);
  // It may have become a signal while this thread waited: then it is not held.
  if (ts != nullptr && lock_like && IsLockLike()) {
    runtime::PushHeld(ts, handle_, flags, caller_pc, chain);
  } else if (ts != nullptr && ts->events != nullptr) {
    LogSignalAcquire(ts, handle_, initial_);
  }
  return true;
}

void Semaphore::release(int64_t n) { Release(n, /*bounded=*/false); }

void Semaphore::Release(int64_t n, bool bounded) {
  if (n <= 0) return;
  ThreadState* ts = CurrentThread();
  if (bounded) {
    int64_t count = count_.load(std::memory_order_relaxed);
    do {
      if (count + n > initial_) {
        runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kOverRelease, 0,
                              absl::StrCat("releases {lock} above its initial value ", initial_,
                                           " (value ", count, ", releasing ", n,
                                           "); the release is ignored"));
        return;
      }
    } while (!count_.compare_exchange_weak(count, count + n, std::memory_order_seq_cst,
                                           std::memory_order_relaxed));
  }
  bool as_lock = false;
  if (initial_ == 1) {
    if (ts != nullptr && runtime::IsHeldByCaller(ts, handle_)) {
      runtime::PopHeld(ts, handle_);
      as_lock = true;
    } else if (!runtime::IsSignal(handle_)) {
      // A permit returned by a thread that did not take it: a signal, not a lock. Whoever
      // holds it as a lock forgets it.
      runtime::MarkSignal(ts, handle_);
      runtime::ReleasedByOtherThread(0, handle_);
    }
  }
  if (ts != nullptr && ts->events != nullptr) {
    const int64_t total = released_.fetch_add(n, std::memory_order_relaxed) + n;
    if (!as_lock) {
      runtime::LogSignal(ts, format::EventOp::kSend, handle_, static_cast<uint64_t>(total));
    }
  }
  if (!bounded) count_.fetch_add(n, std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) > 0) {
    wake_seq_.fetch_add(1, std::memory_order_seq_cst);
    runtime::FutexWake(wake_seq_, static_cast<int>(std::min<int64_t>(n, INT_MAX)));
  }
}

BoundedSemaphore::BoundedSemaphore(int64_t value, std::string_view name,
                                   std::source_location site)
    : Semaphore(value, name, site, static_cast<uint8_t>(format::SyncKind::kBoundedSemaphore)) {}

void BoundedSemaphore::release(int64_t n) { Release(n, /*bounded=*/true); }

}  // namespace lockgraph

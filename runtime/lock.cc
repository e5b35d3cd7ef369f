#include "lockgraph/lock.h"

#include "absl/base/optimization.h"
#include "runtime/futex_lock.h"
#include "runtime/recorder.h"

namespace lockgraph {

using runtime::CurrentThread;
using runtime::OwnerId;
using runtime::ThreadState;

namespace {
inline uintptr_t CallerPc() { return reinterpret_cast<uintptr_t>(__builtin_return_address(0)); }
}  // namespace

Lock::Lock(std::string_view name, std::source_location site) {
  internal::RegisterSync(handle_, static_cast<uint8_t>(format::SyncKind::kLock), name, site);
}

Lock::~Lock() {
  if (ABSL_PREDICT_FALSE(word_.load(std::memory_order_relaxed) != 0)) {
    ThreadState* ts = CurrentThread();
    const uint32_t owner = owner_.load(std::memory_order_relaxed);
    if (owner == OwnerId(ts)) {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld, owner,
                            "destroys {lock} while holding it");
      if (ts != nullptr) runtime::PopHeld(ts, handle_);
    } else {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld, owner,
                            "destroys {lock} while {other} holds it");
      runtime::ReleasedByOtherThread(owner, handle_);
    }
  }
  internal::UnregisterSync(handle_);
}

void Lock::Acquired(uint8_t flags, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  owner_.store(OwnerId(ts), std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  if (ABSL_PREDICT_TRUE(ts != nullptr)) runtime::RecordAcquire(ts, handle_, flags, caller_pc);
}

void Lock::lock() {
  if (ABSL_PREDICT_TRUE(runtime::TryLockWord(word_))) {
    Acquired(0, CallerPc());
    return;
  }
  LockSlow(kForever, 0, CallerPc());
}

bool Lock::try_lock() {
  if (!runtime::TryLockWord(word_)) return false;
  Acquired(format::kAcquireTry, CallerPc());
  return true;
}

bool Lock::TimedLock(std::chrono::nanoseconds timeout) {
  return Acquire(true, timeout, CallerPc());
}

bool Lock::acquire(bool blocking, std::chrono::nanoseconds timeout) {
  return Acquire(blocking, timeout, CallerPc());
}

bool Lock::Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc) {
  const uint8_t flags = !blocking || timeout.count() <= 0 ? format::kAcquireTry
                        : timeout == kForever             ? 0
                                                          : format::kAcquireTimed;
  if (runtime::TryLockWord(word_)) {
    Acquired(flags, caller_pc);
    return true;
  }
  if (flags == format::kAcquireTry) return false;
  return LockSlow(timeout, flags, caller_pc);
}

bool Lock::LockSlow(std::chrono::nanoseconds timeout, uint8_t flags, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  const uint32_t me = OwnerId(ts);
  const uint32_t holder = owner_.load(std::memory_order_relaxed);
  const uintptr_t holder_pc = owner_pc_.load(std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(holder == me)) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kSelfDeadlock, me,
                          "acquires {lock}, which it already holds: a Lock is not recursive, "
                          "so this waits forever (use an RLock?)");
  }
  // The order is recorded before blocking: a deadlock that does happen is reported before
  // the program hangs.
  const uint64_t chain = ts != nullptr ? runtime::NoteAcquire(ts, handle_, flags) : 0;
  const int64_t start = internal::MonotonicNanos();
  const bool acquired =
      runtime::LockWordSlow(word_, internal::Deadline::After(timeout));
  runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, holder, holder_pc,
                            !acquired);
  if (!acquired) return false;
  owner_.store(me, std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  if (ts != nullptr) runtime::PushHeld(ts, handle_, flags, caller_pc, chain);
  return true;
}

void Lock::unlock() {
  ThreadState* ts = CurrentThread();
  const uint32_t me = OwnerId(ts);
  const uint32_t owner = owner_.load(std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(owner != me || word_.load(std::memory_order_relaxed) == 0)) {
    if (word_.load(std::memory_order_relaxed) == 0) {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseUnheld, 0,
                            "releases {lock}, which is not held");
      return;  // releasing a free lock would corrupt it
    }
    // Python lets another thread release a Lock; C++ mutexes do not. Report it, and release
    // as asked, so the program behaves as written.
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner, owner,
                          "releases {lock}, which {other} holds");
    runtime::ReleasedByOtherThread(owner, handle_);
  } else if (ABSL_PREDICT_TRUE(ts != nullptr)) {
    runtime::PopHeld(ts, handle_);
  }
  owner_.store(0, std::memory_order_relaxed);
  runtime::UnlockWord(word_);
}

}  // namespace lockgraph

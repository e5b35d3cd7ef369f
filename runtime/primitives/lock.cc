#include "lockgraph/lock.h"

#include "absl/base/optimization.h"
#include "runtime/base/futex_lock.h"
#include "runtime/online/live_deadlock.h"
#include "runtime/online/steering.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

using runtime::CurrentThread;
using runtime::OwnerId;
using runtime::ThreadState;

Lock::Lock(std::string_view name, std::source_location site) {
  internal::RegisterSync(handle_, static_cast<uint8_t>(format::SyncKind::kLock), name, site);
}

Lock::~Lock() {
  if (ABSL_PREDICT_FALSE(word_.load(std::memory_order_relaxed) != 0)) {
    ThreadState* ts = CurrentThread();
    if (ts != nullptr && runtime::PopHeld(ts, handle_) == runtime::PopResult::kPopped) {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld, 0,
                            "destroys {lock} while holding it");
    } else {
      const uint32_t owner = owner_.load(std::memory_order_relaxed);
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld, owner,
                            "destroys {lock} while {other} holds it");
      runtime::ReleasedByOtherThread(0, handle_);  // whoever holds it forgets it
    }
  }
  internal::UnregisterSync(handle_);
}

// Records an acquisition made on a slow path (or by a thread without recorder state).
void Lock::Acquired(uint8_t flags, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  owner_.store(OwnerId(ts), std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  if (ABSL_PREDICT_TRUE(ts != nullptr)) runtime::RecordAcquire(ts, handle_, flags, caller_pc);
}

// The hot path: one compare-and-swap, two stores to the lock, and the thread's own state.
void Lock::lock() {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  ThreadState* ts = runtime::t_thread;
  if (ABSL_PREDICT_TRUE(ts != nullptr && !ts->steer && runtime::TryLockWord(word_))) {
    owner_.store(ts->tid, std::memory_order_relaxed);
    owner_pc_.store(caller_pc, std::memory_order_relaxed);
    runtime::RecordAcquire(ts, handle_, 0, caller_pc);
    return;
  }
  LockSlow(kForever, 0, caller_pc);
}

bool Lock::try_lock() {
  if (!runtime::TryLockWord(word_)) return false;
  Acquired(format::kAcquireTry, LOCKGRAPH_CALLER_PC());
  return true;
}

bool Lock::TimedLock(std::chrono::nanoseconds timeout) {
  return Acquire(true, timeout, LOCKGRAPH_CALLER_PC());
}

bool Lock::acquire(bool blocking, std::chrono::nanoseconds timeout) {
  return Acquire(blocking, timeout, LOCKGRAPH_CALLER_PC());
}

bool Lock::Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc) {
  const uint8_t flags = runtime::AcquireFlagsFor(blocking, timeout);
  if (flags != format::kAcquireTry) return LockSlow(timeout, flags, caller_pc);  // tries first
  if (!runtime::TryLockWord(word_)) return false;
  Acquired(flags, caller_pc);
  return true;
}

namespace {

// A wait for a Lock the waiter holds ends its slice by deadlock_check (`check_ns` after the
// wait began), to look again.
internal::Deadline SelfWaitSlice(int64_t start_ns, int64_t check_ns, internal::Deadline slice) {
  if (check_ns <= 0) return slice;
  const internal::Deadline check = internal::Deadline::At(start_ns + check_ns);
  return check.monotonic_ns() < slice.monotonic_ns() || slice.never() ? check : slice;
}

}  // namespace

bool Lock::LockSlow(std::chrono::nanoseconds timeout, uint8_t flags, uintptr_t caller_pc) {
  if (flags == 0) runtime::MaybeSteer(handle_);
  if (runtime::TryLockWord(word_)) {  // the first lock of this thread, or the lock came free
    Acquired(flags, caller_pc);
    return true;
  }
  ThreadState* ts = CurrentThread();
  // owner_ is not cleared on release (a store saved per operation), so it may name the last
  // holder for a moment; it only names threads in reports, never decides misuse.
  const uint32_t holder = owner_.load(std::memory_order_relaxed);
  const uintptr_t holder_pc = owner_pc_.load(std::memory_order_relaxed);
  // Python code (a foreign caller) may wait for a Lock it holds on purpose, for another
  // thread to release it (a Lock used as a signal): a deadlock only if none has after
  // deadlock_check.
  bool waits_for_itself = false;
  if (ABSL_PREDICT_FALSE(ts != nullptr && runtime::IsHeldByCaller(ts, handle_))) {
    if (flags == 0 && runtime::t_foreign_pc != 0) {
      waits_for_itself = true;
    } else if (flags == 0) {
      runtime::SelfDeadlock(ts, handle_, caller_pc);  // it would wait forever
    } else {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kSelfDeadlock, ts->tid,
                            "acquires {lock}, which it already holds: a Lock is not "
                            "recursive, so this waits until it times out (use an RLock?)");
    }
  }
  // The order is recorded before blocking: a deadlock that does happen is reported before
  // the program hangs.
  const uint64_t chain = ts != nullptr ? runtime::NoteAcquire(ts, handle_, flags, caller_pc) : 0;
  const int64_t start = internal::MonotonicNanos();
  runtime::LockWait wait(ts, handle_, flags, caller_pc, internal::Deadline::After(timeout));
  const int64_t check_ns =
      waits_for_itself ? runtime::ProcessRecorder::Get().deadlock_check_ns() : 0;
  bool acquired;
  while (!(acquired = runtime::LockWordSlow(word_, waits_for_itself
                                                        ? SelfWaitSlice(start, check_ns,
                                                                        wait.Slice())
                                                        : wait.Slice())) &&
         wait.Continue()) {
    if (waits_for_itself && internal::MonotonicNanos() - start >= check_ns &&
        runtime::IsHeldByCaller(ts, handle_)) {
      waits_for_itself = false;
      runtime::SelfDeadlock(ts, handle_, caller_pc);  // no one released it
    }
  }
  runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, holder, holder_pc,
                            !acquired, caller_pc);
  if (!acquired) return false;
  owner_.store(OwnerId(ts), std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  if (ts != nullptr) runtime::PushHeld(ts, handle_, flags, caller_pc, chain);
  return true;
}

// The hot path: the lock is the last one this thread took.
void Lock::unlock() {
  ThreadState* ts = runtime::t_thread;
  uintptr_t pc;
  if (ABSL_PREDICT_TRUE(ts != nullptr && runtime::PopHeldTop(ts, handle_, &pc))) {
    runtime::UnlockWord(word_);  // the hook ran before the real release
    return;
  }
  UnlockSlow();
}

void Lock::reinit() {
  if (word_.load(std::memory_order_relaxed) != 0) {
    ThreadState* ts = CurrentThread();
    if (ts == nullptr || runtime::PopHeld(ts, handle_) != runtime::PopResult::kPopped) {
      runtime::ReleasedByOtherThread(0, handle_);  // whoever holds it forgets it
    }
    owner_.store(0, std::memory_order_relaxed);
    runtime::UnlockWord(word_);
  }
}

void Lock::UnlockSlow() {
  ThreadState* ts = CurrentThread();
  if (word_.load(std::memory_order_relaxed) == 0) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseUnheld, 0,
                          "releases {lock}, which is not held");
    return;  // releasing a free lock would corrupt it
  }
  // Released out of order (std::scoped_lock does), or by a thread that does not hold it.
  if (ts != nullptr && runtime::PopHeld(ts, handle_) == runtime::PopResult::kNotHeld) {
    // Python lets another thread release a Lock; C++ mutexes do not. Report it, and release
    // as asked, so the program behaves as written.
    const uint32_t owner = owner_.load(std::memory_order_relaxed);
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner, owner,
                          "releases {lock}, which {other} holds");
    runtime::ReleasedByOtherThread(0, handle_);  // whoever holds it forgets it
  }
  runtime::UnlockWord(word_);
}

}  // namespace lockgraph

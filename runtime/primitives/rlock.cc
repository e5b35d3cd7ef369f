#include "lockgraph/rlock.h"

#include "absl/base/optimization.h"
#include "runtime/base/futex_lock.h"
#include "runtime/online/live_deadlock.h"
#include "runtime/online/steering.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

using runtime::CurrentThread;
using runtime::OwnerId;
using runtime::ThreadState;

RLock::RLock(std::string_view name, std::source_location site) {
  internal::RegisterSync(handle_, static_cast<uint8_t>(format::SyncKind::kRLock), name, site);
}

RLock::~RLock() {
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

// The hot path: re-entry, or one compare-and-swap, then only the thread's own state.
void RLock::lock() {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  ThreadState* ts = runtime::t_thread;
  if (ABSL_PREDICT_TRUE(ts != nullptr)) {
    if (owner_.load(std::memory_order_relaxed) == ts->tid) {
      ++depth_;
      return;
    }
    if (ABSL_PREDICT_TRUE(runtime::TryLockWord(word_))) {
      owner_.store(ts->tid, std::memory_order_relaxed);
      owner_pc_.store(caller_pc, std::memory_order_relaxed);
      depth_ = 1;
      runtime::RecordAcquire(ts, handle_, 0, caller_pc);
      return;
    }
  }
  Acquire(true, kForever, caller_pc);
}
bool RLock::try_lock() { return Acquire(false, kForever, LOCKGRAPH_CALLER_PC()); }
bool RLock::acquire(bool blocking, std::chrono::nanoseconds timeout) {
  return Acquire(blocking, timeout, LOCKGRAPH_CALLER_PC());
}

bool RLock::Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  const uint32_t me = OwnerId(ts);
  if (owner_.load(std::memory_order_relaxed) == me) {
    ++depth_;  // re-entry: cannot block, adds no lock-order edge
    return true;
  }
  const uint8_t flags = runtime::AcquireFlagsFor(blocking, timeout);
  if (flags == 0) runtime::MaybeSteer(handle_);
  uint64_t chain = 0;
  if (!runtime::TryLockWord(word_)) {
    if (flags == format::kAcquireTry) return false;
    const uint32_t holder = owner_.load(std::memory_order_relaxed);
    const uintptr_t holder_pc = owner_pc_.load(std::memory_order_relaxed);
    if (ts != nullptr) chain = runtime::NoteAcquire(ts, handle_, flags, caller_pc);  // before blocking
    const int64_t start = internal::MonotonicNanos();
    runtime::LockWait wait(ts, handle_, flags, caller_pc, internal::Deadline::After(timeout));
    bool acquired;
    while (!(acquired = runtime::LockWordSlow(word_, wait.Slice())) && wait.Continue()) {
    }
    runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, holder,
                              holder_pc, !acquired, caller_pc);
    if (!acquired) return false;
  } else if (ts != nullptr) {
    chain = runtime::NoteAcquire(ts, handle_, flags, caller_pc);
  }
  owner_.store(me, std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  depth_ = 1;
  if (ts != nullptr) runtime::PushHeld(ts, handle_, flags, caller_pc, chain);
  return true;
}

void RLock::unlock() {
  ThreadState* ts = runtime::t_thread;
  if (ABSL_PREDICT_TRUE(ts != nullptr && owner_.load(std::memory_order_relaxed) == ts->tid)) {
    if (--depth_ > 0) return;
    runtime::PopHeld(ts, handle_);
    owner_.store(0, std::memory_order_relaxed);
    runtime::UnlockWord(word_);
    return;
  }
  UnlockSlow();
}

void RLock::reinit() {
  if (word_.load(std::memory_order_relaxed) == 0) return;
  ThreadState* ts = CurrentThread();
  const uint32_t owner = owner_.load(std::memory_order_relaxed);
  if (ts != nullptr && owner == ts->tid) {
    runtime::PopHeld(ts, handle_);
  } else {
    runtime::ReleasedByOtherThread(owner, handle_);  // the owner forgets it
  }
  depth_ = 0;
  owner_.store(0, std::memory_order_relaxed);
  runtime::UnlockWord(word_);
}

void RLock::UnlockSlow() {
  ThreadState* ts = CurrentThread();
  const uint32_t me = OwnerId(ts);
  const uint32_t owner = owner_.load(std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(owner != me)) {
    // An RLock belongs to its owner: a release by anyone else is refused (Python raises).
    if (word_.load(std::memory_order_relaxed) == 0) {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseUnheld, 0,
                            "releases {lock}, which is not held");
    } else {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner, owner,
                            "releases {lock}, which {other} owns; the release is ignored");
    }
    return;
  }
  if (--depth_ > 0) return;
  if (ts != nullptr) runtime::PopHeld(ts, handle_);
  owner_.store(0, std::memory_order_relaxed);
  runtime::UnlockWord(word_);
}

bool RLock::is_owned() const {
  return owner_.load(std::memory_order_relaxed) == OwnerId(CurrentThread());
}

uint32_t RLock::ReleaseAll() {
  const uint32_t depth = depth_;
  depth_ = 1;
  unlock();
  return depth;
}

void RLock::RestoreAll(uint32_t depth, uintptr_t caller_pc) {
  Acquire(true, kForever, caller_pc);
  depth_ = depth;
}

}  // namespace lockgraph

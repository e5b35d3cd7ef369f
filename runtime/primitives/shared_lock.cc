#include "lockgraph/shared_lock.h"

#include <algorithm>

#include "absl/base/optimization.h"
#include "runtime/base/shared_word.h"
#include "runtime/online/live_deadlock.h"
#include "runtime/online/steering.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

using runtime::CurrentThread;
using runtime::HeldEntry;
using runtime::OwnerId;
using runtime::ThreadState;

namespace {

static_assert(runtime::kSharedWriter == (1u << 31) && runtime::kSharedReaders == (1u << 29) - 1,
              "SharedLock::kHeldMask spells the word's layout");

constexpr uint8_t kShared = format::kAcquireShared;

bool IsSharedHold(const HeldEntry& e) { return (e.flags() & kShared) != 0; }

// The calling thread's latest hold of `sync` (its own state), or null.
const HeldEntry* OwnHoldOf(const ThreadState* ts, const internal::SyncHandle& sync) {
  for (int i = std::min(ts->depth, runtime::kMaxHeld) - 1; i >= 0; --i) {
    if (ts->held[i].id() == sync.id) return &ts->held[i];
  }
  return nullptr;
}

// The last lock the thread took is `sync`, in `mode` (0 or kShared): the release hot path.
inline bool TopHoldIs(const ThreadState* ts, const internal::SyncHandle& sync, uint8_t mode) {
  const int top = ts->depth - 1;
  return top >= 0 && ts->held[top].sync == &sync && (ts->held[top].flags() & kShared) == mode;
}

// A reader that holds no lock lets waiting writers go first (runtime/base/shared_word.h): it
// cannot be part of a deadlock. A thread without recorder state (exiting) may hold some.
bool YieldsToWriters(const ThreadState* ts) {
  return ts != nullptr && ts->depth == 0 && ts->untracked == 0;
}

}  // namespace

SharedLock::SharedLock(std::string_view name, std::source_location site) {
  internal::RegisterSync(handle_, static_cast<uint8_t>(format::SyncKind::kSharedLock), name,
                         site);
}

SharedLock::~SharedLock() {
  if (ABSL_PREDICT_FALSE(locked())) {
    ThreadState* ts = CurrentThread();
    int own = 0;
    while (ts != nullptr && runtime::PopHeld(ts, handle_) == runtime::PopResult::kPopped) ++own;
    const uint32_t word = word_.load(std::memory_order_relaxed);
    if (own > 0) {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld, 0,
                            "destroys {lock} while holding it");
    } else {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld,
                            owner_.load(std::memory_order_relaxed),
                            "destroys {lock} while {other} holds it");
    }
    // Other holders (readers, or the writer) forget it.
    if ((word & runtime::kSharedReaders) > static_cast<uint32_t>(own) ||
        ((word & runtime::kSharedWriter) != 0 && own == 0)) {
      runtime::ReleasedByOtherThread(0, handle_);
    }
  }
  internal::UnregisterSync(handle_);
}

// Records an acquisition made on a slow path (or by a thread without recorder state).
void SharedLock::Acquired(uint8_t flags, uintptr_t caller_pc) {
  ThreadState* ts = CurrentThread();
  owner_.store(OwnerId(ts), std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  if (ABSL_PREDICT_TRUE(ts != nullptr)) runtime::RecordAcquire(ts, handle_, flags, caller_pc);
}

// ---- Exclusive ----

// The hot path: one compare-and-swap, two stores to the lock, and the thread's own state.
void SharedLock::lock() {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  ThreadState* ts = runtime::t_thread;
  if (ABSL_PREDICT_TRUE(ts != nullptr && !ts->steer && runtime::TryLockFreeWord(word_))) {
    owner_.store(ts->tid, std::memory_order_relaxed);
    owner_pc_.store(caller_pc, std::memory_order_relaxed);
    runtime::RecordAcquire(ts, handle_, 0, caller_pc);
    return;
  }
  LockSlow(kForever, 0, caller_pc);
}

bool SharedLock::try_lock() {
  if (!runtime::TryLockExclusiveWord(word_)) return false;
  Acquired(format::kAcquireTry, LOCKGRAPH_CALLER_PC());
  return true;
}

bool SharedLock::TimedLock(std::chrono::nanoseconds timeout) {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  const uint8_t flags = runtime::AcquireFlagsFor(true, timeout);
  if (flags != format::kAcquireTry) return LockSlow(timeout, flags, caller_pc);  // tries first
  if (!runtime::TryLockExclusiveWord(word_)) return false;
  Acquired(flags, caller_pc);
  return true;
}

bool SharedLock::LockSlow(std::chrono::nanoseconds timeout, uint8_t flags,
                          uintptr_t caller_pc) {
  if (flags == 0) runtime::MaybeSteer(handle_);
  if (runtime::TryLockExclusiveWord(word_)) {  // a first lock, the steered path, or it came free
    Acquired(flags, caller_pc);
    return true;
  }
  ThreadState* ts = CurrentThread();
  // owner_ is not cleared on release: it may name the last holder for a moment, or one of
  // several readers. It only names threads in reports, never decides misuse.
  const uint32_t holder = owner_.load(std::memory_order_relaxed);
  const uintptr_t holder_pc = owner_pc_.load(std::memory_order_relaxed);
  if (const HeldEntry* own = ts != nullptr ? OwnHoldOf(ts, handle_) : nullptr;
      ABSL_PREDICT_FALSE(own != nullptr)) {
    // A writer waits for every holder, the caller too: it would wait forever.
    if (flags == 0) {
      runtime::SelfDeadlock(ts, handle_, caller_pc, flags);
    } else if (IsSharedHold(*own)) {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kSelfDeadlock, ts->tid,
                            "takes {lock} exclusively while it holds it shared: a writer "
                            "waits for every reader, this thread too, so this waits until it "
                            "times out (unlock_shared() first)");
    } else {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kSelfDeadlock, ts->tid,
                            "acquires {lock}, which it already holds: a SharedLock is not "
                            "recursive, so this waits until it times out");
    }
  }
  // The order is recorded before blocking: a deadlock that does happen is reported before
  // the program hangs.
  const uint64_t chain = ts != nullptr ? runtime::NoteAcquire(ts, handle_, flags, caller_pc) : 0;
  const int64_t start = internal::MonotonicNanos();
  bool acquired;
  {
    runtime::LockWait wait(ts, handle_, flags, caller_pc, internal::Deadline::After(timeout));
    runtime::BeginExclusiveWait(word_, writers_);
    while (!(acquired = runtime::LockExclusiveWordSlow(word_, wait.Slice())) &&
           wait.Continue()) {
    }
    runtime::EndExclusiveWait(word_, writers_, acquired);
  }
  runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, holder, holder_pc,
                            !acquired, caller_pc);
  if (!acquired) return false;
  owner_.store(OwnerId(ts), std::memory_order_relaxed);
  owner_pc_.store(caller_pc, std::memory_order_relaxed);
  if (ts != nullptr) runtime::PushHeld(ts, handle_, flags, caller_pc, chain);
  return true;
}

// The hot path: the lock is the last one this thread took, exclusively.
void SharedLock::unlock() {
  ThreadState* ts = runtime::t_thread;
  uintptr_t pc;
  if (ABSL_PREDICT_TRUE(ts != nullptr && TopHoldIs(ts, handle_, 0) &&
                        runtime::PopHeldTop(ts, handle_, &pc))) {
    runtime::UnlockExclusiveWord(word_);  // the hook ran before the real release
    return;
  }
  UnlockSlow();
}

void SharedLock::UnlockSlow() {
  ThreadState* ts = CurrentThread();
  const HeldEntry* own = ts != nullptr ? OwnHoldOf(ts, handle_) : nullptr;
  if (own != nullptr && IsSharedHold(*own)) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseWrongMode, 0,
                          "releases {lock} with unlock(), but holds it shared: "
                          "unlock_shared() ends a shared hold (the lock stays held)");
    return;
  }
  if ((word_.load(std::memory_order_relaxed) & runtime::kSharedWriter) == 0) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseUnheld, 0,
                          "releases {lock} with unlock(), but no thread holds it exclusively");
    return;  // releasing it would corrupt the word
  }
  // Released out of order (std::scoped_lock does), or by a thread that does not hold it.
  if (ts != nullptr && runtime::PopHeld(ts, handle_) == runtime::PopResult::kNotHeld) {
    // As Lock: reported, and released as asked. The writer is the last acquirer.
    const uint32_t owner = owner_.load(std::memory_order_relaxed);
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner, owner,
                          "releases {lock}, which {other} holds");
    runtime::ReleasedByOtherThread(0, handle_);  // whoever holds it forgets it
  }
  runtime::UnlockExclusiveWord(word_);
}

// ---- Shared ----

// The hot path: a load and a compare-and-swap, two stores to the lock, the thread's state.
// A waiting writer sends every reader to the slow path, which decides whether to yield.
void SharedLock::lock_shared() {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  ThreadState* ts = runtime::t_thread;
  if (ABSL_PREDICT_TRUE(ts != nullptr && !ts->steer &&
                        runtime::TryLockSharedWord(word_))) {
    owner_.store(ts->tid, std::memory_order_relaxed);
    owner_pc_.store(caller_pc, std::memory_order_relaxed);
    runtime::RecordAcquire(ts, handle_, kShared, caller_pc);
    return;
  }
  LockSharedSlow(kForever, kShared, caller_pc);
}

bool SharedLock::try_lock_shared() {
  if (!runtime::TryLockSharedWord(word_) &&
      !runtime::TryLockSharedWordSlow(word_, writers_, YieldsToWriters(CurrentThread()))) {
    return false;
  }
  Acquired(kShared | format::kAcquireTry, LOCKGRAPH_CALLER_PC());
  return true;
}

bool SharedLock::TimedLockShared(std::chrono::nanoseconds timeout) {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  const uint8_t flags = runtime::AcquireFlagsFor(true, timeout) | kShared;
  if ((flags & format::kAcquireTry) == 0) return LockSharedSlow(timeout, flags, caller_pc);
  if (!runtime::TryLockSharedWordSlow(word_, writers_, YieldsToWriters(CurrentThread()))) {
    return false;
  }
  Acquired(flags, caller_pc);
  return true;
}

bool SharedLock::LockSharedSlow(std::chrono::nanoseconds timeout, uint8_t flags,
                                uintptr_t caller_pc) {
  if ((flags & format::kAcquireTimed) == 0) runtime::MaybeSteer(handle_);
  ThreadState* ts = CurrentThread();
  const bool yield = YieldsToWriters(ts);
  if (runtime::TryLockSharedWordSlow(word_, writers_, yield)) {
    Acquired(flags, caller_pc);
    return true;
  }
  const uint32_t holder = owner_.load(std::memory_order_relaxed);
  const uintptr_t holder_pc = owner_pc_.load(std::memory_order_relaxed);
  if (const HeldEntry* own = ts != nullptr ? OwnHoldOf(ts, handle_) : nullptr;
      ABSL_PREDICT_FALSE(own != nullptr && !IsSharedHold(*own))) {
    // A reader waits for the writer, here the caller itself: it would wait forever.
    if ((flags & format::kAcquireTimed) == 0) {
      runtime::SelfDeadlock(ts, handle_, caller_pc, flags);
    } else {
      runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kSelfDeadlock, ts->tid,
                            "takes {lock} shared while it holds it exclusively: a reader "
                            "waits for the writer, this thread, so this waits until it times "
                            "out");
    }
  }
  const uint64_t chain = ts != nullptr ? runtime::NoteAcquire(ts, handle_, flags, caller_pc) : 0;
  const int64_t start = internal::MonotonicNanos();
  bool acquired;
  {
    runtime::LockWait wait(ts, handle_, flags, caller_pc, internal::Deadline::After(timeout));
    while (!(acquired = runtime::LockSharedWordSlow(word_, writers_, yield, wait.Slice())) &&
           wait.Continue()) {
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

// The hot path: the lock is the last one this thread took, shared.
void SharedLock::unlock_shared() {
  ThreadState* ts = runtime::t_thread;
  uintptr_t pc;
  if (ABSL_PREDICT_TRUE(ts != nullptr && TopHoldIs(ts, handle_, kShared) &&
                        runtime::PopHeldTop(ts, handle_, &pc))) {
    runtime::UnlockSharedWord(word_);
    return;
  }
  UnlockSharedSlow();
}

void SharedLock::UnlockSharedSlow() {
  ThreadState* ts = CurrentThread();
  const HeldEntry* own = ts != nullptr ? OwnHoldOf(ts, handle_) : nullptr;
  if (own != nullptr && !IsSharedHold(*own)) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseWrongMode, 0,
                          "releases {lock} with unlock_shared(), but holds it exclusively: "
                          "unlock() ends an exclusive hold (the lock stays held)");
    return;
  }
  const uint32_t word = word_.load(std::memory_order_relaxed);
  // Its own shared hold, released out of order; or a thread whose holds the held stack does
  // not show (beyond its capacity, or the thread is exiting): the word decides.
  const bool untracked = ts == nullptr || ts->untracked > 0;
  if (own != nullptr || (untracked && (word & runtime::kSharedReaders) != 0)) {
    if (ts != nullptr) runtime::PopHeld(ts, handle_);
    runtime::UnlockSharedWord(word_);
    return;
  }
  // Not a reader of it: nothing is released (whose shared hold would it end?).
  if ((word & runtime::kSharedReaders) != 0) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner,
                          owner_.load(std::memory_order_relaxed),
                          "releases {lock} with unlock_shared(), but only other threads hold "
                          "it shared, {other} among them (nothing is released)");
  } else if ((word & runtime::kSharedWriter) != 0) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner,
                          owner_.load(std::memory_order_relaxed),
                          "releases {lock} with unlock_shared(), but {other} holds it "
                          "exclusively (nothing is released)");
  } else {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseUnheld, 0,
                          "releases {lock} with unlock_shared(), but it is not held");
  }
}

}  // namespace lockgraph

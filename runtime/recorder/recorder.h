// The recorder's entry points, called by the primitives. The hot path — NoteAcquire,
// PushHeld, PopHeld — is inline and touches only the calling thread's ThreadState: a
// repeated lock pattern costs a hash mix, a cache probe and a few stores. Everything else
// (a new dependency, a wait, misuse, thread start and join) is out of line.
//
//   ThreadState* ts = CurrentThread();            // null while the thread is exiting
//   if (ts) RecordAcquire(ts, handle_, 0, pc);    // after taking the lock
//   ...
//   if (ts) PopHeld(ts, handle_);                 // before releasing it
#ifndef LOCKGRAPH_RUNTIME_RECORDER_RECORDER_H_
#define LOCKGRAPH_RUNTIME_RECORDER_RECORDER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/string_view.h"
#include "common/trace_format.h"
#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/timeout.h"
#include "runtime/recorder/event_log.h"
#include "runtime/recorder/thread_state.h"

namespace lockgraph::runtime {

// Where the user's code called the primitive: the return address of the current function,
// or the foreign pc a hosted language set for this call (lockgraph/internal/foreign_frames.h).
// A macro, because __builtin_return_address must be evaluated in that function's own frame.
#define LOCKGRAPH_CALLER_PC() \
  ::lockgraph::runtime::CallerPc(reinterpret_cast<uintptr_t>(__builtin_return_address(0)))

// The AcquireFlags of an acquisition: non-blocking, bounded by a timeout, or unbounded.
inline uint8_t AcquireFlagsFor(bool blocking, std::chrono::nanoseconds timeout) {
  if (!blocking || timeout.count() <= 0) return format::kAcquireTry;
  return timeout == kForever ? 0 : format::kAcquireTimed;
}

// The calling thread's state. constinit: no TLS wrapper call on each access; initial-exec: one
// %fs-relative load.
extern constinit thread_local ThreadState* t_thread ABSL_ATTRIBUTE_INITIAL_EXEC;

// Non-zero while the calling thread runs the recorder's own cold paths (ColdPath): the
// LD_PRELOAD interposer then passes pthread calls straight through (libunwind, for one, takes
// a pthread rwlock while unwinding).
extern constinit thread_local int t_runtime_depth ABSL_ATTRIBUTE_INITIAL_EXEC;

// The foreign caller pc of the current call into a primitive, 0 if none (foreign_frames.h).
extern constinit thread_local uintptr_t t_foreign_pc ABSL_ATTRIBUTE_INITIAL_EXEC;
inline uintptr_t CallerPc(uintptr_t return_address) {
  const uintptr_t foreign = t_foreign_pc;
  return ABSL_PREDICT_FALSE(foreign != 0) ? foreign : return_address;
}

// Creates the calling thread's state on first use; null once the thread is exiting.
ThreadState* CurrentThreadSlow();

inline ThreadState* CurrentThread() {
  ThreadState* ts = t_thread;
  if (ABSL_PREDICT_FALSE(ts == nullptr)) ts = CurrentThreadSlow();
  return ts;
}

inline uint32_t CurrentTid(ThreadState* ts) { return ts != nullptr ? ts->tid : 0; }

// The id primitives store as their owner: the recorder's thread id, or for a thread whose
// recorder state is gone (it is exiting) an id of its own above every recorder id.
uint32_t ExitingThreadId();
inline uint32_t OwnerId(ThreadState* ts) {
  return ts != nullptr ? ts->tid : ExitingThreadId();
}

// Cold paths of the inline functions below.
uint64_t NoteDependencySlow(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
                            uint64_t key, uint64_t chain, uintptr_t caller_pc);
enum class PopResult { kPopped, kUntracked, kNotHeld };
PopResult PopHeldSlow(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t* pc);
void StartHoldSample(ThreadState* ts, int index);
void EndHoldSample(ThreadState* ts, int index);
void GrowClassCounts(ThreadState* ts, uint32_t class_id);
void NoteHeldOverflow(ThreadState* ts);

// The calling thread is about to take `sync` (before it blocks) or just took it without
// blocking. Records the dependency (held locks -> sync) the first time this thread makes it
// in its current segment, and returns the held-chain hash PushHeld needs.
// `caller_pc` is where the user's code called lockgraph: the recorded stack starts there.
inline uint64_t NoteAcquire(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
                            uintptr_t caller_pc) {
  const int depth = ts->depth;
  // Nothing held: no dependency and no stack (as lockdep); the chain is the lock itself.
  if (depth == 0) return FirstChain(sync.id, flags);
  const uint64_t chain = MixChain(ts->held[depth - 1].chain, sync.id, flags);
  const uint64_t key = (chain ^ (uint64_t{ts->segment} * 0xd6e8feb86659fd93ull)) | 1;
  DependencySlot& slot = ts->cache[key & ts->cache_mask];
  // A slot of a closed trace file (Configure switched it) is recorded again, in the new one.
  if (ABSL_PREDICT_TRUE(slot.key == key &&
                        static_cast<uint16_t>(slot.generation) ==
                            ts->cache_generation.load(std::memory_order_relaxed))) {
    ++slot.unflushed;
    return chain;
  }
  return NoteDependencySlow(ts, sync, flags, key, chain, caller_pc);
}

// `sync` is now held by the calling thread (`pc`: where it was taken). Few stores: each is
// drained before the next locked instruction, and that is most of the recorder's cost.
inline void PushHeld(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
                     uintptr_t pc, uint64_t chain) {
  if (ABSL_PREDICT_FALSE(ts->events != nullptr)) LogAcquireOutOfLine(ts, sync, flags);
  const int depth = ts->depth;
  if (ABSL_PREDICT_FALSE(depth == kMaxHeld)) return NoteHeldOverflow(ts);
  HeldEntry& entry = ts->held[depth];
  entry.id_and_flags = HeldEntry::Pack(sync.id, flags);
  entry.chain = chain;
  entry.sync = &sync;
  entry.pc = pc;
  // A signal handler that takes and releases a lock before the depth is stored reuses this
  // slot: once the slot is ours (no later handler touches it), rewrite it if that happened.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  ts->depth = depth + 1;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (ABSL_PREDICT_FALSE(entry.sync != &sync || entry.pc != pc)) {
    entry = HeldEntry{HeldEntry::Pack(sync.id, flags), chain, &sync, pc};
  }
  if (ABSL_PREDICT_TRUE(sync.class_id < ts->class_capacity)) {
    ++ts->class_counters[sync.class_id].acquisitions;
  } else {
    GrowClassCounts(ts, sync.class_id);
  }
  if (ABSL_PREDICT_FALSE(--ts->hold_countdown == 0)) StartHoldSample(ts, depth);
}

inline void RecordAcquire(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
                          uintptr_t pc) {
  PushHeld(ts, sync, flags, pc, NoteAcquire(ts, sync, flags, pc));
}

// The calling thread is releasing `sync`, the last lock it took (the common case): pops it and
// returns true, with where it was taken in *pc. False if `sync` is not on top.
inline bool PopHeldTop(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t* pc) {
  const int top = ts->depth - 1;
  if (ABSL_PREDICT_FALSE(top < 0 || ts->held[top].sync != &sync)) return false;
  if (ABSL_PREDICT_FALSE(ts->events != nullptr)) LogReleaseOutOfLine(ts, sync);
  // Read before the slot is given up: a signal handler's lock may reuse it at once.
  *pc = ts->held[top].pc;
  const bool sampled = (ts->held[top].flags() & kHeldSampled) != 0;
  if (ABSL_PREDICT_FALSE(sampled)) EndHoldSample(ts, top);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  ts->depth = top;
  return true;
}

// The calling thread is releasing `sync`, wherever it is in its held stack.
inline PopResult PopHeld(ThreadState* ts, const internal::SyncHandle& sync,
                         uintptr_t* pc = nullptr) {
  uintptr_t ignored;
  if (ABSL_PREDICT_TRUE(PopHeldTop(ts, sync, pc != nullptr ? pc : &ignored))) {
    return PopResult::kPopped;
  }
  return PopHeldSlow(ts, sync, pc != nullptr ? pc : &ignored);
}

// True if the calling thread's held stack has `sync` (a snapshot of its own state).
bool IsHeldByCaller(ThreadState* ts, const internal::SyncHandle& sync);

// The acquisition of `sync` had to wait `wait_ns` (timed_out: and gave up). Counted in the
// class statistics; recorded with both stacks when over the long_wait option. holder_tid and
// holder_pc name the thread that held it when the wait began (0 if unknown); caller_pc is
// where the waiter called lockgraph.
void RecordContention(ThreadState* ts, const internal::SyncHandle& sync, int64_t wait_ns,
                      uint32_t holder_tid, uintptr_t holder_pc, bool timed_out,
                      uintptr_t caller_pc);

// Reports misuse with the calling thread's stack, then acts per on_misuse (may abort).
// `what` completes "thread N \"name\" ...": "{lock}" becomes the lock's description and
// "{other}" thread `other_tid`.
void ReportMisuse(ThreadState* ts, const internal::SyncHandle* sync, format::MisuseKind kind,
                  uint32_t other_tid, absl::string_view what);

// `owner` held `sync`, which the calling thread released: `owner` forgets it. With owner 0
// (not known) every other thread is told, and the one that held it forgets it.
void ReleasedByOtherThread(uint32_t owner, const internal::SyncHandle& sync);

// A semaphore was released by a thread that had not taken it: from now on it is a signal.
void MarkSignal(ThreadState* ts, const internal::SyncHandle& sync);
bool IsSignal(const internal::SyncHandle& sync);

// Thread start and join, which order threads (common/thread_order.h).
struct SpawnPoint {
  uint32_t parent = 0;
  uint32_t segment = 0;
};
// In the parent, before the new thread runs: returns where it starts and opens a new
// segment of the parent.
SpawnPoint BeforeThreadStart();
// First thing in the new thread.
void BeginThread(SpawnPoint from, std::string name);
// In the parent, before it starts a process by exec (Python's multiprocessing "spawn"): what
// the new process's LOCKGRAPH_SPAWNED_BY must say so that the parent's past, up to here, is
// ordered before it ("pid:realtime_ns:tid:segment"). Opens a new segment of the caller.
std::string SpawnToken();
// In the joiner, after `joined` ended: opens a new segment of the joiner.
void AfterThreadJoin(uint32_t joined);
// In the joiner, after its forked child process `child_pid` ended (lockgraph::Process::join):
// everything the child did happens before the joiner's new segment.
void AfterProcessJoin(uint64_t child_pid);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_RECORDER_H_

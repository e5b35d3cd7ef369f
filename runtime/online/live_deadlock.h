// Deadlocks that happen: the runtime turns a hang into a report. A thread whose wait for a
// lock lasts `deadlock_check` publishes what it waits for and which locks it holds, then
// looks for a waits-for cycle among the published waits: threads that each wait, without a
// timeout, for a lock the next one holds (what parking_lot's deadlock detection and Java's
// ThreadMXBean.findDeadlocks look for). Such a cycle is a deadlock for good: every thread of
// it has waited at least deadlock_check and none can go on. It is reported on stderr
// ("deadlock now"), written to the trace (format::DeadlockRecord) and acted on: on_deadlock
// exits with kDeadlockExitStatus (the default), aborts, or lets the threads wait on.
//
//   LockWait wait(ts, handle_, flags, caller_pc, internal::Deadline::After(timeout));
//   bool acquired;
//   while (!(acquired = LockWordSlow(word_, wait.Slice())) && wait.Continue()) {}
//
// Cost: nothing on a path that does not wait. A wait shorter than deadlock_check only
// computes its slice; each deadlock_check of waiting costs a stack capture (the first time),
// the thread registry's mutex and a scan of the published waits, on a thread that waits
// anyway. A lock that is only held long is never a deadlock: its holder does not wait, so
// no cycle closes. A wait with a timeout ends by itself and is never part of one.
#ifndef LOCKGRAPH_RUNTIME_ONLINE_LIVE_DEADLOCK_H_
#define LOCKGRAPH_RUNTIME_ONLINE_LIVE_DEADLOCK_H_

#include <cstdint>

#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/recorder/thread_state.h"

namespace lockgraph::runtime {

// One wait for a lock, on a primitive's slow path (the lock was not free). Not thread-safe:
// the waiting thread's own.
class LockWait {
 public:
  // `ts` may be null (a thread without recorder state): the wait is then never checked, as
  // is a wait with a `deadline`.
  LockWait(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
           uintptr_t caller_pc, internal::Deadline deadline);
  // The wait is over: a published wait is retracted.
  ~LockWait();
  LockWait(const LockWait&) = delete;
  LockWait& operator=(const LockWait&) = delete;

  // How long to block before calling Continue(): the caller's deadline, or the next check.
  internal::Deadline Slice() const;
  // The slice ended and the lock was not taken. False when the caller's deadline has passed
  // (the acquisition times out); else checks for a deadlock (cold) and returns true to wait
  // on. May not return: on_deadlock=exit and abort end the process.
  bool Continue();

 private:
  void Publish();

  ThreadState* const ts_;
  const internal::SyncHandle& sync_;
  const uint8_t flags_;
  const uintptr_t caller_pc_;
  const internal::Deadline deadline_;
  const int64_t check_ns_;  // 0: never checked
  int64_t next_check_ns_ = 0;
  bool published_ = false;
  int board_slot_ = -1;  // a ProcessLock wait's entry on the process wait board
};

// The calling thread is about to wait, without a timeout, for `sync`, which it holds in a
// mode that blocks the wait (`flags`: kAcquireShared for a reader; a non-recursive lock held,
// a SharedLock wanted exclusively while held shared or shared while held exclusively): a
// deadlock of one thread. Reported and acted on at once, before it blocks; returns only with
// on_deadlock=report (and then the thread waits forever).
void SelfDeadlock(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t caller_pc,
                  uint8_t flags = 0);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_LIVE_DEADLOCK_H_

// The pthread objects behind lockgraph's primitives shared by processes (ProcessLock,
// ProcessQueue): robust, process-shared, error-checking mutexes and process-shared condition
// variables (CLOCK_MONOTONIC), placed in shared memory by their owners.
//
//   InterposerBypass bypass;                         // the LD_PRELOAD interposer passes through
//   int rc = LockSharedMutex(&shared->mutex, /*block=*/true, Deadline::Never());
//   if (rc == EOWNERDEAD) { /* held; its last holder died: report it */ }
//
// Robust: when a holder dies, the next locker gets the mutex with EOWNERDEAD; these functions
// make it consistent at once, so the mutex stays usable (what it guarded may be half-updated:
// the caller reports that). Error-checking: a thread locking a mutex it holds gets EDEADLK
// instead of waiting forever, and unlocking one it does not hold gets EPERM.
#ifndef LOCKGRAPH_RUNTIME_BASE_PSHARED_PTHREAD_H_
#define LOCKGRAPH_RUNTIME_BASE_PSHARED_PTHREAD_H_

#include <pthread.h>

#include "lockgraph/internal/raw_sync.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::runtime {

// While alive, the calling thread's pthread calls are the runtime's own: the LD_PRELOAD
// interposer passes them straight through (as inside a ColdPath, but without the fork lock, so
// it may span a blocking wait). Nests.
class InterposerBypass {
 public:
  InterposerBypass() : state_(t_thread) {
    ++t_runtime_depth;
    if (state_ != nullptr) ++state_->runtime_depth;
  }
  ~InterposerBypass() {
    --t_runtime_depth;
    if (state_ != nullptr) --state_->runtime_depth;
  }
  InterposerBypass(const InterposerBypass&) = delete;
  InterposerBypass& operator=(const InterposerBypass&) = delete;

 private:
  ThreadState* const state_;
};

// Initialize objects in zeroed shared memory. Return 0 or an errno value.
int InitSharedMutex(pthread_mutex_t* mutex);
int InitSharedCondition(pthread_cond_t* condition);

// Takes the mutex: at once (block = false), or waiting until `deadline`. Returns 0, or
// EOWNERDEAD: taken, and made consistent, after its holder died holding it. Otherwise not
// taken: EBUSY (block = false), ETIMEDOUT, EDEADLK (the calling thread holds it),
// ENOTRECOVERABLE, or another errno value.
int LockSharedMutex(pthread_mutex_t* mutex, bool block, internal::Deadline deadline);
// 0, or EPERM if the calling thread does not hold it.
int UnlockSharedMutex(pthread_mutex_t* mutex);
// True if some thread, of any process, holds it (a snapshot; a holder that died counts as not
// holding it).
bool SharedMutexLocked(const pthread_mutex_t* mutex);

// Waits on `condition`, releasing `mutex` (held by the caller) meanwhile, until notified (or
// a spurious wakeup) or `deadline`. Returns holding the mutex again: 0, ETIMEDOUT, or
// EOWNERDEAD as LockSharedMutex.
int WaitSharedCondition(pthread_cond_t* condition, pthread_mutex_t* mutex,
                        internal::Deadline deadline);
// Wakes every waiter (each re-checks its condition; a waiter that times out as it is woken
// cannot swallow the wakeup another one needed).
void NotifySharedCondition(pthread_cond_t* condition);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_PSHARED_PTHREAD_H_

#include "runtime/base/pshared_pthread.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/base/foreign_wait.h"
#include "runtime/base/tsan_annotations.h"

namespace lockgraph::runtime {
namespace {

timespec ToTimespec(internal::Deadline deadline) {
  timespec ts;
  ts.tv_sec = deadline.monotonic_ns() / 1000000000;
  ts.tv_nsec = deadline.monotonic_ns() % 1000000000;
  return ts;
}

// A holder that died leaves the mutex to the next locker with EOWNERDEAD: make it usable
// again at once (else unlocking it would make it unrecoverable for every process).
int Recover(pthread_mutex_t* mutex, int rc) {
  if (rc == EOWNERDEAD) pthread_mutex_consistent(mutex);
  return rc;
}

// A robust mutex's lock word is the futex word of the kernel's robust-futex protocol: the
// holder's thread id, with flag bits for waiters and a dead holder. 0 if free.
unsigned HolderTid(const pthread_mutex_t* mutex) {
  const int word = __atomic_load_n(&mutex->__data.__lock, __ATOMIC_RELAXED);
  return static_cast<unsigned>(word) & FUTEX_TID_MASK;
}

}  // namespace

int InitSharedMutex(pthread_mutex_t* mutex) {
  InterposerBypass bypass;
  pthread_mutexattr_t attr;
  int rc = pthread_mutexattr_init(&attr);
  if (rc != 0) return rc;
  rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (rc == 0) rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  if (rc == 0) rc = pthread_mutex_init(mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  return rc;
}

int InitSharedCondition(pthread_cond_t* condition) {
  InterposerBypass bypass;
  pthread_condattr_t attr;
  int rc = pthread_condattr_init(&attr);
  if (rc != 0) return rc;
  rc = pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (rc == 0) rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  if (rc == 0) rc = pthread_cond_init(condition, &attr);
  pthread_condattr_destroy(&attr);
  return rc;
}

int LockSharedMutex(pthread_mutex_t* mutex, bool block, internal::Deadline deadline) {
  InterposerBypass bypass;
  if (!block) return Recover(mutex, pthread_mutex_trylock(mutex));
  if (deadline.never()) {
    int rc;
    {
      ForeignWait wait;
      rc = pthread_mutex_lock(mutex);
    }
    return Recover(mutex, rc);
  }
  const timespec until = ToTimespec(deadline);
  LOCKGRAPH_TSAN_PRE_TRY_LOCK(mutex);
  int locked;
  {
    ForeignWait wait;
    locked = pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, &until);
  }
  const int rc = Recover(mutex, locked);
  LOCKGRAPH_TSAN_POST_TRY_LOCK(mutex, rc == 0 || rc == EOWNERDEAD);
  return rc;
}

int UnlockSharedMutex(pthread_mutex_t* mutex) {
  // glibc refuses a non-holder with EPERM too, by this same test; asking first keeps a refused
  // (misused) unlock away from a sanitizer's pthread_mutex_unlock, which would report it as the
  // program's own error.
  if (HolderTid(mutex) != static_cast<unsigned>(syscall(SYS_gettid))) return EPERM;
  InterposerBypass bypass;
  return pthread_mutex_unlock(mutex);
}

bool SharedMutexLocked(const pthread_mutex_t* mutex) { return HolderTid(mutex) != 0; }

int WaitSharedCondition(pthread_cond_t* condition, pthread_mutex_t* mutex,
                        internal::Deadline deadline) {
  InterposerBypass bypass;
  if (deadline.never()) return Recover(mutex, pthread_cond_wait(condition, mutex));
  const timespec until = ToTimespec(deadline);
  return Recover(mutex, pthread_cond_timedwait(condition, mutex, &until));
}

void NotifySharedCondition(pthread_cond_t* condition) {
  InterposerBypass bypass;
  pthread_cond_broadcast(condition);
}

}  // namespace lockgraph::runtime

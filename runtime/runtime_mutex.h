// The mutex guarding the recorder's shared state (registry, trace writer, lock graph).
//
// An absl::Mutex: it blocks through futexes, never through pthread_mutex_*, so the LD_PRELOAD
// interposer never records the runtime's own locking. Under ThreadSanitizer it also announces
// its happens-before edges, because Debian's Abseil is not instrumented.
#ifndef LOCKGRAPH_RUNTIME_RUNTIME_MUTEX_H_
#define LOCKGRAPH_RUNTIME_RUNTIME_MUTEX_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "runtime/tsan_annotations.h"

namespace lockgraph::runtime {

class ABSL_LOCKABLE RuntimeMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mu_.Lock();
    LOCKGRAPH_TSAN_ACQUIRE(this);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    LOCKGRAPH_TSAN_RELEASE(this);
    mu_.Unlock();
  }
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() { mu_.AssertHeld(); }

 private:
  absl::Mutex mu_;
};

class ABSL_SCOPED_LOCKABLE RuntimeMutexLock {
 public:
  explicit RuntimeMutexLock(RuntimeMutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_.Lock();
  }
  ~RuntimeMutexLock() ABSL_UNLOCK_FUNCTION() { mu_.Unlock(); }
  RuntimeMutexLock(const RuntimeMutexLock&) = delete;
  RuntimeMutexLock& operator=(const RuntimeMutexLock&) = delete;

 private:
  RuntimeMutex& mu_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RUNTIME_MUTEX_H_

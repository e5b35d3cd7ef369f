// The mutexes guarding the recorder's shared state (registry, trace writer, lock graph) and
// the cold-path lock that fork() takes exclusively.
//
// Both block through futexes (runtime/base/futex_lock.h), never through pthread_mutex_*, so the
// LD_PRELOAD interposer never records the runtime's own locking; and they are lockgraph's own
// atomics, which ThreadSanitizer sees. Not absl::Mutex: Debian's Abseil runs its deadlock
// detector on every nested acquisition, a quarter of the cost of registering a new object.
#ifndef LOCKGRAPH_RUNTIME_BASE_RUNTIME_MUTEX_H_
#define LOCKGRAPH_RUNTIME_BASE_RUNTIME_MUTEX_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "runtime/base/futex_lock.h"

namespace lockgraph::runtime {

class ABSL_LOCKABLE RuntimeMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    if (!TryLockWord(word_)) LockWordSlow(word_, internal::Deadline::Never());
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { UnlockWord(word_); }

 private:
  std::atomic<uint32_t> word_{0};
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

// Many readers or one writer. A waiting writer stops new readers, so fork() is not starved
// by a steady stream of cold paths. Writers are rare (fork) and take turns on `writers_`.
class ABSL_LOCKABLE RuntimeSharedMutex {
 public:
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    uint32_t state = state_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & kWriter) != 0) {
        FutexWait(state_, state, internal::Deadline::Never());
        state = state_.load(std::memory_order_relaxed);
      } else if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acquire,
                                              std::memory_order_relaxed)) {
        return;
      }
    }
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    const uint32_t before = state_.fetch_sub(1, std::memory_order_release);
    if (before == (kWriter | 1)) FutexWake(state_, INT32_MAX);  // the last reader a writer awaits
  }
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    writers_.Lock();
    uint32_t state = state_.fetch_or(kWriter, std::memory_order_acquire) | kWriter;
    while (state != kWriter) {
      FutexWait(state_, state, internal::Deadline::Never());
      state = state_.load(std::memory_order_acquire);
    }
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    state_.store(0, std::memory_order_release);
    FutexWake(state_, INT32_MAX);  // readers that waited for the writer
    writers_.Unlock();
  }

 private:
  static constexpr uint32_t kWriter = 1u << 31;
  std::atomic<uint32_t> state_{0};  // kWriter | number of readers
  RuntimeMutex writers_;
};

class ABSL_SCOPED_LOCKABLE RuntimeReaderLock {
 public:
  explicit RuntimeReaderLock(RuntimeSharedMutex& mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_.ReaderLock();
  }
  ~RuntimeReaderLock() ABSL_UNLOCK_FUNCTION() { mu_.ReaderUnlock(); }
  RuntimeReaderLock(const RuntimeReaderLock&) = delete;
  RuntimeReaderLock& operator=(const RuntimeReaderLock&) = delete;

 private:
  RuntimeSharedMutex& mu_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_RUNTIME_MUTEX_H_

// The pthread and POSIX semaphore functions a program calls, interposed when
// liblockgraph_preload.so is in LD_PRELOAD. Every interposer has one shape (as the sanitizers'
// interceptors): pass through when the recorder cannot record (the runtime's own calls, a
// thread being torn down, an untraceable object); find the object's identity; record around
// the real call, the release hook running before the real release.
//
// What is seen: pthread mutexes of every type (std::mutex, std::recursive_mutex,
// std::timed_mutex), rwlocks (std::shared_mutex), condition variable waits (std::condition_
// variable), unnamed POSIX semaphores, thread create/join/detach (std::thread), fork (through
// the runtime's pthread_atfork handlers). Not seen: locks made of raw futexes or atomics,
// process-shared and robust mutexes, named semaphores' initial value (sem_open: treated as
// signals). docs/preload.md.
#include <dlfcn.h>
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "lockgraph/internal/foreign_frames.h"
#include "lockgraph/internal/raw_sync.h"
#include "runtime/online/live_deadlock.h"
#include "runtime/online/steering.h"
#include "runtime/preload/real_functions.h"
#include "runtime/preload/sync_table.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/foreign_runtime.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::preload {
namespace {

using format::SyncKind;
using runtime::ThreadState;

// glibc mutex kinds (the low bits of __data.__kind) and flags we read.
constexpr int kMutexKindMask = 3;
constexpr int kMutexRecursive = PTHREAD_MUTEX_RECURSIVE_NP;
constexpr int kMutexErrorCheck = PTHREAD_MUTEX_ERRORCHECK_NP;
constexpr int kMutexRobust = 16;      // PTHREAD_MUTEX_ROBUST_NORMAL_NP
constexpr int kMutexShared = 128;     // PTHREAD_MUTEX_PSHARED_BIT

// The recording thread, or null if this call must pass straight through.
inline ThreadState* Recorder() {
  ThreadState* ts = runtime::t_thread;
  return ABSL_PREDICT_TRUE(ts != nullptr && ts->runtime_depth == 0) ? ts : nullptr;
}

// Like Recorder(), but creates the thread's state if needed (cold).
ThreadState* RecorderSlow() {
  if (runtime::t_runtime_depth != 0) return nullptr;
  return runtime::CurrentThread();
}

bool Traceable(pthread_mutex_t* m) {
  return (m->__data.__kind & (kMutexRobust | kMutexShared)) == 0;
}

bool OwnedByCaller(pthread_mutex_t* m, ThreadState* ts) {
  return m->__data.__owner == ts->kernel_tid;
}

// A default mutex (std::mutex: PTHREAD_MUTEX_TIMED_NP, no elision; __kind 0) is locked and
// unlocked here, as glibc 2.36 does it, instead of in a call to glibc: the word goes from 0
// to 1 (2 once a thread waits), and glibc's owner and user count are kept for its other
// functions (pthread_cond_wait, pthread_mutex_destroy). One call less on each side, the most
// the interposer itself costs (docs/performance.md).
bool IsDefaultMutex(const pthread_mutex_t* m) {
  return __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == 0;
}

bool TryLockDefaultMutex(pthread_mutex_t* m, const ThreadState* ts) {
  int free = 0;
  if (!__atomic_compare_exchange_n(&m->__data.__lock, &free, 1, /*weak=*/false,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    return false;
  }
  m->__data.__owner = ts->kernel_tid;
  ++m->__data.__nusers;
  return true;
}

void UnlockDefaultMutex(pthread_mutex_t* m) {
  m->__data.__owner = 0;
  --m->__data.__nusers;
  if (__atomic_exchange_n(&m->__data.__lock, 0, __ATOMIC_RELEASE) > 1) {
    // A thread waits (glibc's lll_unlock): wake one, as glibc would.
    syscall(SYS_futex, &m->__data.__lock, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
}

PreloadSync* MutexSync(pthread_mutex_t* m, uintptr_t site_pc) {
  SyncTable& table = SyncTable::Get();
  if (PreloadSync* s = table.Find(m, MutexTag(m))) return s;
  if (!Traceable(m) || internal::InForeignObjects(m)) return nullptr;
  const int type = m->__data.__kind & kMutexKindMask;
  runtime::ColdPath cold;
  // Full mode numbers each acquisition while the mutex is held: no recording before the lock.
  return table.Create(cold.recorder(), m, MutexTag(m), SyncKind::kPthreadMutex, site_pc,
                      type == kMutexRecursive, -1,
                      /*plain=*/type != kMutexRecursive && type != kMutexErrorCheck &&
                          !cold.recorder().full_mode() && cold.recorder().steering() == nullptr);
}

PreloadSync* RwlockSync(pthread_rwlock_t* rw, uintptr_t site_pc) {
  SyncTable& table = SyncTable::Get();
  if (PreloadSync* s = table.Find(rw, RwlockTag(rw))) return s;
  if (rw->__data.__shared != 0) return nullptr;  // process-shared
  if (internal::InForeignObjects(rw)) return nullptr;
  runtime::ColdPath cold;
  return table.Create(cold.recorder(), rw, RwlockTag(rw), SyncKind::kPthreadRwlock, site_pc,
                      false, -1);
}

PreloadSync* SemaphoreSync(sem_t* sem, uintptr_t site_pc, int64_t initial_value) {
  SyncTable& table = SyncTable::Get();
  if (PreloadSync* s = table.Find(sem, SemaphoreTag(sem))) return s;
  if (internal::InForeignObjects(sem)) return nullptr;
  runtime::ColdPath cold;
  return table.Create(cold.recorder(), sem, SemaphoreTag(sem), SyncKind::kPosixSemaphore, site_pc,
                      false, initial_value);
}

// How long an acquisition may wait.
enum class Wait { kForever, kAbsolute, kNone };

int64_t Now() { return internal::MonotonicNanos(); }

// The blocking part of an acquisition that the fast try did not get: the dependency is
// recorded before blocking (a real deadlock is reported before it hangs), the wait timed. A
// long wait names the holder as it was when the wait began (the last acquirer; for a rwlock
// held by readers, one of them).
//
// `blocking(slice)` waits, returning 0 or an error number: until the CLOCK_MONOTONIC time
// `*slice`, or (slice null) for as long as the caller asked. A wait without a timeout is cut
// into slices of deadlock_check, after each of which the live check looks for a deadlock
// (runtime/online/live_deadlock.h); a timed one (kAcquireTimed) is one call that ignores the
// slice, as it ends by itself.
template <typename Blocking>
int AcquireContended(ThreadState* ts, PreloadSync* s, uint8_t flags, uintptr_t pc,
                     Blocking blocking) {
  const uint64_t chain = runtime::NoteAcquire(ts, s->handle, flags, pc);
  const uint64_t holder = s->holder.load(std::memory_order_relaxed);
  const int64_t start = Now();
  int rc;
  {
    const bool timed = (flags & format::kAcquireTimed) != 0;
    runtime::LockWait wait(ts, s->handle, flags, pc,
                           timed ? internal::Deadline::At(0) : internal::Deadline::Never());
    for (;;) {
      const internal::Deadline slice = wait.Slice();
      timespec until;
      until.tv_sec = slice.monotonic_ns() / 1000000000;
      until.tv_nsec = slice.monotonic_ns() % 1000000000;
      rc = blocking(slice.never() || timed ? nullptr : &until);
      if (rc != ETIMEDOUT || !wait.Continue()) break;
    }
  }
  const int64_t waited = Now() - start;
  runtime::RecordContention(ts, s->handle, waited, s->HolderTid(holder), s->HolderPc(holder),
                            rc != 0, pc);
  if (rc == 0) {
    s->NoteHolder(ts->tid, pc);
    runtime::PushHeld(ts, s->handle, flags, pc, chain);
  }
  return rc;
}

// An acquisition that did not wait.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RecordUncontended(ThreadState* ts, PreloadSync* s, uint8_t flags,
                                                        uintptr_t pc) {
  s->NoteHolder(ts->tid, pc);
  runtime::RecordAcquire(ts, s->handle, flags, pc);
}

// ---- mutexes ----

// Out of line: inlined into pthread_mutex_lock, it made the fast path save six registers.
// `blocking` as AcquireContended's.
template <typename Blocking>
ABSL_ATTRIBUTE_NOINLINE int MutexLock(pthread_mutex_t* m, uintptr_t pc, uint8_t flags,
                                      Blocking blocking) {
  ThreadState* ts = Recorder();
  if (ts == nullptr) ts = RecorderSlow();
  PreloadSync* s = ts != nullptr ? MutexSync(m, pc) : nullptr;
  if (s == nullptr) return blocking(nullptr);
  if (s->recursive && OwnedByCaller(m, ts)) return blocking(nullptr);  // re-entry: no edge
  if ((flags & (format::kAcquireTry | format::kAcquireTimed)) == 0) runtime::MaybeSteer(s->handle);
  if (Real().mutex_trylock(m) == 0) {
    RecordUncontended(ts, s, flags, pc);
    return 0;
  }
  // An error-checking mutex refuses its holder (EDEADLK); a plain one waits for ever.
  if (OwnedByCaller(m, ts) && (m->__data.__kind & kMutexKindMask) != kMutexErrorCheck) {
    if ((flags & format::kAcquireTimed) == 0) {
      runtime::SelfDeadlock(ts, s->handle, pc);
    } else {
      runtime::ReportMisuse(ts, &s->handle, format::MisuseKind::kSelfDeadlock, 0,
                            "acquires {lock}, which it already holds: a non-recursive mutex "
                            "taken twice waits until it times out");
    }
  }
  return AcquireContended(ts, s, flags, pc, blocking);
}

// Releasing a mutex that is not the last lock this thread took: out of order (fine), a
// recursive re-entry, or not held by this thread at all (misuse, reported; the real call
// decides what happens).
ABSL_ATTRIBUTE_NOINLINE void MutexReleaseSlow(ThreadState* ts, pthread_mutex_t* m) {
  PreloadSync* s = SyncTable::Get().Find(m, MutexTag(m));
  if (s == nullptr) return;
  if (s->recursive && m->__data.__count > 1) return;  // not the last unlock
  uintptr_t pc;
  if (runtime::PopHeld(ts, s->handle, &pc) != runtime::PopResult::kNotHeld) return;
  if (m->__data.__lock == 0) {
    runtime::ReportMisuse(ts, &s->handle, format::MisuseKind::kReleaseUnheld, 0,
                          "releases {lock}, which is not held");
  } else if (!OwnedByCaller(m, ts)) {
    runtime::ReportMisuse(ts, &s->handle, format::MisuseKind::kReleaseByNonOwner, 0,
                          "releases {lock}, which another thread holds");
    runtime::ReleasedByOtherThread(0, s->handle);
  }
}

// `blocking` as AcquireContended's.
template <typename Try, typename Blocking>
int RwlockAcquire(pthread_rwlock_t* rw, uintptr_t pc, uint8_t flags, Try try_lock,
                  Blocking blocking) {
  ThreadState* ts = Recorder();
  if (ts == nullptr) ts = RecorderSlow();
  PreloadSync* s = ts != nullptr ? RwlockSync(rw, pc) : nullptr;
  if (s == nullptr) return blocking(nullptr);
  if ((flags & (format::kAcquireTry | format::kAcquireTimed)) == 0) runtime::MaybeSteer(s->handle);
  if (try_lock() == 0) {
    RecordUncontended(ts, s, flags, pc);
    return 0;
  }
  if ((flags & format::kAcquireTry) != 0) return EBUSY;
  return AcquireContended(ts, s, flags, pc, blocking);
}

template <typename Waiting>
int ConditionWait(pthread_mutex_t* m, uintptr_t pc, Waiting waiting) {
  ThreadState* ts = Recorder();
  PreloadSync* s = ts != nullptr ? SyncTable::Get().Find(m, MutexTag(m)) : nullptr;
  if (s == nullptr) return waiting();
  runtime::PopHeld(ts, s->handle);
  const int rc = waiting();  // returns holding the mutex, even on a timeout
  RecordUncontended(ts, s, 0, pc);
  return rc;
}

bool LockLike(const PreloadSync* s) {
  return s->initial_value == 1 && !runtime::IsSignal(s->handle);
}

// `blocking` as AcquireContended's, returning 0 or an error number; the result is sem_wait's
// (-1 with errno set on failure).
template <typename Try, typename Blocking>
int SemaphoreAcquire(sem_t* sem, uintptr_t pc, uint8_t flags, Try try_wait, Blocking blocking) {
  auto result = [](int rc) {
    if (rc == 0) return 0;
    errno = rc;
    return -1;
  };
  ThreadState* ts = Recorder();
  if (ts == nullptr) ts = RecorderSlow();
  PreloadSync* s = ts != nullptr ? SemaphoreSync(sem, pc, -1) : nullptr;
  if (s == nullptr) return result(blocking(nullptr));
  if (try_wait() == 0) {
    if (LockLike(s)) {
      RecordUncontended(ts, s, flags, pc);
    } else {
      s->NoteHolder(ts->tid, pc);
    }
    return 0;
  }
  if ((flags & format::kAcquireTry) != 0) {
    errno = EAGAIN;
    return -1;
  }
  int rc;
  if (LockLike(s)) {
    rc = AcquireContended(ts, s, flags, pc, blocking);
  } else {
    // A signal: whoever waits for it waits for a post, not for a holder.
    const int64_t start = Now();
    rc = blocking(nullptr);
    runtime::RecordContention(ts, s->handle, Now() - start, 0, 0, rc != 0, pc);
    if (rc == 0) s->NoteHolder(ts->tid, pc);
  }
  return result(rc);
}

// A semaphore wait as an error number: 0, or errno.
int SemaphoreError(int rc) { return rc == 0 ? 0 : errno; }

// A language that records its own locks was installed (foreign_frames.h): from now on the
// interposer leaves its lock code's semaphores and its own objects alone, so what it knew of
// them goes. The installing thread's held semaphores are such locks (the import lock); their
// releases will not be seen. The interpreter's objects (the GIL's mutexes) are forgotten.
void ForgetForeignObjects(const internal::ForeignRuntime& installed) {
  ThreadState* ts = RecorderSlow();
  if (ts == nullptr) return;
  for (int i = std::min(ts->depth, runtime::kMaxHeld) - 1; i >= 0; --i) {
    const PreloadSync* s = EntryOf(ts->held[i].sync);
    if (s != nullptr && s->handle.kind == static_cast<uint8_t>(SyncKind::kPosixSemaphore)) {
      runtime::PopHeld(ts, s->handle);
    }
  }
  SyncTable& table = SyncTable::Get();
  for (int r = 0; r < installed.native_objects_count; ++r) {
    // Every 8-byte-aligned address of the range is asked: Find accepts only an entry made for
    // exactly that address, whatever bytes lie where a tag would be.
    for (uintptr_t a = (installed.native_objects[r][0] + 7) & ~uintptr_t{7};
         a + sizeof(pthread_mutex_t) <= installed.native_objects[r][1]; a += 8) {
      auto* m = reinterpret_cast<pthread_mutex_t*>(a);
      if (table.Find(m, MutexTag(m)) != nullptr) {
        runtime::ColdPath cold;
        table.Forget(cold.recorder(), m, MutexTag(m));
      }
    }
  }
}

// When the library loads. Under a `lockgraph run` that installs the Python package
// (LOCKGRAPH_PYTHON_BOOTSTRAP), a CPython interpreter's own locks and GIL are left alone from
// the start, before the package can say so: what the interpreter does before it imports
// lockgraph (its imports, under the import lock) would otherwise be half recorded. Then
// lockgraph listens for the package, or any language, to install itself.
internal::ForeignRuntime g_cpython_from_start = {.language = "python"};

// True if this process is the CPython (major.minor `version`) the package is built for: an
// interpreter the package cannot serve keeps its locks recorded by the interposer.
bool PackagedPython(const char* version) {
  using GetVersion = const char* (*)();
  const auto get_version = reinterpret_cast<GetVersion>(dlsym(RTLD_DEFAULT, "Py_GetVersion"));
  if (version == nullptr || get_version == nullptr) return false;
  const std::string_view running = get_version();  // "3.11.2 (main, ...)"
  const std::string_view built = version;           // "3.11"
  return running.size() > built.size() && running.substr(0, built.size()) == built &&
         running[built.size()] == '.';
}

[[gnu::constructor]] void ListenForForeignRuntimes() {
  if (getenv("LOCKGRAPH_PYTHON_BOOTSTRAP") != nullptr &&
      PackagedPython(getenv("LOCKGRAPH_PYTHON_VERSION")) &&
      internal::FindCPythonNatives(g_cpython_from_start)) {
    internal::InstallForeignRuntime(&g_cpython_from_start);
  }
  runtime::SetForeignInstallListener(ForgetForeignObjects);
}

}  // namespace
}  // namespace lockgraph::preload

using lockgraph::preload::PreloadSync;
using lockgraph::preload::Real;
using lockgraph::preload::SyncTable;
using lockgraph::runtime::ThreadState;
namespace preload = lockgraph::preload;
namespace runtime = lockgraph::runtime;
namespace format = lockgraph::format;

extern "C" {

int pthread_mutex_init(pthread_mutex_t* m, const pthread_mutexattr_t* attr) {
  const uintptr_t pc = LOCKGRAPH_CALLER_PC();
  const int rc = Real().mutex_init(m, attr);  // zeroes the tag: a new object
  if (rc == 0 && preload::RecorderSlow() != nullptr) preload::MutexSync(m, pc);
  return rc;
}

int pthread_mutex_destroy(pthread_mutex_t* m) {
  if (ThreadState* ts = preload::RecorderSlow(); ts != nullptr) {
    if (PreloadSync* s = SyncTable::Get().Find(m, preload::MutexTag(m))) {
      if (m->__data.__lock != 0) {
        runtime::ReportMisuse(ts, &s->handle, format::MisuseKind::kDestroyHeld, 0,
                              "destroys {lock} while it is held");
        if (runtime::PopHeld(ts, s->handle) == runtime::PopResult::kNotHeld) {
          runtime::ReleasedByOtherThread(0, s->handle);
        }
      }
      runtime::ColdPath cold;
      SyncTable::Get().Forget(cold.recorder(), m, preload::MutexTag(m));
    }
  }
  return Real().mutex_destroy(m);
}

int pthread_mutex_lock(pthread_mutex_t* m) {
  const uintptr_t pc = LOCKGRAPH_CALLER_PC();
  // The hot path: a known plain mutex that is free. A default one (std::mutex) is taken here
  // and then recorded. Another plain kind (adaptive) cannot fail either, so the acquisition is
  // recorded first and the real lock is a tail call (no frame to keep); if another thread
  // takes it in between, this one waits untimed, its order already recorded: rare, and no
  // order is lost; but that wait is not checked for deadlocks.
  if (ThreadState* ts = preload::Recorder(); ABSL_PREDICT_TRUE(ts != nullptr)) {
    PreloadSync* s = SyncTable::Get().Find(m, preload::MutexTag(m));
    if (ABSL_PREDICT_TRUE(s != nullptr && s->plain)) {
      if (ABSL_PREDICT_TRUE(preload::IsDefaultMutex(m))) {
        if (ABSL_PREDICT_TRUE(preload::TryLockDefaultMutex(m, ts))) {
          preload::RecordUncontended(ts, s, 0, pc);
          return 0;
        }
      } else if (__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) == 0) {
        preload::RecordUncontended(ts, s, 0, pc);
        return Real().mutex_lock(m);
      }
    }
  }
  return preload::MutexLock(m, pc, 0, [m](const timespec* slice) {
    return slice != nullptr ? Real().mutex_clocklock(m, CLOCK_MONOTONIC, slice)
                            : Real().mutex_lock(m);
  });
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  const uintptr_t pc = LOCKGRAPH_CALLER_PC();
  ThreadState* ts = preload::Recorder();
  PreloadSync* s = nullptr;
  if (ABSL_PREDICT_TRUE(ts != nullptr)) {
    // The hot path, as pthread_mutex_lock's: a known default mutex is tried here (servers such
    // as memcached spin on trylock).
    s = SyncTable::Get().Find(m, preload::MutexTag(m));
    if (ABSL_PREDICT_TRUE(s != nullptr && s->plain && preload::IsDefaultMutex(m))) {
      if (!preload::TryLockDefaultMutex(m, ts)) return EBUSY;
      preload::RecordUncontended(ts, s, format::kAcquireTry, pc);
      return 0;
    }
  } else {
    ts = preload::RecorderSlow();
  }
  if (s == nullptr && ts != nullptr) s = preload::MutexSync(m, pc);
  const bool reentry = s != nullptr && s->recursive && preload::OwnedByCaller(m, ts);
  const int rc = Real().mutex_trylock(m);
  if (rc == 0 && s != nullptr && !reentry) {
    preload::RecordUncontended(ts, s, format::kAcquireTry, pc);
  }
  return rc;
}

int pthread_mutex_timedlock(pthread_mutex_t* m, const struct timespec* deadline) {
  return preload::MutexLock(m, LOCKGRAPH_CALLER_PC(), format::kAcquireTimed,
                            [=](const timespec*) { return Real().mutex_timedlock(m, deadline); });
}

int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const struct timespec* deadline) {
  return preload::MutexLock(m, LOCKGRAPH_CALLER_PC(), format::kAcquireTimed,
                            [=](const timespec*) {
                              return Real().mutex_clocklock(m, clock, deadline);
                            });
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  if (ThreadState* ts = preload::Recorder(); ABSL_PREDICT_TRUE(ts != nullptr)) {
    // The hot path: the last lock this thread took is this mutex; no table lookup.
    const int top = ts->depth - 1;
    const PreloadSync* s = top >= 0 ? preload::EntryOf(ts->held[top].sync) : nullptr;
    if (ABSL_PREDICT_TRUE(s != nullptr &&
                          s->address.load(std::memory_order_relaxed) ==
                              reinterpret_cast<uintptr_t>(m) &&
                          !(s->recursive && m->__data.__count > 1))) {
      uintptr_t pc;
      runtime::PopHeldTop(ts, s->handle, &pc);
      if (ABSL_PREDICT_TRUE(s->plain && preload::IsDefaultMutex(m))) {
        preload::UnlockDefaultMutex(m);
        return 0;
      }
    } else {
      preload::MutexReleaseSlow(ts, m);
    }
  }
  return Real().mutex_unlock(m);
}

// ---- rwlocks: readers are shared acquisitions, which do not block each other ----

int pthread_rwlock_init(pthread_rwlock_t* rw, const pthread_rwlockattr_t* attr) {
  const uintptr_t pc = LOCKGRAPH_CALLER_PC();
  const int rc = Real().rwlock_init(rw, attr);
  if (rc == 0 && preload::RecorderSlow() != nullptr) preload::RwlockSync(rw, pc);
  return rc;
}

int pthread_rwlock_destroy(pthread_rwlock_t* rw) {
  if (preload::RecorderSlow() != nullptr &&
      SyncTable::Get().Find(rw, preload::RwlockTag(rw)) != nullptr) {
    runtime::ColdPath cold;
    SyncTable::Get().Forget(cold.recorder(), rw, preload::RwlockTag(rw));
  }
  return Real().rwlock_destroy(rw);
}

int pthread_rwlock_rdlock(pthread_rwlock_t* rw) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireShared,
      [rw] { return Real().rwlock_tryrdlock(rw); },
      [rw](const timespec* slice) {
        return slice != nullptr ? Real().rwlock_clockrdlock(rw, CLOCK_MONOTONIC, slice)
                                : Real().rwlock_rdlock(rw);
      });
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t* rw) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireShared | format::kAcquireTry,
      [rw] { return Real().rwlock_tryrdlock(rw); },
      [rw](const timespec*) { return Real().rwlock_tryrdlock(rw); });
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t* rw, const struct timespec* deadline) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireShared | format::kAcquireTimed,
      [rw] { return Real().rwlock_tryrdlock(rw); },
      [=](const timespec*) { return Real().rwlock_timedrdlock(rw, deadline); });
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t* rw, clockid_t clock,
                               const struct timespec* deadline) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireShared | format::kAcquireTimed,
      [rw] { return Real().rwlock_tryrdlock(rw); },
      [=](const timespec*) { return Real().rwlock_clockrdlock(rw, clock, deadline); });
}

int pthread_rwlock_wrlock(pthread_rwlock_t* rw) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), 0, [rw] { return Real().rwlock_trywrlock(rw); },
      [rw](const timespec* slice) {
        return slice != nullptr ? Real().rwlock_clockwrlock(rw, CLOCK_MONOTONIC, slice)
                                : Real().rwlock_wrlock(rw);
      });
}

int pthread_rwlock_trywrlock(pthread_rwlock_t* rw) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireTry,
      [rw] { return Real().rwlock_trywrlock(rw); },
      [rw](const timespec*) { return Real().rwlock_trywrlock(rw); });
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t* rw, const struct timespec* deadline) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireTimed,
      [rw] { return Real().rwlock_trywrlock(rw); },
      [=](const timespec*) { return Real().rwlock_timedwrlock(rw, deadline); });
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t* rw, clockid_t clock,
                               const struct timespec* deadline) {
  return preload::RwlockAcquire(
      rw, LOCKGRAPH_CALLER_PC(), format::kAcquireTimed,
      [rw] { return Real().rwlock_trywrlock(rw); },
      [=](const timespec*) { return Real().rwlock_clockwrlock(rw, clock, deadline); });
}

int pthread_rwlock_unlock(pthread_rwlock_t* rw) {
  if (ThreadState* ts = preload::Recorder(); ts != nullptr) {
    if (PreloadSync* s = SyncTable::Get().Find(rw, preload::RwlockTag(rw)); s != nullptr) {
      runtime::PopHeld(ts, s->handle);
    }
  }
  return Real().rwlock_unlock(rw);
}

// ---- condition variables: the mutex is released while waiting and taken again after ----

int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  return preload::ConditionWait(m, LOCKGRAPH_CALLER_PC(), [=] { return Real().cond_wait(c, m); });
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m,
                           const struct timespec* deadline) {
  return preload::ConditionWait(m, LOCKGRAPH_CALLER_PC(),
                       [=] { return Real().cond_timedwait(c, m, deadline); });
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock,
                           const struct timespec* deadline) {
  return preload::ConditionWait(m, LOCKGRAPH_CALLER_PC(),
                       [=] { return Real().cond_clockwait(c, m, clock, deadline); });
}

// ---- semaphores: one of initial value 1 is a lock while its acquirer releases it ----

// True if the calling function (the caller of the interposed one) is a hosted language's
// own lock code (CPython's PyThread locks), whose semaphores pass straight through: the
// language records its program's locks itself. A macro, as __builtin_return_address must be
// read in the interposer's frame.
#define ForeignLockCaller()             \
  ::lockgraph::internal::InForeignLockCode( \
      reinterpret_cast<uintptr_t>(__builtin_return_address(0)))

int sem_init(sem_t* sem, int pshared, unsigned int value) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_init(sem, pshared, value);
  const uintptr_t pc = LOCKGRAPH_CALLER_PC();
  const int rc = Real().sem_init(sem, pshared, value);
  if (rc == 0 && pshared == 0 && preload::RecorderSlow() != nullptr) {
    runtime::ColdPath cold;
    SyncTable::Get().Forget(cold.recorder(), sem, preload::SemaphoreTag(sem));
    SyncTable::Get().Create(cold.recorder(), sem, preload::SemaphoreTag(sem),
                            format::SyncKind::kPosixSemaphore, pc, false, value);
  }
  return rc;
}

int sem_destroy(sem_t* sem) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_destroy(sem);
  if (ThreadState* ts = preload::RecorderSlow(); ts != nullptr) {
    if (PreloadSync* s = SyncTable::Get().Find(sem, preload::SemaphoreTag(sem))) {
      if (runtime::IsHeldByCaller(ts, s->handle)) runtime::PopHeld(ts, s->handle);
      runtime::ColdPath cold;
      SyncTable::Get().Forget(cold.recorder(), sem, preload::SemaphoreTag(sem));
    }
  }
  return Real().sem_destroy(sem);
}

int sem_wait(sem_t* sem) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_wait(sem);
  return preload::SemaphoreAcquire(
      sem, LOCKGRAPH_CALLER_PC(), 0, [sem] { return Real().sem_trywait(sem); },
      [sem](const timespec* slice) {
        return preload::SemaphoreError(slice != nullptr
                                           ? Real().sem_clockwait(sem, CLOCK_MONOTONIC, slice)
                                           : Real().sem_wait(sem));
      });
}

int sem_trywait(sem_t* sem) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_trywait(sem);
  return preload::SemaphoreAcquire(
      sem, LOCKGRAPH_CALLER_PC(), format::kAcquireTry, [sem] { return Real().sem_trywait(sem); },
      [sem](const timespec*) { return preload::SemaphoreError(Real().sem_trywait(sem)); });
}

int sem_timedwait(sem_t* sem, const struct timespec* deadline) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_timedwait(sem, deadline);
  return preload::SemaphoreAcquire(
      sem, LOCKGRAPH_CALLER_PC(), format::kAcquireTimed,
      [sem] { return Real().sem_trywait(sem); },
      [=](const timespec*) {
        return preload::SemaphoreError(Real().sem_timedwait(sem, deadline));
      });
}

int sem_clockwait(sem_t* sem, clockid_t clock, const struct timespec* deadline) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_clockwait(sem, clock, deadline);
  return preload::SemaphoreAcquire(
      sem, LOCKGRAPH_CALLER_PC(), format::kAcquireTimed,
      [sem] { return Real().sem_trywait(sem); },
      [=](const timespec*) {
        return preload::SemaphoreError(Real().sem_clockwait(sem, clock, deadline));
      });
}

int sem_post(sem_t* sem) {
  if (ABSL_PREDICT_FALSE(ForeignLockCaller())) return Real().sem_post(sem);
  if (ThreadState* ts = preload::Recorder(); ts != nullptr) {
    if (PreloadSync* s = SyncTable::Get().Find(sem, preload::SemaphoreTag(sem));
        s != nullptr && s->initial_value == 1) {
      if (runtime::IsHeldByCaller(ts, s->handle)) {
        runtime::PopHeld(ts, s->handle);
      } else if (!runtime::IsSignal(s->handle)) {
        // Posted by a thread that did not take it: a signal, not a lock.
        runtime::MarkSignal(ts, s->handle);
        runtime::ReleasedByOtherThread(0, s->handle);
      }
    }
  }
  return Real().sem_post(sem);
}

}  // extern "C"

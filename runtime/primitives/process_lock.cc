#include "lockgraph/process_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/fnv.h"
#include "runtime/base/pshared_pthread.h"
#include "runtime/base/stderr.h"
#include "runtime/online/live_deadlock.h"
#include "runtime/online/steering.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

using runtime::ThreadState;

// The shared page. Made by shm_open and ftruncate, so it starts zeroed; the first process to
// move `state` from 0 initializes the mutex. Fields are reached with std::atomic_ref, since
// other processes change them.
namespace internal {
struct ProcessLockShared {
  static constexpr uint32_t kFresh = 0, kInitializing = 1, kReady = 2;
  static constexpr uint32_t kMagic = 0x4c47504c;  // "LGPL": this layout, version 1

  uint32_t state;
  uint32_t magic;
  pthread_mutex_t mutex;
  // The last acquirer, pid << 32 | its recorder thread id, and where it took the lock (in
  // its own address space): named in long waits. Never cleared, as Lock's owner_.
  uint64_t holder;
  uint64_t holder_pc;
};
}  // namespace internal

namespace {

using Shared = internal::ProcessLockShared;

constexpr uint8_t kKind = static_cast<uint8_t>(format::SyncKind::kProcessLock);
// How long a process waits for another to initialize a new lock (microseconds of work,
// unless that process died in between).
constexpr int64_t kInitWaitNs = 5'000'000'000;

std::system_error SystemError(int error, const std::string& name, const std::string& what) {
  return std::system_error(error, std::generic_category(),
                           absl::StrCat("lockgraph::ProcessLock \"", name, "\": ", what));
}

template <typename T>
std::atomic_ref<T> Atomic(T& field) {
  return std::atomic_ref<T>(field);
}

// Maps the lock's shared page, initializing it if this process is the first. Throws.
Shared* OpenShared(const std::string& name, const std::string& shm_name,
                                size_t size) {
  const int fd = shm_open(shm_name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw SystemError(errno, name, absl::StrCat("shm_open ", shm_name));
  struct stat st;
  if (fstat(fd, &st) != 0 ||
      (static_cast<size_t>(st.st_size) < size && ftruncate(fd, static_cast<off_t>(size)) != 0)) {
    const int error = errno;
    close(fd);
    throw SystemError(error, name, absl::StrCat("sizing ", shm_name));
  }
  void* memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const int error = errno;
  close(fd);
  if (memory == MAP_FAILED) throw SystemError(error, name, absl::StrCat("mapping ", shm_name));
  auto* shared = static_cast<Shared*>(memory);
  auto fail = [&](int code, const std::string& what) {
    munmap(memory, size);
    return SystemError(code, name, what);
  };
  uint32_t expected = Shared::kFresh;
  if (Atomic(shared->state)
          .compare_exchange_strong(expected, Shared::kInitializing,
                                   std::memory_order_acq_rel)) {
    if (const int rc = runtime::InitSharedMutex(&shared->mutex); rc != 0) {
      Atomic(shared->state).store(Shared::kFresh, std::memory_order_release);
      throw fail(rc, "pthread_mutex_init");
    }
    shared->magic = Shared::kMagic;
    Atomic(shared->state).store(Shared::kReady, std::memory_order_release);
  } else {
    // Another process is initializing it: a few instructions, so yield, then nap.
    const int64_t give_up = internal::MonotonicNanos() + kInitWaitNs;
    for (int spins = 0;
         Atomic(shared->state).load(std::memory_order_acquire) != Shared::kReady;
         ++spins) {
      if (internal::MonotonicNanos() > give_up) {
        throw fail(ETIMEDOUT, absl::StrCat(shm_name, " was never initialized (its creator died "
                                           "while making it?); unlink it"));
      }
      if (spins < 100) {
        sched_yield();
      } else {
        const timespec nap = {0, 100000};
        nanosleep(&nap, nullptr);
      }
    }
  }
  if (shared->magic != Shared::kMagic) {
    throw fail(EPROTO, absl::StrCat(shm_name, " is not a lock of this lockgraph version; "
                                    "unlink it"));
  }
  return shared;
}

uint64_t HolderWord(uint32_t tid) {
  return (static_cast<uint64_t>(getpid()) << 32) | tid;
}

// Records the calling thread as the holder; returns the previous one.
uint64_t NoteHolder(Shared& shared, ThreadState* ts, uintptr_t caller_pc) {
  Atomic(shared.holder_pc).store(caller_pc, std::memory_order_relaxed);
  return Atomic(shared.holder).exchange(HolderWord(runtime::OwnerId(ts)),
                                        std::memory_order_relaxed);
}

void ReportOwnerDied(ThreadState* ts, const internal::SyncHandle& handle,
                     uint64_t previous_holder) {
  const uint64_t pid = previous_holder >> 32;
  runtime::ReportMisuse(
      ts, &handle, format::MisuseKind::kOwnerDied, 0,
      absl::StrCat("acquires {lock}, whose holder",
                   pid != 0 ? absl::StrCat(" (process ", pid, ")") : std::string(),
                   " died holding it: the lock is recovered, but what it guards may be "
                   "half-updated"));
}

}  // namespace

std::string ProcessLock::SharedMemoryName(std::string_view name) {
  // Readable, but the mapping to [A-Za-z0-9._-] is not one-to-one: a hash of the exact name
  // keeps "a/b" and "a_b" apart (FNV-1a, the same in every process and build).
  const uint64_t hash = Fnv1a64(name);
  std::string readable;
  for (char c : name.substr(0, 100)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    readable.push_back(keep ? c : '_');
  }
  return absl::StrFormat("/lockgraph.%d.%s.%016x", getuid(), readable, hash);
}

bool ProcessLock::unlink(std::string_view name) {
  return shm_unlink(SharedMemoryName(name).c_str()) == 0;
}

ProcessLock::ProcessLock(std::string_view name, std::source_location site) : name_(name) {
  if (name.empty()) {
    throw std::invalid_argument(
        "lockgraph::ProcessLock: a name is required (processes find the lock by it)");
  }
  shared_ = OpenShared(name_, SharedMemoryName(name), sizeof(Shared));
  internal::RegisterSync(handle_, kKind, name, site);
  handle_.global_name = name_;
}

ProcessLock::~ProcessLock() {
  ThreadState* ts = runtime::CurrentThread();
  if (ts != nullptr && runtime::IsHeldByCaller(ts, handle_)) {
    // Unmapped while held, the lock would stay taken for every other process.
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kDestroyHeld, 0,
                          "destroys {lock} while holding it; released, so that other "
                          "processes can take it");
    runtime::PopHeld(ts, handle_);
    runtime::UnlockSharedMutex(&shared_->mutex);
  }
  internal::UnregisterSync(handle_);
  munmap(shared_, sizeof(Shared));
}

void ProcessLock::ReportError(int error) {
  ThreadState* ts = runtime::CurrentThread();
  if (error == ENOTRECOVERABLE) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kOwnerDied, 0,
                          "acquires {lock}, which cannot be recovered: a holder died holding "
                          "it and it was released without being made consistent; unlink it");
    return;
  }
  runtime::StderrLine(absl::StrCat("lockgraph: ProcessLock \"", name_,
                                   "\": pthread_mutex_lock failed: ", strerror(error)));
}

bool ProcessLock::Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc,
                          int* error) {
  *error = 0;
  const uint8_t flags = runtime::AcquireFlagsFor(blocking, timeout);
  if (flags == 0) runtime::MaybeSteer(handle_);
  int rc = runtime::LockSharedMutex(&shared_->mutex, /*block=*/false,
                                    internal::Deadline::Never());
  if (rc == 0 || rc == EOWNERDEAD) {
    ThreadState* ts = runtime::CurrentThread();
    const uint64_t previous = NoteHolder(*shared_, ts, caller_pc);
    if (rc == EOWNERDEAD) ReportOwnerDied(ts, handle_, previous);
    if (ts != nullptr) runtime::RecordAcquire(ts, handle_, flags, caller_pc);
    return true;
  }
  // EDEADLK: the calling thread holds it (an error-checking mutex says so even to a try):
  // a try fails, as any try of a held lock; a blocking acquisition is misuse, below.
  if (rc != EBUSY && rc != EDEADLK) {
    *error = rc;
    ReportError(rc);
    return false;
  }
  if (flags == format::kAcquireTry) return false;
  ThreadState* ts = runtime::CurrentThread();
  if (rc == EDEADLK || (ts != nullptr && runtime::IsHeldByCaller(ts, handle_))) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kSelfDeadlock, CurrentTid(ts),
                          "acquires {lock}, which it already holds: a ProcessLock is not "
                          "recursive, so this would wait forever; it fails instead");
    *error = EDEADLK;
    return false;
  }
  // The holder is named only if it is a thread of this process (its id and pc mean nothing
  // in another).
  const uint64_t holder = Atomic(shared_->holder).load(std::memory_order_relaxed);
  const bool local = (holder >> 32) == static_cast<uint64_t>(getpid());
  const uint32_t holder_tid = local ? static_cast<uint32_t>(holder) : 0;
  const uintptr_t holder_pc =
      local ? static_cast<uintptr_t>(Atomic(shared_->holder_pc).load(std::memory_order_relaxed))
            : 0;
  // The order is recorded before blocking: a deadlock that does happen is reported before
  // the program hangs.
  const uint64_t chain = ts != nullptr ? runtime::NoteAcquire(ts, handle_, flags, caller_pc) : 0;
  const int64_t start = internal::MonotonicNanos();
  {
    runtime::LockWait wait(ts, handle_, flags, caller_pc, internal::Deadline::After(timeout));
    while ((rc = runtime::LockSharedMutex(&shared_->mutex, /*block=*/true, wait.Slice())) ==
               ETIMEDOUT &&
           wait.Continue()) {
    }
  }
  const bool acquired = rc == 0 || rc == EOWNERDEAD;
  if (acquired || rc == ETIMEDOUT) {
    runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, holder_tid,
                              holder_pc, !acquired, caller_pc);
  }
  if (!acquired) {
    if (rc != ETIMEDOUT) {
      *error = rc;
      ReportError(rc);
    }
    return false;
  }
  const uint64_t previous = NoteHolder(*shared_, ts, caller_pc);
  if (rc == EOWNERDEAD) ReportOwnerDied(ts, handle_, previous);
  if (ts != nullptr) runtime::PushHeld(ts, handle_, flags, caller_pc, chain);
  return true;
}

void ProcessLock::lock() {
  int error;
  if (!Acquire(true, kForever, LOCKGRAPH_CALLER_PC(), &error)) {
    throw std::system_error(error != 0 ? error : EAGAIN, std::generic_category(),
                            absl::StrCat("lockgraph::ProcessLock \"", name_, "\": lock"));
  }
}

bool ProcessLock::try_lock() {
  int error;
  return Acquire(false, kForever, LOCKGRAPH_CALLER_PC(), &error);
}

bool ProcessLock::TimedLock(std::chrono::nanoseconds timeout) {
  int error;
  return Acquire(true, timeout, LOCKGRAPH_CALLER_PC(), &error);
}

bool ProcessLock::acquire(bool blocking, std::chrono::nanoseconds timeout) {
  int error;
  return Acquire(blocking, timeout, LOCKGRAPH_CALLER_PC(), &error);
}

void ProcessLock::unlock() {
  ThreadState* ts = runtime::CurrentThread();
  // The hook runs before the real release.
  const runtime::PopResult popped =
      ts != nullptr ? runtime::PopHeld(ts, handle_) : runtime::PopResult::kUntracked;
  const int rc = runtime::UnlockSharedMutex(&shared_->mutex);
  if (rc == 0) return;
  if (popped == runtime::PopResult::kUntracked && ts != nullptr) ++ts->untracked;  // not ours
  if (runtime::SharedMutexLocked(&shared_->mutex)) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseByNonOwner, 0,
                          "releases {lock}, which another thread or process holds; ignored "
                          "(only its holder can release a ProcessLock)");
  } else {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kReleaseUnheld, 0,
                          "releases {lock}, which is not held");
  }
}

bool ProcessLock::locked() const { return runtime::SharedMutexLocked(&shared_->mutex); }

}  // namespace lockgraph

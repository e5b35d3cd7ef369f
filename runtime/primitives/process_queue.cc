// The shared-memory ring behind lockgraph::ProcessQueue<T>
// (lockgraph/internal/process_queue_core.h).
#include "lockgraph/internal/process_queue_core.h"

#include <errno.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "runtime/base/pshared_pthread.h"
#include "runtime/base/stderr.h"
#include "runtime/recorder/event_log.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::internal {

// The head of the mapping; the ring of items follows at kItemsOffset. The mapping starts
// zeroed (MAP_ANONYMOUS). Every field is read and written under `mutex`.
struct ProcessQueueShared {
  pthread_mutex_t mutex;
  pthread_cond_t not_empty;
  pthread_cond_t not_full;
  uint64_t puts = 0;  // items put so far: item n (from 1) is in slot (n - 1) % capacity
  uint64_t gets = 0;  // items taken so far
};

namespace {

using runtime::ThreadState;

constexpr uint8_t kKind = static_cast<uint8_t>(format::SyncKind::kProcessQueue);
constexpr size_t kItemsOffset =
    (sizeof(ProcessQueueShared) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) *
    alignof(std::max_align_t);

std::string NewGlobalName() {
  static std::atomic<uint64_t> counter{0};
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  // The pid alone is reused; with the creation time, names stay apart across the traces of
  // every run merged in one analysis.
  return absl::StrCat("pq:", getpid(), ":", counter.fetch_add(1, std::memory_order_relaxed) + 1,
                      ":", static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec);
}

// Takes the queue's mutex. A process that died inside put() or get() left the ring as it was
// before its item was counted: carry on.
bool LockRing(ProcessQueueShared* shared) {
  const int rc = runtime::LockSharedMutex(&shared->mutex, /*block=*/true, Deadline::Never());
  if (rc == 0 || rc == EOWNERDEAD) return true;
  runtime::StderrLine(absl::StrCat("lockgraph: ProcessQueue: pthread_mutex_lock failed: ",
                                   strerror(rc)));
  return false;
}

}  // namespace

ProcessQueueCore::ProcessQueueCore(size_t item_size, size_t capacity, std::string_view name,
                                   const std::source_location& site)
    : item_size_(item_size), capacity_(capacity) {
  if (capacity == 0) {
    throw std::invalid_argument("lockgraph::ProcessQueue: maxsize must be at least 1");
  }
  if (item_size != 0 && capacity > (SIZE_MAX - kItemsOffset) / item_size) {
    throw std::invalid_argument("lockgraph::ProcessQueue: maxsize items do not fit in memory");
  }
  bytes_ = kItemsOffset + item_size * capacity;
  void* memory =
      mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    throw std::system_error(errno, std::generic_category(),
                            absl::StrCat("lockgraph::ProcessQueue: mapping ", bytes_, " bytes"));
  }
  shared_ = new (memory) ProcessQueueShared;
  int rc = runtime::InitSharedMutex(&shared_->mutex);
  if (rc == 0) rc = runtime::InitSharedCondition(&shared_->not_empty);
  if (rc == 0) rc = runtime::InitSharedCondition(&shared_->not_full);
  if (rc != 0) {
    munmap(memory, bytes_);
    throw std::system_error(rc, std::generic_category(),
                            "lockgraph::ProcessQueue: initializing its shared mutex");
  }
  global_name_ = NewGlobalName();
  RegisterSync(handle_, kKind, name, site);
  handle_.global_name = global_name_;
}

ProcessQueueCore::~ProcessQueueCore() {
  UnregisterSync(handle_);
  // The mutex and conditions are not destroyed: processes forked after the queue was made may
  // still use them. The memory goes when the last process unmaps it.
  munmap(shared_, bytes_);
}

bool ProcessQueueCore::Put(const void* item, std::chrono::nanoseconds timeout) {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  const Deadline deadline = Deadline::After(timeout);
  if (!LockRing(shared_)) return false;
  bool ok = true;
  int64_t wait_start = -1;
  while (shared_->puts - shared_->gets >= capacity_) {
    if (timeout.count() <= 0) {  // one attempt
      ok = false;
      break;
    }
    if (wait_start < 0) wait_start = MonotonicNanos();
    if (runtime::WaitSharedCondition(&shared_->not_full, &shared_->mutex, deadline) ==
        ETIMEDOUT) {
      ok = shared_->puts - shared_->gets < capacity_;
      break;
    }
  }
  uint64_t seq = 0;
  if (ok) {
    std::memcpy(reinterpret_cast<unsigned char*>(shared_) + kItemsOffset +
                    (shared_->puts % capacity_) * item_size_,
                item, item_size_);
    seq = ++shared_->puts;
    runtime::NotifySharedCondition(&shared_->not_empty);
  }
  runtime::UnlockSharedMutex(&shared_->mutex);
  // Recorded outside the queue's lock, which other processes wait for.
  ThreadState* ts = runtime::CurrentThread();
  if (wait_start >= 0) {
    runtime::RecordContention(ts, handle_, MonotonicNanos() - wait_start, 0, 0, !ok, caller_pc);
  }
  if (ok) {
    runtime::LogSignal(ts, format::EventOp::kSend, handle_, seq);
  }
  return ok;
}

bool ProcessQueueCore::Get(void* item, std::chrono::nanoseconds timeout) {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  const Deadline deadline = Deadline::After(timeout);
  if (!LockRing(shared_)) return false;
  bool ok = true;
  int64_t wait_start = -1;
  while (shared_->puts == shared_->gets) {
    if (timeout.count() <= 0) {
      ok = false;
      break;
    }
    if (wait_start < 0) wait_start = MonotonicNanos();
    if (runtime::WaitSharedCondition(&shared_->not_empty, &shared_->mutex, deadline) ==
        ETIMEDOUT) {
      ok = shared_->puts != shared_->gets;
      break;
    }
  }
  uint64_t seq = 0;
  if (ok) {
    std::memcpy(item,
                reinterpret_cast<const unsigned char*>(shared_) + kItemsOffset +
                    (shared_->gets % capacity_) * item_size_,
                item_size_);
    seq = ++shared_->gets;  // FIFO: the seq-th get takes the item of the seq-th put
    runtime::NotifySharedCondition(&shared_->not_full);
  }
  runtime::UnlockSharedMutex(&shared_->mutex);
  ThreadState* ts = runtime::CurrentThread();
  if (wait_start >= 0) {
    runtime::RecordContention(ts, handle_, MonotonicNanos() - wait_start, 0, 0, !ok, caller_pc);
  }
  if (!ok) return false;
  // As Queue: a queue class's "acquisitions" are the items taken.
  runtime::ProcessRecorder::Get().registry().Class(handle_.class_id).acquisitions.fetch_add(
      1, std::memory_order_relaxed);
  runtime::LogSignal(ts, format::EventOp::kReceive, handle_, seq);
  return true;
}

size_t ProcessQueueCore::Size() const {
  if (!LockRing(shared_)) return 0;
  const uint64_t size = shared_->puts - shared_->gets;
  runtime::UnlockSharedMutex(&shared_->mutex);
  return static_cast<size_t>(size);
}

}  // namespace lockgraph::internal

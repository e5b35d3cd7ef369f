// Identity of the pthread objects the interposer sees. They have no constructor of ours, and
// std::mutex never even calls pthread_mutex_init, so the interposer learns of an object at its
// first use and must tell apart two objects built one after the other at one address.
//
// Each object carries a 64-bit tag in bytes glibc leaves unused for it (a non-robust mutex's
// __list.__next, a rwlock's __pad2, the second half of a sem_t). The tag is (generation,
// index) of an entry in this table, and an entry is valid only for the address it was made
// for. A new object at the same address is zeroed by its initializer (or constructor), so its
// tag is 0 and it gets a new entry: a new node of the lock graph, and the old entry is
// released. No free() interception; the table holds at most one entry per address.
//
//   uint64_t* slot = MutexTag(m);
//   PreloadSync* s = table.Find(m, slot);           // hot: one load and two compares
//   if (s == nullptr) s = table.Create(m, slot, ...);  // cold, inside a ColdPath
#ifndef LOCKGRAPH_RUNTIME_PRELOAD_SYNC_TABLE_H_
#define LOCKGRAPH_RUNTIME_PRELOAD_SYNC_TABLE_H_

#include <pthread.h>
#include <semaphore.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "common/trace_format.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/runtime.h"
#include "runtime/runtime_mutex.h"

namespace lockgraph::preload {

struct PreloadSync {
  internal::SyncHandle handle;
  std::atomic<uintptr_t> address{0};
  std::atomic<uint32_t> generation{0};  // bumped each time the entry is reused
  bool recursive = false;               // a PTHREAD_MUTEX_RECURSIVE mutex
  int64_t initial_value = -1;           // semaphores: from sem_init; -1 if unknown
  std::atomic<uint32_t> last_acquirer{0};
};

// Where each kind keeps its tag (glibc 2.36, x86-64; see the file comment).
inline uint64_t* MutexTag(pthread_mutex_t* m) {
  return reinterpret_cast<uint64_t*>(&m->__data.__list.__next);
}
inline uint64_t* RwlockTag(pthread_rwlock_t* rw) {
  return reinterpret_cast<uint64_t*>(&rw->__data.__pad2);
}
inline uint64_t* SemaphoreTag(sem_t* s) {
  return reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(s) + 16);
}

class SyncTable {
 public:
  static SyncTable& Get();

  // The entry of the object at `object` with tag slot `slot`, or null. Thread-safe, lock-free.
  PreloadSync* Find(const void* object, uint64_t* slot) const {
    const uint64_t tag = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (tag == 0) return nullptr;
    const uint64_t index = (tag & 0xffffffffu) - 1;
    if (index >= static_cast<uint64_t>(kChunkSize) * kMaxChunks) return nullptr;
    PreloadSync* chunk = chunks_[index / kChunkSize].load(std::memory_order_acquire);
    if (chunk == nullptr) return nullptr;
    PreloadSync* entry = &chunk[index % kChunkSize];
    if (entry->generation.load(std::memory_order_acquire) != (tag >> 32) ||
        entry->address.load(std::memory_order_relaxed) != reinterpret_cast<uintptr_t>(object)) {
      return nullptr;
    }
    return entry;
  }

  // Finds or makes the entry, tagging the object. `site_pc` names its class. Must be called
  // inside a ColdPath; null if the table is full (the object is then not traced).
  PreloadSync* Create(runtime::Runtime& rt, const void* object, uint64_t* slot,
                      format::SyncKind kind, uintptr_t site_pc, bool recursive,
                      int64_t initial_value) ABSL_LOCKS_EXCLUDED(mu_);

  // The object is destroyed: its entry ends and the tag is cleared. Inside a ColdPath.
  void Forget(runtime::Runtime& rt, const void* object, uint64_t* slot) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  static constexpr uint32_t kChunkSize = 4096;
  static constexpr uint32_t kMaxChunks = 16384;  // 64M objects alive at once

  void ReleaseLocked(runtime::Runtime& rt, uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  runtime::RuntimeMutex mu_;
  std::atomic<PreloadSync*> chunks_[kMaxChunks] = {};
  uint32_t used_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<uint32_t> free_ ABSL_GUARDED_BY(mu_);
  // Address -> entry index. std::mutex never calls pthread_mutex_destroy: an object built
  // where an entry's object was means that one is gone, and its entry is released.
  absl::flat_hash_map<uintptr_t, uint32_t> by_address_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lockgraph::preload

#endif  // LOCKGRAPH_RUNTIME_PRELOAD_SYNC_TABLE_H_

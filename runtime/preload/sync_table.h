// Identity of the pthread objects the interposer sees. They have no constructor of ours, and
// std::mutex never even calls pthread_mutex_init, so the interposer learns of an object at its
// first use and must tell apart two objects built one after the other at one address.
//
// Each object carries a 64-bit tag in bytes glibc leaves unused for it (a non-robust mutex's
// __list.__next, a rwlock's __pad2, the second half of a sem_t). The tag is (generation,
// index) of an entry in this table, and an entry is valid only for the address it was made
// for. A new object at the same address is zeroed by its initializer (or constructor), so its
// tag is 0 and it gets a new entry: a new node of the lock graph, and the old entry is
// released. No free() interception; the table holds at most one entry per address, and at
// most capacity() entries at once (4M, or less if the address space cannot be reserved).
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

#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "common/trace_format.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/base/runtime_mutex.h"
#include "runtime/recorder/process_recorder.h"

namespace lockgraph::preload {

struct PreloadSync {
  internal::SyncHandle handle;  // first member: a held entry's handle leads back to its entry
  std::atomic<uintptr_t> address{0};
  std::atomic<uint32_t> generation{0};  // bumped each time the entry is reused
  bool recursive = false;               // a PTHREAD_MUTEX_RECURSIVE mutex
  bool plain = false;                   // a normal or adaptive mutex: its lock always succeeds
  int64_t initial_value = -1;           // semaphores: from sem_init; -1 if unknown
  // The last thread to acquire the object and where: the holder a long wait names. Written
  // on every acquisition, so one store: the lockgraph thread id above a 47-bit pc (x86-64
  // user addresses). Threads past kMaxHolderTid are not named.
  static constexpr int kPcBits = 47;
  static constexpr uint32_t kMaxHolderTid = (1u << (64 - kPcBits)) - 1;
  std::atomic<uint64_t> holder{0};

  void NoteHolder(uint32_t tid, uintptr_t pc) {
    const uint64_t packed = tid <= kMaxHolderTid
                                ? (uint64_t{tid} << kPcBits) | (pc & ((uint64_t{1} << kPcBits) - 1))
                                : 0;
    holder.store(packed, std::memory_order_relaxed);
  }
  static uint32_t HolderTid(uint64_t packed) { return static_cast<uint32_t>(packed >> kPcBits); }
  static uintptr_t HolderPc(uint64_t packed) {
    return static_cast<uintptr_t>(packed & ((uint64_t{1} << kPcBits) - 1));
  }
};

// The entry of a held lock's handle, if the handle belongs to the interposer (not to one of
// lockgraph's own primitives, whose handles have no site pc).
inline const PreloadSync* EntryOf(const internal::SyncHandle* handle) {
  return handle->site_pc != 0 ? reinterpret_cast<const PreloadSync*>(handle) : nullptr;
}

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

class SyncTable;
// Set once, by the first Get(); read on every interposed call, so Get() is inline.
extern std::atomic<SyncTable*> g_sync_table __attribute__((visibility("hidden")));

class SyncTable {
 public:
  static SyncTable& Get() {
    SyncTable* table = g_sync_table.load(std::memory_order_acquire);
    return ABSL_PREDICT_TRUE(table != nullptr) ? *table : Create();
  }

  // The entry of the object at `object` with tag slot `slot`, or null. Thread-safe, lock-free.
  PreloadSync* Find(const void* object, uint64_t* slot) const {
    const uint64_t tag = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    // tag - 1 wraps for tag 0: any index not yet made is rejected by the bound.
    const uint64_t index = (tag & 0xffffffffu) - 1;
    if (index >= made_.load(std::memory_order_acquire)) return nullptr;
    PreloadSync* entry = &entries_[index];
    if (entry->generation.load(std::memory_order_acquire) != (tag >> 32) ||
        entry->address.load(std::memory_order_relaxed) != reinterpret_cast<uintptr_t>(object)) {
      return nullptr;
    }
    return entry;
  }

  // Finds or makes the entry, tagging the object. Its class is the object in static storage,
  // else its heap block's allocation site, else `site_pc` (sync_registration.h). Must be called
  // inside a ColdPath; null if the table is full (the object is then not traced).
  PreloadSync* Create(runtime::ProcessRecorder& rt, const void* object, uint64_t* slot,
                      format::SyncKind kind, uintptr_t site_pc, bool recursive,
                      int64_t initial_value, bool plain = false) ABSL_LOCKS_EXCLUDED(mu_);

  // The object is destroyed: its entry ends and the tag is cleared. Inside a ColdPath.
  void Forget(runtime::ProcessRecorder& rt, const void* object, uint64_t* slot) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  SyncTable();
  static SyncTable& Create();
  // Ends the entry and frees it, with its by_address_ slot (EndEntryLocked: without).
  void ReleaseLocked(runtime::ProcessRecorder& rt, uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndEntryLocked(runtime::ProcessRecorder& rt, uint32_t index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  runtime::RuntimeMutex mu_;
  // One reserved range of address space (pages are used as entries are made), so that a tag
  // leads to its entry with a bound check and no further load.
  PreloadSync* entries_ = nullptr;
  uint32_t capacity_ = 0;
  std::atomic<uint64_t> made_{0};  // entries [0, made_) are constructed
  std::vector<uint32_t> free_ ABSL_GUARDED_BY(mu_);
  // Address -> entry index. std::mutex never calls pthread_mutex_destroy: an object built
  // where an entry's object was means that one is gone, and its entry is released.
  absl::flat_hash_map<uintptr_t, uint32_t> by_address_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lockgraph::preload

#endif  // LOCKGRAPH_RUNTIME_PRELOAD_SYNC_TABLE_H_

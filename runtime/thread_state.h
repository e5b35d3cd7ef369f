// Per-thread recorder state: the stack of held locks and the cache of dependencies this
// thread already recorded. Only its own thread touches it, except `notices`, through which
// other threads report that they released a lock this thread held.
//
// The hot path (ThreadState::Push/Pop and the cache probe in recorder.h) touches nothing but
// this object: no locks, no allocation, no syscalls.
#ifndef LOCKGRAPH_RUNTIME_THREAD_STATE_H_
#define LOCKGRAPH_RUNTIME_THREAD_STATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/runtime_mutex.h"

namespace lockgraph::runtime {

// More locks held at once than this are not tracked for lock order (counted in
// `untracked`); lockdep's limit is 48.
inline constexpr int kMaxHeld = 64;

struct HeldEntry {
  uint64_t id;                        // instance id
  uint64_t chain;                     // hash of held[0..this] (ids and flags, in order)
  const internal::SyncHandle* sync;   // alive while held (destroying a held lock is misuse)
  uintptr_t pc;                       // where it was taken (a return address)
  int64_t since_ns;                   // acquisition time if this hold is sampled, else 0
  uint8_t flags;                      // format::AcquireFlags
};

// A cached dependency: `key` identifies (segment, held chain, acquired lock).
struct DependencySlot {
  uint64_t key = 0;  // 0: empty
  uint64_t dep_id = 0;
  uint64_t unflushed = 0;  // occurrences not yet written as a DependencyCountRecord
};

struct ThreadState {
  uint32_t tid = 0;
  uint32_t segment = 0;  // bumped by each thread start and join (see common/thread_order.h)
  int depth = 0;
  uint64_t untracked = 0;  // held locks beyond kMaxHeld
  HeldEntry held[kMaxHeld];

  std::unique_ptr<DependencySlot[]> cache;
  uint64_t cache_mask = 0;
  uint64_t cache_used = 0;

  // Acquisitions by class id, merged into the registry when the thread flushes.
  std::unique_ptr<uint64_t[]> class_acquisitions;
  uint32_t class_capacity = 0;
  uint32_t hold_countdown = 1;

  std::string name;
  uint64_t os_tid = 0;

  // Lock instances released by another thread while this thread held them.
  std::atomic<bool> has_notices{false};
  RuntimeMutex notices_mu;
  std::vector<uint64_t> notices ABSL_GUARDED_BY(notices_mu);
};

// Mixes one more acquisition into a held-chain hash (a 64-bit finalizer, as in splitmix64).
inline uint64_t MixChain(uint64_t chain, uint64_t id, uint8_t flags) {
  uint64_t h = chain + id * 0x9e3779b97f4a7c15ull + flags;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  return h;
}

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_THREAD_STATE_H_

// Per-thread recorder state: the stack of held locks and the cache of dependencies this
// thread already recorded. Only its own thread touches it, except `notices`, through which
// other threads report that they released a lock this thread held.
//
// The hot path (ThreadState::Push/Pop and the cache probe in recorder.h) touches nothing but
// this object: no locks, no allocation, no syscalls.
#ifndef LOCKGRAPH_RUNTIME_RECORDER_THREAD_STATE_H_
#define LOCKGRAPH_RUNTIME_RECORDER_THREAD_STATE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/base/runtime_mutex.h"

namespace lockgraph::runtime {

// More locks held at once than this are not tracked for lock order (counted in
// `untracked`); lockdep's limit is 48.
inline constexpr int kMaxHeld = 64;

// HeldEntry::flags bit beside the format::AcquireFlags: this hold's time is being measured
// (its start is in ThreadState::hold_since). Never written to a trace.
inline constexpr uint8_t kHeldSampled = 0x80;
inline constexpr uint8_t kTraceFlagsMask = 0x7f;

struct EventLog;  // runtime/recorder/event_log.h

// 32 bytes, four stores to push: the flags share a word with the instance id (ids count from
// 1 and stay far below 2^56).
struct HeldEntry {
  static constexpr int kFlagsShift = 56;
  static constexpr uint64_t kIdMask = (uint64_t{1} << kFlagsShift) - 1;

  uint64_t id_and_flags;              // instance id; format::AcquireFlags and kHeldSampled above
  uint64_t chain;                     // hash of held[0..this] (ids and flags, in order)
  const internal::SyncHandle* sync;   // alive while held (destroying a held lock is misuse)
  uintptr_t pc;                       // where it was taken (a return address)

  static uint64_t Pack(uint64_t id, uint8_t flags) {
    return id | (uint64_t{flags} << kFlagsShift);
  }
  uint64_t id() const { return id_and_flags & kIdMask; }
  uint8_t flags() const { return static_cast<uint8_t>(id_and_flags >> kFlagsShift); }
  void add_flags(uint8_t more) { id_and_flags |= uint64_t{more} << kFlagsShift; }
};
static_assert(sizeof(HeldEntry) == 32);

// A cached dependency: `key` identifies (segment, held chain, acquired lock).
struct DependencySlot {
  uint64_t key = 0;  // 0: empty
  uint64_t dep_id = 0;
  uint64_t unflushed = 0;  // occurrences not yet written as a DependencyCountRecord
  uint32_t generation = 0;  // the trace file dep_id belongs to (ProcessRecorder::trace_generation)
};

// A wait of this thread's that has lasted deadlock_check: published by the thread for other
// threads' deadlock checks (runtime/online/live_deadlock.h). The locks it holds cannot change
// while it waits, so the copy stays exact until the thread retracts it.
struct PublishedWait {
  const internal::SyncHandle* sync = nullptr;  // what it waits for; null: no published wait
  uint8_t flags = 0;                           // format::AcquireFlags of the wait
  uint32_t segment = 0;
  std::vector<HeldEntry> held;
  std::vector<uintptr_t> stack;                // where it waits, the user's call first
};

struct ThreadClassCounters {
  uint64_t acquisitions = 0;
  uint64_t hold_samples = 0;
  uint64_t hold_total_ns = 0;
  uint64_t hold_max_ns = 0;
};

// An interposed object's class as this thread last found it (runtime/recorder/
// sync_registration.cc): a heap object's by its block's allocation site and its offset in
// the block; a local object's by the program's line that first used it (offset kSiteClass).
struct ObjectClassSlot {
  uintptr_t pc = 0;  // 0: empty
  uint32_t offset = 0;
  uint8_t kind = 0;
  uint32_t class_id = 0;
};
inline constexpr int kObjectClassSlots = 8;
inline constexpr uint32_t kSiteClass = ~uint32_t{0};

// alignas(64), and the held stack starts on the first cache line: a thread holding one lock
// (most acquisitions) touches that line and the counters'; no held entry straddles two lines
// (measured: docs/performance.md).
struct alignas(64) ThreadState {
  uint32_t tid = 0;
  uint32_t segment = 0;  // bumped by each thread start and join (see common/thread_order.h)
  int depth = 0;
  int runtime_depth = 0;  // > 0 while the thread runs the recorder's cold paths (ColdPath)
  // Acquisitions until the next one whose hold time is measured: every hold_sample-th
  // acquisition of the thread (ProcessRecorder::hold_sample()). A countdown in the thread's
  // own state, not the class's count: the branch then waits for no load of a class counter.
  uint32_t hold_countdown = 64;
  // The kernel's id of the thread (os_tid), which glibc stores as a mutex's owner: the
  // interposer takes a free std::mutex itself (runtime/preload/sync_interposers.cc).
  int32_t kernel_tid = 0;
  alignas(32) HeldEntry held[kMaxHeld];  // no entry straddles two cache lines
  int64_t hold_since[kMaxHeld];  // start of a sampled hold, for entries with kHeldSampled

  // The other fields the inline paths read, on one line.
  // Counters by class id, merged into the registry when the thread flushes (no shared
  // cache line is touched per acquisition).
  alignas(64) std::unique_ptr<ThreadClassCounters[]> class_counters;
  uint32_t class_capacity = 0;
  // `lockgraph confirm` steers this process (runtime/online/steering.h): every acquisition
  // takes its primitive's slow path, where the steering may hold the thread back.
  bool steer = false;
  // The low bits of the trace file's generation (ProcessRecorder::trace_generation), which
  // the hot path compares with a cached dependency's: set here by the thread that switches
  // the file, for every thread.
  std::atomic<uint16_t> cache_generation{0};
  std::unique_ptr<DependencySlot[]> cache;
  uint64_t cache_mask = 0;
  // Full mode only (null in deps mode): this thread's unwritten events
  // (runtime/recorder/event_log.h).
  std::unique_ptr<EventLog> events;

  uint64_t untracked = 0;  // held locks beyond kMaxHeld

  uint64_t cache_used = 0;
  std::vector<std::unique_ptr<DependencySlot[]>> retired_caches;  // see GrowCache
  uint32_t event_generation = 0;  // the trace generation `events` belong to

  std::string name;
  uint64_t os_tid = 0;

  // The classes of the objects the thread made last: a program that makes objects with
  // mutexes per request makes them at a few sites, and the registry is not asked again.
  // Class ids live as long as the process.
  ObjectClassSlot object_classes[kObjectClassSlots];

  // The thread's long lock wait, if any (see PublishedWait).
  RuntimeMutex wait_mu;
  PublishedWait published_wait ABSL_GUARDED_BY(wait_mu);

  // Lock instances released by another thread while this thread held them.
  std::atomic<bool> has_notices{false};
  RuntimeMutex notices_mu;
  std::vector<uint64_t> notices ABSL_GUARDED_BY(notices_mu);
};
static_assert(offsetof(ThreadState, held) == 32, "the first held entry ends the first line");

// The chain hash of a held list of one lock: cheap, since most acquisitions are the only
// lock their thread holds; MixChain mixes it thoroughly once a second lock is taken.
inline uint64_t FirstChain(uint64_t id, uint8_t flags) {
  return id ^ (static_cast<uint64_t>(flags) << 56);
}

// Mixes one more acquisition into a held-chain hash (a 64-bit finalizer, as in splitmix64).
inline uint64_t MixChain(uint64_t chain, uint64_t id, uint8_t flags) {
  uint64_t h = chain + id * 0x9e3779b97f4a7c15ull + flags;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  return h;
}

// Recomputes the chain hashes of held[from, depth) once entries below them were removed.
inline void RecomputeChains(ThreadState* ts, int from) {
  for (int i = from; i < ts->depth; ++i) {
    HeldEntry& e = ts->held[i];
    const uint8_t flags = e.flags() & kTraceFlagsMask;
    e.chain = i == 0 ? FirstChain(e.id(), flags) : MixChain(ts->held[i - 1].chain, e.id(), flags);
  }
}

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_THREAD_STATE_H_

// Full mode's per-thread event log: every acquire, release, wait, signal, thread start/join
// and annotated access of one thread, appended to a buffer only that thread touches (no lock,
// no shared cache line) and written out as an EventBlockRecord when the buffer fills, the
// thread ends, the process forks or exits. Encoding: common/events.h.
//
//   if (ABSL_PREDICT_FALSE(ts->events != nullptr)) LogRelease(ts, handle_);
#ifndef LOCKGRAPH_RUNTIME_RECORDER_EVENT_LOG_H_
#define LOCKGRAPH_RUNTIME_RECORDER_EVENT_LOG_H_

#include <cstdint>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "common/events.h"
#include "common/trace_format.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/recorder/thread_state.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace lockgraph::runtime {

struct EventLog {
  static constexpr size_t kBytes = 64 * 1024;
  uint8_t* cur = data;
  uint64_t last_tsc = 0;   // the time the next event's delta counts from
  uint64_t start_tsc = 0;  // the block's start
  uint32_t segment = 0;    // the thread's segment at the block's first event
  uint64_t count = 0;
  // Stack ids of annotated accesses in this trace file, by access site (return address).
  absl::flat_hash_map<uintptr_t, uint64_t> sites;
  uint8_t data[kBytes];
};

// The time stamp counter: ~10 ns here, a third of clock_gettime (bench/, docs/performance.md).
inline uint64_t ReadTsc() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return static_cast<uint64_t>(internal::MonotonicNanos());
#endif
}

// Converts time stamp counter readings to the trace's nanoseconds (since the process start),
// calibrated against CLOCK_MONOTONIC over the process's life so far.
struct TscClock {
  uint64_t start_tsc = 0;
  double ns_per_tsc = 1.0;
  uint64_t ToNs(uint64_t tsc) const {
    return tsc > start_tsc ? static_cast<uint64_t>(static_cast<double>(tsc - start_tsc) * ns_per_tsc)
                           : 0;
  }
  // Picoseconds per tick unit of the event encoding.
  uint64_t tick_ps() const {
    return static_cast<uint64_t>(ns_per_tsc * 1000.0 * (1 << format::kEventTickShift) + 0.5);
  }
};

// Writes the thread's buffered events as one block and empties the buffer. Cold; takes the
// trace writer's lock (callers inside a ColdPath, or holding the fork lock, use the same).
void FlushEvents(ThreadState* ts);
// A lock or other object whose events are logged must be defined in the trace first.
void DefineForEvents(ThreadState* ts, const internal::SyncHandle& sync);
// FlushEvents for a caller already inside a ColdPath, or holding the fork lock (BeforeFork).
void FlushEventsLocked(ThreadState* ts);

// The stack id of an annotated access at `pc` (a return address into the user's code): the
// stack of the first access from there, written to the trace once.
uint64_t AccessSite(ThreadState* ts, uintptr_t pc);

// Opens a new segment of the thread (common/thread_order.h). Full mode: a block that has no
// event yet starts in it.
inline void NextSegment(ThreadState* ts) {
  ++ts->segment;
  if (ts->events != nullptr && ts->events->count == 0) ts->events->segment = ts->segment;
}

inline void LogEvent(ThreadState* ts, format::EventOp op, const format::EventOperands& operands) {
  EventLog* log = ts->events.get();
  if (ABSL_PREDICT_FALSE(log->data + EventLog::kBytes - log->cur <
                         static_cast<ptrdiff_t>(format::kMaxEventBytes))) {
    FlushEvents(ts);
  }
  const uint64_t tsc = ReadTsc();
  const uint64_t ticks = tsc > log->last_tsc ? (tsc - log->last_tsc) >> format::kEventTickShift : 0;
  log->last_tsc += ticks << format::kEventTickShift;
  log->cur = format::AppendEvent(log->cur, op, ticks, operands);
  ++log->count;
}

// An event about `sync` (a lock, signal object or Shared<T>), defined in the thread's trace
// file on first use.
inline void LogSyncEvent(ThreadState* ts, format::EventOp op, const internal::SyncHandle& sync,
                         format::EventOperands operands) {
  if (ABSL_PREDICT_FALSE(sync.event_generation.load(std::memory_order_relaxed) !=
                         ts->event_generation)) {
    DefineForEvents(ts, sync);
  }
  operands.object = sync.id;
  LogEvent(ts, op, operands);
}

// The calling thread now holds `sync`: the acquisition's sequence number pairs it with the
// release before it. An exclusive holder is alone, so its count needs no locked instruction;
// shared holders count atomically.
inline void LogAcquire(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags) {
  auto& counter = const_cast<internal::SyncHandle&>(sync).acquisitions;
  uint64_t seq;
  if ((flags & format::kAcquireShared) != 0) {
    seq = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  } else {
    seq = counter.load(std::memory_order_relaxed) + 1;
    counter.store(seq, std::memory_order_relaxed);
  }
  const uint8_t trace_flags = flags & kTraceFlagsMask;
  LogSyncEvent(ts, trace_flags == 0 ? format::EventOp::kAcquire : format::EventOp::kAcquireFlags,
               sync, {.seq = seq, .flags = trace_flags});
}

inline void LogRelease(ThreadState* ts, const internal::SyncHandle& sync) {
  LogSyncEvent(ts, format::EventOp::kRelease, sync, {});
}

// LogAcquire and LogRelease out of line, for the deps-mode hot paths (PushHeld, PopHeldTop):
// inlined there, the event encoder made every lock operation save and restore registers,
// full mode or not (+2 ns per lock+unlock under the preload).
void LogAcquireOutOfLine(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags);
void LogReleaseOutOfLine(ThreadState* ts, const internal::SyncHandle& sync);

// A signal sent (Event::set, Queue::put, ...) or received: the thread enters a new segment, so
// that what it does after a receive is ordered after the sender's past (common/thread_order.h).
void LogSignalEvent(ThreadState* ts, format::EventOp op, const internal::SyncHandle& sync,
                    uint64_t seq);
// LogSignalEvent in full mode; nothing otherwise (or with no thread state: it is exiting).
inline void LogSignal(ThreadState* ts, format::EventOp op, const internal::SyncHandle& sync,
                      uint64_t seq) {
  if (ts != nullptr && ts->events != nullptr) LogSignalEvent(ts, op, sync, seq);
}

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_EVENT_LOG_H_

// Not part of the API: recorder entry points used by template primitives (Queue<T>), whose
// code is compiled into the user's program. All are thread-safe and cheap when nothing is
// recorded.
#ifndef LOCKGRAPH_INTERNAL_TEMPLATE_HOOKS_H_
#define LOCKGRAPH_INTERNAL_TEMPLATE_HOOKS_H_

#include <cstddef>
#include <cstdint>

#include "lockgraph/internal/sync_handle.h"

namespace lockgraph::internal {

// A thread blocked `wait_ns` on `handle` (a queue, an event): counted in the class's wait
// statistics, and recorded as a long wait when over the long_wait option.
void RecordWait(const SyncHandle& handle, int64_t wait_ns, bool timed_out);

// Item number `sequence` of a queue was put / taken (the hand-off a get waits for).
void RecordQueuePut(const SyncHandle& handle, uint64_t sequence);
void RecordQueueGet(const SyncHandle& handle, uint64_t sequence);

// Full mode: the calling thread read or wrote a Shared<T> (`handle`) or raw memory; the access
// site is where it called (the accessors are inlined into the user's code). Nothing is
// recorded in deps mode.
void RecordSharedAccess(const SyncHandle& handle, bool write);
void RecordRawAccess(const volatile void* address, uint64_t size, bool write);
// Keeps the call before it from becoming a tail call, whose return address would be the
// caller's caller: the access site must be the user's line.
[[gnu::always_inline]] inline void NoTailCall() { __asm__ volatile(""); }

// Misuse detected in a template primitive; kind is a format::MisuseKind.
void ReportMisuse(const SyncHandle& handle, uint8_t kind, const char* detail);

}  // namespace lockgraph::internal

#endif  // LOCKGRAPH_INTERNAL_TEMPLATE_HOOKS_H_

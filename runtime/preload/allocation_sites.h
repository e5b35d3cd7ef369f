// Where heap blocks were allocated, so that a lock inside a heap object gets the allocation
// site as its class rather than the accident of its first use (docs/analysis.md, "Classes
// under the preload").
//
// The malloc family and operator new are interposed (allocation_interposers.cc). Each block of
// at least kMinBlock bytes (the smallest pthread object) is noted in a direct-mapped table of
// 2^20 slots by its address: a hash and three stores, no lock, nothing done on free(). A slot
// keeps the last block noted in it, so the table forgets a block that a later one displaced (a
// block outlives 2^20 later allocations with odds 1/e); a lock in a forgotten block, on a
// stack or in thread-local storage falls back to its first-use site.
//
//   NoteAllocation(block, size, __builtin_return_address(0));   // hot, every allocation
//   if (Allocation a = AllocationSite(&object->mu); a.pc != 0) { ... }  // cold, per new lock
#ifndef LOCKGRAPH_RUNTIME_PRELOAD_ALLOCATION_SITES_H_
#define LOCKGRAPH_RUNTIME_PRELOAD_ALLOCATION_SITES_H_

#include <cstddef>
#include <cstdint>

namespace lockgraph::preload {

// No pthread object is smaller (sem_t: 32 bytes).
inline constexpr size_t kMinBlock = 32;
// How far below a lock its block may start and still be found: 64 probes at most.
inline constexpr size_t kMaxLockOffset = 1024;

// Notes that `block` (`size` bytes) was allocated by the call returning to `pc`. Thread-safe,
// async-signal-safe after the first call (which maps the table).
void NoteAllocation(const void* block, size_t size, const void* pc);

struct Allocation {
  uintptr_t pc = 0;     // the return address of the allocating call; 0: not found
  uintptr_t block = 0;  // where the block starts
};

// The noted block that holds `object`. Thread-safe; reads only.
Allocation AllocationSite(const void* object);

}  // namespace lockgraph::preload

#endif  // LOCKGRAPH_RUNTIME_PRELOAD_ALLOCATION_SITES_H_

// Where heap blocks were allocated, so that a lock inside a heap object gets the allocation
// site as its class rather than the accident of its first use (docs/analysis.md, "Classes
// under the preload").
//
// The malloc family and operator new are interposed (allocation_interposers.cc). Each block of
// at least kMinBlock bytes (the smallest pthread object) is noted in a direct-mapped table of
// 2^20 slots by its address (16-byte units, modulo the table): three stores, no lock,
// nothing done on free(). A slot keeps the last block noted in it, so the table forgets a
// block when another one 16 MiB away (or more) is allocated later; a lock in a forgotten
// block, on a stack or in thread-local storage falls back to its first-use site.
//
//   NoteAllocation(block, size, __builtin_return_address(0));   // hot, every allocation
//   if (Allocation a = AllocationSite(&object->mu); a.pc != 0) { ... }  // cold, per new lock
#ifndef LOCKGRAPH_RUNTIME_PRELOAD_ALLOCATION_SITES_H_
#define LOCKGRAPH_RUNTIME_PRELOAD_ALLOCATION_SITES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace lockgraph::preload {

// No pthread object is smaller (sem_t: 32 bytes).
inline constexpr size_t kMinBlock = 32;
// How far below a lock its block may start and still be found: 64 probes at most.
inline constexpr size_t kMaxLockOffset = 1024;

namespace allocation_table {

inline constexpr int kSlotBits = 20;
inline constexpr uint64_t kSizeBits = 17;  // sizes above 128 KiB are kept as 128 KiB - 1
inline constexpr uint64_t kMaxSize = (uint64_t{1} << kSizeBits) - 1;

// A slot is written block = 0, then pc and size, then block: a reader that sees the same
// block before and after reading pc_size read a whole slot.
struct Slot {
  std::atomic<uintptr_t> block;
  std::atomic<uint64_t> pc_size;  // return address << kSizeBits | min(size, kMaxSize)
};

// Hidden: read directly on every allocation. Null until the first one maps it.
extern std::atomic<Slot*> g_table __attribute__((visibility("hidden")));
Slot* MapTable();

// The slot of a block is its address in 16-byte units, modulo the table: the table mirrors a
// 16 MiB window of the heap, so blocks allocated one after the other (mostly neighbours)
// write neighbouring slots, in cache, and blocks collide only 16 MiB apart.
inline size_t Index(uintptr_t block) {
  return static_cast<size_t>((block >> 4) & ((uintptr_t{1} << kSlotBits) - 1));
}

}  // namespace allocation_table

// Notes that `block` (`size` bytes) was allocated by the call returning to `pc`. Thread-safe,
// async-signal-safe after the first call (which maps the table). Inline: every allocation.
inline void NoteAllocation(const void* block, size_t size, const void* pc) {
  using namespace allocation_table;
  if (block == nullptr || size < kMinBlock) return;
  Slot* table = g_table.load(std::memory_order_acquire);
  if (__builtin_expect(table == nullptr, 0) && (table = MapTable()) == nullptr) return;
  const uintptr_t address = reinterpret_cast<uintptr_t>(block);
  Slot& slot = table[Index(address)];
  slot.block.store(0, std::memory_order_relaxed);
  slot.pc_size.store((reinterpret_cast<uintptr_t>(pc) << kSizeBits) |
                         (size < kMaxSize ? size : kMaxSize),
                     std::memory_order_release);
  slot.block.store(address, std::memory_order_release);
}

struct Allocation {
  uintptr_t pc = 0;     // the return address of the allocating call; 0: not found
  uintptr_t block = 0;  // where the block starts
};

// The noted block that holds `object`. Thread-safe; reads only.
Allocation AllocationSite(const void* object);

}  // namespace lockgraph::preload

#endif  // LOCKGRAPH_RUNTIME_PRELOAD_ALLOCATION_SITES_H_

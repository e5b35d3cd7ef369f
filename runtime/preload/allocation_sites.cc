#include "runtime/preload/allocation_sites.h"

#include <sys/mman.h>

namespace lockgraph::preload {
namespace allocation_table {

std::atomic<Slot*> g_table{nullptr};

// Address space only: a page is backed once written.
Slot* MapTable() {
  Slot* table = g_table.load(std::memory_order_acquire);
  if (table != nullptr) return table;
  void* range = mmap(nullptr, sizeof(Slot) << kSlotBits, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (range == MAP_FAILED) return nullptr;
  Slot* mapped = static_cast<Slot*>(range);
  if (!g_table.compare_exchange_strong(table, mapped, std::memory_order_acq_rel)) {
    munmap(range, sizeof(Slot) << kSlotBits);  // another thread mapped it first
    return table;
  }
  return mapped;
}

}  // namespace allocation_table

Allocation AllocationSite(const void* object) {
  using namespace allocation_table;
  const Slot* table = g_table.load(std::memory_order_acquire);
  if (table == nullptr) return {};
  const uintptr_t address = reinterpret_cast<uintptr_t>(object);
  // Blocks start 16-byte aligned: try each such address below the object, nearest first.
  const uintptr_t lowest = address > kMaxLockOffset ? address - kMaxLockOffset : 0;
  for (uintptr_t block = address & ~uintptr_t{15}; block >= lowest && block != 0; block -= 16) {
    const Slot& slot = table[Index(block)];
    if (slot.block.load(std::memory_order_acquire) != block) continue;
    const uint64_t pc_size = slot.pc_size.load(std::memory_order_acquire);
    if (slot.block.load(std::memory_order_acquire) != block) continue;  // rewritten meanwhile
    if (address >= block + (pc_size & kMaxSize)) return {};  // the nearest block ends below
    return {static_cast<uintptr_t>(pc_size >> kSizeBits), block};
  }
  return {};
}

}  // namespace lockgraph::preload

#include "runtime/preload/allocation_sites.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>

namespace lockgraph::preload {
namespace {

constexpr int kSlotBits = 20;
constexpr uint64_t kSizeBits = 17;  // sizes above 128 KiB are kept as 128 KiB - 1
constexpr uint64_t kMaxSize = (uint64_t{1} << kSizeBits) - 1;

// A slot is written block = 0, then pc and size, then block: a reader that sees the same
// block before and after reading pc_size read a whole slot.
struct Slot {
  std::atomic<uintptr_t> block;
  std::atomic<uint64_t> pc_size;  // return address << kSizeBits | min(size, kMaxSize)
};

std::atomic<Slot*> g_table{nullptr};

size_t Index(uintptr_t block) {
  return static_cast<size_t>(((block >> 4) * 0x9E3779B97F4A7C15ull) >> (64 - kSlotBits));
}

// Mapped on the first allocation (address space only: a page is backed once written).
Slot* Table() {
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

}  // namespace

void NoteAllocation(const void* block, size_t size, const void* pc) {
  if (block == nullptr || size < kMinBlock) return;
  Slot* table = Table();
  if (table == nullptr) return;
  const uintptr_t address = reinterpret_cast<uintptr_t>(block);
  Slot& slot = table[Index(address)];
  slot.block.store(0, std::memory_order_relaxed);
  slot.pc_size.store(
      (reinterpret_cast<uintptr_t>(pc) << kSizeBits) | std::min<uint64_t>(size, kMaxSize),
      std::memory_order_release);
  slot.block.store(address, std::memory_order_release);
}

Allocation AllocationSite(const void* object) {
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

#include "runtime/preload/sync_table.h"

#include <sys/mman.h>

#include <new>

#include "runtime/preload/allocation_sites.h"
#include "runtime/recorder/sync_registration.h"

namespace lockgraph::preload {
namespace {

// A lock in the calling thread's frames (a local std::mutex) is in no heap block: the
// allocation table is not probed for it. A heuristic bound, not the stack's extent (which
// costs a read of /proc for the main thread): a heap object taken for a local just loses
// its allocation class, and falls back to its first use.
constexpr uintptr_t kNearbyFrames = 64 * 1024;

bool InCallersFrames(const void* object) {
  const uintptr_t sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  const uintptr_t address = reinterpret_cast<uintptr_t>(object);
  return address >= sp && address - sp < kNearbyFrames;
}

}  // namespace

std::atomic<SyncTable*> g_sync_table{nullptr};

SyncTable::SyncTable() {
  // Address space only (MAP_NORESERVE): a page is backed once entries on it are made.
  for (uint32_t entries = 4u << 20; entries >= 4096; entries /= 4) {
    void* range = mmap(nullptr, sizeof(PreloadSync) * entries, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range != MAP_FAILED) {
      entries_ = static_cast<PreloadSync*>(range);
      capacity_ = entries;
      return;
    }
  }
}

SyncTable& SyncTable::Create() {
  // Never destroyed: objects are locked during exit too.
  alignas(SyncTable) static unsigned char storage[sizeof(SyncTable)];
  static SyncTable* const table = new (storage) SyncTable();
  g_sync_table.store(table, std::memory_order_release);
  return *table;
}

PreloadSync* SyncTable::Create(runtime::ProcessRecorder& rt, const void* object, uint64_t* slot,
                               format::SyncKind kind, uintptr_t site_pc, bool recursive,
                               int64_t initial_value, bool plain) {
  runtime::RuntimeMutexLock hold(mu_);
  if (PreloadSync* existing = Find(object, slot)) return existing;  // another thread won
  const uintptr_t address = reinterpret_cast<uintptr_t>(object);
  // The address's slot in by_address_, kept for the new entry: a program that makes objects
  // where others were (a free list, a stack frame) neither erases nor inserts.
  auto [here, fresh] = by_address_.try_emplace(address, 0);
  if (!fresh) EndEntryLocked(rt, here->second);  // the object that was here is gone
  uint32_t index;
  const uint64_t made = made_.load(std::memory_order_relaxed);
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else if (made < capacity_) {
    index = static_cast<uint32_t>(made);
    new (&entries_[index]) PreloadSync();
    made_.store(made + 1, std::memory_order_release);
  } else {
    by_address_.erase(here);
    return nullptr;  // full: the object is not traced
  }
  PreloadSync& entry = entries_[index];
  const bool on_stack = InCallersFrames(object);
  const Allocation block = on_stack ? Allocation{} : AllocationSite(object);
  runtime::RegisterPreloadSyncLocked(
      rt, entry.handle, kind,
      {.address = object, .site_pc = site_pc, .allocation_pc = block.pc,
       .allocation_block = block.block, .on_stack = on_stack},
      static_cast<int32_t>(initial_value));
  entry.recursive = recursive;
  entry.plain = plain;
  entry.initial_value = initial_value;
  entry.NoteHolder(0, 0);
  entry.address.store(reinterpret_cast<uintptr_t>(object), std::memory_order_relaxed);
  const uint32_t generation = entry.generation.load(std::memory_order_relaxed) + 1;
  entry.generation.store(generation, std::memory_order_release);
  __atomic_store_n(slot, (static_cast<uint64_t>(generation) << 32) | (index + 1),
                   __ATOMIC_RELEASE);
  here->second = index;
  return &entry;
}

void SyncTable::ReleaseLocked(runtime::ProcessRecorder& rt, uint32_t index) {
  by_address_.erase(entries_[index].address.load(std::memory_order_relaxed));
  EndEntryLocked(rt, index);
}

void SyncTable::EndEntryLocked(runtime::ProcessRecorder& rt, uint32_t index) {
  PreloadSync& entry = entries_[index];
  runtime::UnregisterSyncLocked(rt, entry.handle);
  entry.address.store(0, std::memory_order_relaxed);
  entry.generation.fetch_add(1, std::memory_order_release);  // stale tags no longer match
  free_.push_back(index);
}

void SyncTable::Forget(runtime::ProcessRecorder& rt, const void* object, uint64_t* slot) {
  runtime::RuntimeMutexLock hold(mu_);
  PreloadSync* entry = Find(object, slot);
  if (entry == nullptr) return;
  const uint64_t tag = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  ReleaseLocked(rt, static_cast<uint32_t>((tag & 0xffffffffu) - 1));
  __atomic_store_n(slot, 0, __ATOMIC_RELEASE);
}

}  // namespace lockgraph::preload

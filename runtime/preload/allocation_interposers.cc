// The malloc family and operator new, interposed only to note where each block was allocated
// (allocation_sites.h), so that a lock in a heap object takes the allocation site as its class.
// Each one forwards to the next definition (dlsym(RTLD_NEXT): the C library's, or the
// allocator the program links, such as jemalloc), so the program keeps its allocator. free()
// and operator delete pass straight through; nothing is noted on release.
//
// dlsym may allocate while it resolves the next definitions: those calls, in the resolving
// thread, get memory from a small static arena that free() recognizes and never passes on.
// Other threads wait for the resolution (it happens once, at the first allocation).
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>

#include "runtime/preload/allocation_sites.h"

namespace lockgraph::preload {
namespace {

struct NextAllocator {
  void* (*malloc)(size_t);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void (*free)(void*);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*memalign)(size_t, size_t);
  void* (*new_)(size_t);
  void* (*new_array)(size_t);
  void* (*new_nothrow)(size_t, const std::nothrow_t&) noexcept;
  void* (*new_array_nothrow)(size_t, const std::nothrow_t&) noexcept;
  void* (*new_aligned)(size_t, std::align_val_t);
  void* (*new_array_aligned)(size_t, std::align_val_t);
  void* (*new_aligned_nothrow)(size_t, std::align_val_t, const std::nothrow_t&) noexcept;
  void* (*new_array_aligned_nothrow)(size_t, std::align_val_t, const std::nothrow_t&) noexcept;
};

NextAllocator g_next;
// The next operator new and new[] are the C++ library's own, which are malloc plus a
// new-handler loop on failure: a successful malloc is then called directly (one layer less
// on every new), and only a failure goes through them.
bool g_new_is_malloc = false;
enum : int { kUnresolved, kResolving, kResolved };
std::atomic<int> g_state{kUnresolved};
// Set in the thread that resolves, whose allocations meanwhile come from the arena.
thread_local bool t_resolving __attribute__((tls_model("initial-exec"))) = false;

// The bootstrap arena: 16-byte aligned blocks after a 16-byte header holding the size.
constexpr size_t kArenaSize = 256 * 1024;
alignas(16) char g_arena[kArenaSize];
std::atomic<size_t> g_arena_used{0};

bool InArena(const void* p) {
  return p >= static_cast<const void*>(g_arena) && p < static_cast<const void*>(g_arena + kArenaSize);
}

void* ArenaAllocate(size_t size, size_t alignment = 16) {
  if (alignment < 16 || (alignment & (alignment - 1)) != 0) alignment = 16;
  // Room for the header, the padding up to the alignment, and the block.
  const size_t need = 16 + alignment + ((size + 15) & ~size_t{15});
  const size_t start = g_arena_used.fetch_add(need, std::memory_order_relaxed);
  if (start + need > kArenaSize) return nullptr;
  const uintptr_t first = reinterpret_cast<uintptr_t>(g_arena + start) + 16;
  char* block = reinterpret_cast<char*>((first + alignment - 1) & ~(alignment - 1));
  reinterpret_cast<size_t*>(block)[-1] = size;  // the header is just below
  return block;
}

template <typename F>
void Resolve(F& slot, const char* name) {
  void* address = dlsym(RTLD_NEXT, name);
  if (address == nullptr) {
    static const char kPrefix[] = "lockgraph: no next definition of ";
    (void)!write(2, kPrefix, sizeof(kPrefix) - 1);
    (void)!write(2, name, strlen(name));
    (void)!write(2, "; cannot interpose the allocator\n", 33);
    abort();
  }
  slot = reinterpret_cast<F>(address);
}

bool FromCxxLibrary(void* function) {
  Dl_info info;
  return dladdr(function, &info) != 0 && info.dli_fname != nullptr &&
         strstr(info.dli_fname, "/libstdc++.so") != nullptr;
}

// True when g_next may be used; false in the resolving thread while it resolves.
bool Ready() {
  if (__builtin_expect(g_state.load(std::memory_order_acquire) == kResolved, 1)) return true;
  if (t_resolving) return false;
  int expected = kUnresolved;
  if (g_state.compare_exchange_strong(expected, kResolving, std::memory_order_acq_rel)) {
    t_resolving = true;
    NextAllocator& n = g_next;
    Resolve(n.malloc, "malloc");
    Resolve(n.calloc, "calloc");
    Resolve(n.realloc, "realloc");
    Resolve(n.free, "free");
    Resolve(n.posix_memalign, "posix_memalign");
    Resolve(n.aligned_alloc, "aligned_alloc");
    Resolve(n.memalign, "memalign");
    Resolve(n.new_, "_Znwm");
    Resolve(n.new_array, "_Znam");
    Resolve(n.new_nothrow, "_ZnwmRKSt9nothrow_t");
    Resolve(n.new_array_nothrow, "_ZnamRKSt9nothrow_t");
    Resolve(n.new_aligned, "_ZnwmSt11align_val_t");
    Resolve(n.new_array_aligned, "_ZnamSt11align_val_t");
    Resolve(n.new_aligned_nothrow, "_ZnwmSt11align_val_tRKSt9nothrow_t");
    Resolve(n.new_array_aligned_nothrow, "_ZnamSt11align_val_tRKSt9nothrow_t");
    g_new_is_malloc = FromCxxLibrary(reinterpret_cast<void*>(n.new_)) &&
                      FromCxxLibrary(reinterpret_cast<void*>(n.new_array));
    t_resolving = false;
    g_state.store(kResolved, std::memory_order_release);
    return true;
  }
  while (g_state.load(std::memory_order_acquire) != kResolved) sched_yield();
  return true;
}

}  // namespace
}  // namespace lockgraph::preload

using lockgraph::preload::ArenaAllocate;
using lockgraph::preload::g_new_is_malloc;
using lockgraph::preload::g_next;
using lockgraph::preload::InArena;
using lockgraph::preload::NoteAllocation;
using lockgraph::preload::Ready;

#define LOCKGRAPH_CALLER __builtin_return_address(0)

extern "C" {

__attribute__((visibility("default"))) void* malloc(size_t size) {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.malloc(size);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}

__attribute__((visibility("default"))) void* calloc(size_t count, size_t size) {
  if (!Ready()) {
    if (size != 0 && count > static_cast<size_t>(-1) / size) return nullptr;
    return ArenaAllocate(count * size);  // static memory, never reused: zero already
  }
  void* block = g_next.calloc(count, size);
  NoteAllocation(block, count * size, LOCKGRAPH_CALLER);
  return block;
}

__attribute__((visibility("default"))) void* realloc(void* old, size_t size) {
  if (!Ready() || InArena(old)) {
    // A block of the arena moves out of it (the allocator cannot resize what it did not make).
    void* block = Ready() ? g_next.malloc(size) : ArenaAllocate(size);
    if (block != nullptr && old != nullptr) {
      const size_t old_size = reinterpret_cast<size_t*>(old)[-1];
      memcpy(block, old, old_size < size ? old_size : size);
    }
    return block;
  }
  void* block = g_next.realloc(old, size);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}

__attribute__((visibility("default"))) void free(void* block) {
  if (block == nullptr || InArena(block)) return;
  if (Ready()) g_next.free(block);
}

__attribute__((visibility("default"))) int posix_memalign(void** out, size_t alignment,
                                                          size_t size) {
  if (!Ready()) {
    *out = ArenaAllocate(size, alignment);
    return *out != nullptr ? 0 : ENOMEM;
  }
  const int rc = g_next.posix_memalign(out, alignment, size);
  if (rc == 0) NoteAllocation(*out, size, LOCKGRAPH_CALLER);
  return rc;
}

__attribute__((visibility("default"))) void* aligned_alloc(size_t alignment, size_t size) {
  if (!Ready()) return ArenaAllocate(size, alignment);
  void* block = g_next.aligned_alloc(alignment, size);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}

__attribute__((visibility("default"))) void* memalign(size_t alignment, size_t size) {
  if (!Ready()) return ArenaAllocate(size, alignment);
  void* block = g_next.memalign(alignment, size);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}

}  // extern "C"

// operator new: the caller of malloc would be the C++ library's operator new for every object.
// Only dlsym allocates before resolution, and not with new: the arena is a safety net.
__attribute__((visibility("default"))) void* operator new(size_t size) {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_new_is_malloc ? g_next.malloc(size != 0 ? size : 1) : nullptr;
  if (block == nullptr) block = g_next.new_(size);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new[](size_t size) {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_new_is_malloc ? g_next.malloc(size != 0 ? size : 1) : nullptr;
  if (block == nullptr) block = g_next.new_array(size);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new(size_t size,
                                                          const std::nothrow_t& tag) noexcept {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.new_nothrow(size, tag);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new[](size_t size,
                                                            const std::nothrow_t& tag) noexcept {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.new_array_nothrow(size, tag);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new(size_t size, std::align_val_t align) {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.new_aligned(size, align);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new[](size_t size,
                                                            std::align_val_t align) {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.new_array_aligned(size, align);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new(size_t size, std::align_val_t align,
                                                          const std::nothrow_t& tag) noexcept {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.new_aligned_nothrow(size, align, tag);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}
__attribute__((visibility("default"))) void* operator new[](size_t size, std::align_val_t align,
                                                            const std::nothrow_t& tag) noexcept {
  if (!Ready()) return ArenaAllocate(size);
  void* block = g_next.new_array_aligned_nothrow(size, align, tag);
  NoteAllocation(block, size, LOCKGRAPH_CALLER);
  return block;
}

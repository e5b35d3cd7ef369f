// Not part of the API: the identity every instrumented object carries. Declared in a public
// header only because the primitives hold one by value.
#ifndef LOCKGRAPH_INTERNAL_SYNC_HANDLE_H_
#define LOCKGRAPH_INTERNAL_SYNC_HANDLE_H_

#include <atomic>
#include <cstdint>
#include <source_location>
#include <string_view>

namespace lockgraph::internal {

// Set at construction, read by the recorder. `id` is never reused, so a lock destroyed and
// another built at the same address are two nodes of the lock graph.
struct SyncHandle {
  uint64_t id = 0;
  uint32_t class_id = 0;
  uint8_t kind = 0;          // format::SyncKind
  bool named = false;        // the class is an explicit name, not the construction site
  std::atomic<uint8_t> flags{0};  // recorder-owned bits (in the trace, used as a signal, ...)
  int32_t initial_value = 0;      // semaphores: the initial count
  // The construction site's file (a copy the runtime owns: the source_location's own strings
  // live in the module that built the object, which dlclose may unmap) and line.
  const char* site_file = "";
  uint32_t site_line = 0;
  uintptr_t site_pc = 0;          // LD_PRELOAD objects: where first seen (no source location)
  // Objects shared by processes (ProcessLock, ProcessQueue): the name every process knows the
  // object by, which merges its instances across traces. Points into the object; empty if
  // none. Set once, right after RegisterSync.
  std::string_view global_name;
  // Full mode: acquisitions so far (pairs each acquire with the release before it), and the
  // trace file the object is defined in for events (runtime/recorder/event_log.h).
  std::atomic<uint64_t> acquisitions{0};
  std::atomic<uint32_t> event_generation{0};
};

// Registers a new object: assigns its id and class. Thread-safe.
void RegisterSync(SyncHandle& handle, uint8_t kind, std::string_view name,
                  const std::source_location& site);
// The object is being destroyed. Thread-safe.
void UnregisterSync(SyncHandle& handle);

}  // namespace lockgraph::internal

#endif  // LOCKGRAPH_INTERNAL_SYNC_HANDLE_H_

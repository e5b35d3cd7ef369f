// Registration of objects the LD_PRELOAD interposer sees (pthread mutexes, rwlocks, POSIX
// semaphores), which have no constructor of lockgraph's. Their class is what the program says
// (docs/analysis.md, "Classes under the preload"): the object itself when it is in static
// storage (a global or static variable, or a member of one), else the allocation site and
// offset of its heap block, else (a lock on a stack, in thread-local storage, or in a block
// the allocation table forgot) the stack that made it known (pthread_*_init, or the first
// acquisition). Keys are module offsets, stable across runs of one binary.
//
// Both functions must be called inside a ColdPath (they take runtime mutexes).
#ifndef LOCKGRAPH_RUNTIME_RECORDER_SYNC_REGISTRATION_H_
#define LOCKGRAPH_RUNTIME_RECORDER_SYNC_REGISTRATION_H_

#include <cstdint>

#include "common/trace_format.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/recorder/process_recorder.h"

namespace lockgraph::runtime {

// Where an interposed object is and how it became known.
struct PreloadObject {
  const void* address = nullptr;
  uintptr_t site_pc = 0;          // the return address into the program that made it known
  uintptr_t allocation_pc = 0;    // its heap block's allocating call; 0 if unknown
  uintptr_t allocation_block = 0;  // where that block starts
  bool on_stack = false;           // in the creating thread's frames: not static, not heap
};

// Gives `handle` a new instance id and the object's class. Cost: a module lookup, and an
// unwind of a few frames when the first-use site is in the C++ library.
void RegisterPreloadSyncLocked(ProcessRecorder& rt, internal::SyncHandle& handle,
                               format::SyncKind kind, const PreloadObject& object,
                               int32_t initial_value);

// The object is gone: ends its instance in the trace and its node in the online graph.
void UnregisterSyncLocked(ProcessRecorder& rt, internal::SyncHandle& handle);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_SYNC_REGISTRATION_H_

// Registration of objects the LD_PRELOAD interposer sees (pthread mutexes, rwlocks, POSIX
// semaphores), which have no constructor of lockgraph's: their class is the stack that made
// them known (pthread_*_init, or the first acquisition), named by module+offset.
//
// Both functions must be called inside a ColdPath (they take runtime mutexes).
#ifndef LOCKGRAPH_RUNTIME_RECORDER_SYNC_REGISTRATION_H_
#define LOCKGRAPH_RUNTIME_RECORDER_SYNC_REGISTRATION_H_

#include <cstdint>

#include "common/trace_format.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/recorder/process_recorder.h"

namespace lockgraph::runtime {

// Gives `handle` a new instance id and the class of the stack above `site_pc` (the return
// address into the program). Cost: an unwind of a few frames.
void RegisterPreloadSyncLocked(ProcessRecorder& rt, internal::SyncHandle& handle, format::SyncKind kind,
                               uintptr_t site_pc, int32_t initial_value);

// The object is gone: ends its instance in the trace and its node in the online graph.
void UnregisterSyncLocked(ProcessRecorder& rt, internal::SyncHandle& handle);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_SYNC_REGISTRATION_H_

// Bits of SyncHandle::flags, set by the recorder (never cleared while the object lives).
#ifndef LOCKGRAPH_RUNTIME_RECORDER_HANDLE_FLAGS_H_
#define LOCKGRAPH_RUNTIME_RECORDER_HANDLE_FLAGS_H_

#include <cstdint>

namespace lockgraph::runtime {

enum HandleFlags : uint8_t {
  kHandleInTrace = 1,  // has an InstanceRecord in this process's trace
  kHandleInGraph = 2,  // is a node of the online checker's lock graph
  kHandleSignal = 4,   // a semaphore released by a thread that had not taken it
  // Set at registration: an unnamed wrapper lock in static storage (a global, or a member of
  // one), which reports name by its variable (the handle's own address says which).
  kHandleStatic = 8,
};

// The bits that say the object was recorded somewhere (trace, graph, signal): one without
// them has nothing to end when it is destroyed.
inline constexpr uint8_t kHandleRecorded = kHandleInTrace | kHandleInGraph | kHandleSignal;

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_HANDLE_FLAGS_H_

// Bits of SyncHandle::flags, set by the recorder (never cleared while the object lives).
#ifndef LOCKGRAPH_RUNTIME_RECORDER_HANDLE_FLAGS_H_
#define LOCKGRAPH_RUNTIME_RECORDER_HANDLE_FLAGS_H_

#include <cstdint>

namespace lockgraph::runtime {

enum HandleFlags : uint8_t {
  kHandleInTrace = 1,  // has an InstanceRecord in this process's trace
  kHandleInGraph = 2,  // is a node of the online checker's lock graph
  kHandleSignal = 4,   // a semaphore released by a thread that had not taken it
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_HANDLE_FLAGS_H_

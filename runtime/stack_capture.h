// Captures the calling thread's stack with LLVM's libunwind. Cold path only: new
// dependencies, long waits, misuse. Cost: a few microseconds for 32 frames.
//
//   uintptr_t pcs[64];
//   int n = CaptureStack(pcs, 32);  // pcs[0] is CaptureStack's caller's return address
#ifndef LOCKGRAPH_RUNTIME_STACK_CAPTURE_H_
#define LOCKGRAPH_RUNTIME_STACK_CAPTURE_H_

#include <cstdint>

namespace lockgraph::runtime {

inline constexpr int kMaxStackDepth = 64;

// Writes up to `max_frames` return addresses, innermost first, starting with the return
// address into CaptureStack's caller. Returns the number written.
int CaptureStack(uintptr_t* pcs, int max_frames);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_STACK_CAPTURE_H_

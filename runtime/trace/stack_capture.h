// Captures the calling thread's stack with LLVM's libunwind. Cold path only: new
// dependencies, long waits, misuse. Cost: a few microseconds for 32 frames.
//
//   uintptr_t pcs[kMaxStackDepth + kInternalFrames];
//   int n = CaptureStack(pcs, 32, LOCKGRAPH_CALLER_PC());  // pcs[0]: the user's call
#ifndef LOCKGRAPH_RUNTIME_TRACE_STACK_CAPTURE_H_
#define LOCKGRAPH_RUNTIME_TRACE_STACK_CAPTURE_H_

#include <cstdint>

namespace lockgraph::runtime {

inline constexpr int kMaxStackDepth = 64;

// Writes up to `max_frames` return addresses, innermost first, starting with the return
// address into CaptureStack's caller, or — if `from_pc` (a return address into the user's
// code, where it called lockgraph) is among the first frames — with `from_pc`, so the
// recorder's own frames are left out. Returns the number written. A thread that runs a
// hosted language's code (lockgraph/internal/foreign_frames.h) gets that language's frames.
// `pcs` must hold kMaxStackDepth + kInternalFrames entries.
inline constexpr int kInternalFrames = 8;
int CaptureStack(uintptr_t* pcs, int max_frames, uintptr_t from_pc = 0);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_TRACE_STACK_CAPTURE_H_

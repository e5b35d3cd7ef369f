#include "runtime/trace/stack_capture.h"

#include <libunwind.h>

#include <algorithm>

#include "absl/base/attributes.h"
#include "lockgraph/internal/foreign_frames.h"

namespace lockgraph::runtime {

ABSL_ATTRIBUTE_NOINLINE int CaptureStack(uintptr_t* pcs, int max_frames, uintptr_t from_pc) {
  // A thread running a hosted language's code (Python) is named by that code's frames: the
  // interpreter's own C frames say nothing about the program.
  if (const internal::ForeignRuntime* foreign = internal::InstalledForeignRuntime();
      foreign != nullptr && foreign->capture != nullptr) {
    if (const int n = foreign->capture(pcs, max_frames); n > 0) return n;
  }
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
  // Frames before `skip` are lockgraph's own; -1 while from_pc has not been seen. Each step
  // costs a few hundred ns, so the walk stops as soon as max_frames user frames are in.
  int skip = from_pc != 0 ? -1 : 0;
  int n = 0;
  // The cursor starts in this function; each step moves to a caller, whose IP is the return
  // address into it.
  while (unw_step(&cursor) > 0) {
    unw_word_t ip;
    if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
    pcs[n++] = static_cast<uintptr_t>(ip);
    if (skip < 0 && pcs[n - 1] == from_pc) skip = n - 1;
    if (skip < 0 && n == kInternalFrames) skip = 0;  // not found: keep every frame
    if (skip >= 0 && n - skip >= max_frames) break;
  }
  if (skip < 0) skip = 0;
  std::copy(pcs + skip, pcs + n, pcs);
  return std::min(n - skip, max_frames);
}

}  // namespace lockgraph::runtime

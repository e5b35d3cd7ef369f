#include "runtime/stack_capture.h"

#include <libunwind.h>

#include <algorithm>

#include "absl/base/attributes.h"

namespace lockgraph::runtime {

ABSL_ATTRIBUTE_NOINLINE int CaptureStack(uintptr_t* pcs, int max_frames, uintptr_t from_pc) {
  const int limit = max_frames + (from_pc != 0 ? kInternalFrames : 0);
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
  int n = 0;
  // The cursor starts in this function; each step moves to a caller, whose IP is the return
  // address into it.
  while (n < limit && unw_step(&cursor) > 0) {
    unw_word_t ip;
    if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
    pcs[n++] = static_cast<uintptr_t>(ip);
  }
  int skip = 0;
  if (from_pc != 0) {
    while (skip < std::min(n, kInternalFrames) && pcs[skip] != from_pc) ++skip;
    if (skip == std::min(n, kInternalFrames)) skip = 0;  // not found: keep every frame
  }
  std::copy(pcs + skip, pcs + n, pcs);
  return std::min(n - skip, max_frames);
}

}  // namespace lockgraph::runtime

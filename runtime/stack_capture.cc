#include "runtime/stack_capture.h"

#include <libunwind.h>

#include "absl/base/attributes.h"

namespace lockgraph::runtime {

ABSL_ATTRIBUTE_NOINLINE int CaptureStack(uintptr_t* pcs, int max_frames) {
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
  int n = 0;
  // The cursor starts in this function; each step moves to a caller, whose IP is the return
  // address into it.
  while (n < max_frames && unw_step(&cursor) > 0) {
    unw_word_t ip;
    if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
    pcs[n++] = static_cast<uintptr_t>(ip);
  }
  return n;
}

}  // namespace lockgraph::runtime

// The recorder entry points of template primitives (lockgraph/internal/hooks.h).
#include "lockgraph/internal/hooks.h"

#include "runtime/recorder.h"
#include "runtime/runtime.h"

namespace lockgraph::internal {

void RecordWait(const SyncHandle& handle, int64_t wait_ns, bool timed_out) {
  runtime::RecordContention(runtime::CurrentThread(), handle, wait_ns, /*holder_tid=*/0,
                            /*holder_pc=*/0, timed_out, LOCKGRAPH_CALLER_PC());
}

// Deps mode counts hand-offs (a queue class's "acquisitions" are the items taken) but keeps
// no record of each: ordering each put before its get is full mode's work (not recorded by
// this version, see options.h).
void RecordQueuePut(const SyncHandle&, uint64_t) {}

void RecordQueueGet(const SyncHandle& handle, uint64_t) {
  runtime::Runtime::Get().registry().Class(handle.class_id).acquisitions.fetch_add(
      1, std::memory_order_relaxed);
}

void ReportMisuse(const SyncHandle& handle, uint8_t kind, const char* detail) {
  runtime::ReportMisuse(runtime::CurrentThread(), &handle,
                        static_cast<format::MisuseKind>(kind), 0,
                        std::string("misuses {lock}: ") + detail);
}

}  // namespace lockgraph::internal

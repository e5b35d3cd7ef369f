// The recorder entry points of template primitives (lockgraph/internal/template_hooks.h).
#include "lockgraph/internal/template_hooks.h"

#include "runtime/recorder/process_recorder.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::internal {

void RecordWait(const SyncHandle& handle, int64_t wait_ns, bool timed_out) {
  runtime::RecordContention(runtime::CurrentThread(), handle, wait_ns, /*holder_tid=*/0,
                            /*holder_pc=*/0, timed_out, LOCKGRAPH_CALLER_PC());
}

// Deps mode counts hand-offs (a queue class's "acquisitions" are the items taken); full mode
// also logs each, so the analyzer orders a put before the get that took its item.
void RecordQueuePut(const SyncHandle& handle, uint64_t sequence) {
  runtime::ThreadState* ts = runtime::CurrentThread();
  runtime::LogSignal(ts, format::EventOp::kSend, handle, sequence);
}

void RecordQueueGet(const SyncHandle& handle, uint64_t sequence) {
  runtime::ProcessRecorder::Get().registry().Class(handle.class_id).acquisitions.fetch_add(
      1, std::memory_order_relaxed);
  runtime::ThreadState* ts = runtime::CurrentThread();
  runtime::LogSignal(ts, format::EventOp::kReceive, handle, sequence);
}

void RecordSharedAccess(const SyncHandle& handle, bool write) {
  runtime::ThreadState* ts = runtime::CurrentThread();
  if (ts == nullptr || ts->events == nullptr) return;
  runtime::LogSyncEvent(ts, write ? format::EventOp::kWrite : format::EventOp::kRead, handle,
                        {.site = runtime::AccessSite(ts, LOCKGRAPH_CALLER_PC())});
}

void RecordRawAccess(const volatile void* address, uint64_t size, bool write) {
  runtime::ThreadState* ts = runtime::CurrentThread();
  if (ts == nullptr || ts->events == nullptr) return;
  runtime::LogEvent(ts, write ? format::EventOp::kWriteRaw : format::EventOp::kReadRaw,
                    {.object = reinterpret_cast<uintptr_t>(address), .size = size,
                     .site = runtime::AccessSite(ts, LOCKGRAPH_CALLER_PC())});
}

void ReportMisuse(const SyncHandle& handle, uint8_t kind, const char* detail) {
  runtime::ReportMisuse(runtime::CurrentThread(), &handle,
                        static_cast<format::MisuseKind>(kind), 0,
                        std::string("misuses {lock}: ") + detail);
}

}  // namespace lockgraph::internal

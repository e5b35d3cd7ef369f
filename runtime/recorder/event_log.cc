#include "runtime/recorder/event_log.h"

#include "absl/strings/string_view.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/recorder/recorder.h"
#include "runtime/trace/stack_capture.h"
#include "runtime/trace/trace_writer.h"

namespace lockgraph::runtime {
namespace {

void WriteBlock(ProcessRecorder& rt, ThreadState* ts) {
  EventLog* log = ts->events.get();
  if (ts->event_generation != rt.trace_generation()) {
    // Logged for a trace file that has since been closed (lockgraph::Configure switched it):
    // the objects they name are not defined in the new file.
    rt.dropped_events.fetch_add(log->count, std::memory_order_relaxed);
  } else if (log->count != 0) {
    // Encoded straight from the buffer into the writer's: copied into a record, a block cost
    // three 64 KiB allocations and their page faults, a fifth of full mode's time.
    const TscClock clock = rt.tsc_clock();
    const absl::string_view events(reinterpret_cast<const char*>(log->data),
                                   static_cast<size_t>(log->cur - log->data));
    rt.writer().Write(
        [&](TraceWriter::Scope& out) {
          out.AddEventBlock(ts->tid, log->segment, clock.ToNs(log->start_tsc), clock.tick_ps(),
                            log->count, events);
        },
        /*flush=*/false);
  }
  if (ts->event_generation != rt.trace_generation()) log->sites.clear();
  ts->event_generation = rt.trace_generation();
  log->cur = log->data;
  log->count = 0;
  log->start_tsc = log->last_tsc;
  log->segment = ts->segment;
}

}  // namespace

void FlushEvents(ThreadState* ts) {
  ColdPath cold;
  WriteBlock(cold.recorder(), ts);
}

void FlushEventsLocked(ThreadState* ts) { WriteBlock(ProcessRecorder::Get(), ts); }

void DefineForEvents(ThreadState* ts, const internal::SyncHandle& sync) {
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  if (ts->event_generation != rt.trace_generation()) WriteBlock(rt, ts);  // a new trace file
  rt.writer().Write([&](TraceWriter::Scope& out) { out.Instance(sync); }, /*flush=*/false);
  const_cast<internal::SyncHandle&>(sync).event_generation.store(ts->event_generation,
                                                                 std::memory_order_relaxed);
}

uint64_t AccessSite(ThreadState* ts, uintptr_t pc) {
  EventLog* log = ts->events.get();
  if (auto it = log->sites.find(pc); it != log->sites.end()) return it->second;
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  if (ts->event_generation != rt.trace_generation()) WriteBlock(rt, ts);  // a new trace file
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth(), pc);
  uint64_t id = 0;
  rt.writer().Write(
      [&](TraceWriter::Scope& out) { id = out.Stack({pcs, static_cast<size_t>(depth)}); },
      /*flush=*/false);
  log->sites.emplace(pc, id);
  return id;
}

ABSL_ATTRIBUTE_NOINLINE void LogAcquireOutOfLine(ThreadState* ts,
                                                 const internal::SyncHandle& sync,
                                                 uint8_t flags) {
  LogAcquire(ts, sync, flags);
}

ABSL_ATTRIBUTE_NOINLINE void LogReleaseOutOfLine(ThreadState* ts,
                                                 const internal::SyncHandle& sync) {
  LogRelease(ts, sync);
}

void LogSignalEvent(ThreadState* ts, format::EventOp op, const internal::SyncHandle& sync,
                    uint64_t seq) {
  LogSyncEvent(ts, op, sync, {.seq = seq});
  // Everything after this event is a new segment: ordered after the sender's past (receive),
  // or what the receiver may be ordered after (send). Dependencies are recorded again in it.
  NextSegment(ts);
}

}  // namespace lockgraph::runtime

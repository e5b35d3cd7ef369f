#include "analyzer/report/trace_dump.h"

#include <type_traits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/events.h"

namespace lockgraph::analyzer {
namespace {

class Dumper {
 public:
  Dumper(const Trace& trace, StackSymbolizer* symbolizer)
      : trace_(trace), symbolizer_(symbolizer) {}

  std::string Run() {
    if (symbolizer_ != nullptr) {
      std::vector<StackRef> all;
      for (const auto& [id, stack] : trace_.stacks) all.push_back({0, id});
      symbolizer_->Prefetch(all);
    }
    absl::StrAppend(&out_, "# lockgraph trace ", trace_.path, ": version ", trace_.version, ", ",
                    trace_.records.size(), " records\n");
    for (const std::string& warning : trace_.warnings) {
      absl::StrAppend(&out_, "# warning: ", warning, "\n");
    }
    for (const TraceRecord& r : trace_.records) {
      absl::StrAppend(&out_, "@", r.offset, " ",
                      format::RecordTypeName(format::TypeOf(r.record)), " ");
      pending_stacks_.clear();
      std::visit([&](const auto& record) { Line(record); }, r.record);
      out_.push_back('\n');
      for (uint64_t stack : pending_stacks_) AppendFrames(stack);
    }
    return std::move(out_);
  }

 private:
  std::string Quote(uint64_t sid) const {
    return absl::StrCat("\"", absl::CHexEscape(trace_.String(sid)), "\"");
  }
  std::string Time(uint64_t ns) const { return absl::FormatDuration(absl::Nanoseconds(ns)); }
  std::string Lock(uint64_t instance) const {
    auto it = trace_.instances.find(instance);
    if (it == trace_.instances.end()) return absl::StrCat("#", instance);
    auto cls = trace_.classes.find(it->second.class_id);
    const std::string name = cls != trace_.classes.end() ? Quote(cls->second.name_sid) : "?";
    return absl::StrCat("#", instance, " ", name);
  }
  std::string Stack(uint64_t id) {
    if (id == 0) return "none";
    pending_stacks_.push_back(id);
    return absl::StrCat("#", id);
  }
  static std::string Flags(uint8_t flags) {
    std::vector<std::string> words;
    if (flags & format::kAcquireTry) words.push_back("try");
    if (flags & format::kAcquireTimed) words.push_back("timed");
    if (flags & format::kAcquireShared) words.push_back("shared");
    return words.empty() ? "blocking" : absl::StrJoin(words, "+");
  }

  void AppendFrames(uint64_t stack) {
    if (symbolizer_ == nullptr) return;
    absl::StrAppend(&out_, "    stack #", stack, ":\n");
    for (const SourceFrame& frame : symbolizer_->Frames({0, stack})) {
      absl::StrAppend(&out_, "      ", FormatFrame(frame), "\n");
    }
  }

  void Line(const format::ProcessRecord& r) {
    absl::StrAppend(&out_, "pid=", r.pid, " ppid=", r.ppid);
    if (r.parent_tid != 0) absl::StrAppend(&out_, " forked-by=", r.parent_tid, "@", r.parent_segment);
    absl::StrAppend(&out_, " mode=", format::TraceModeName(r.mode),
                    " start=", absl::FormatTime(absl::FromUnixNanos(r.realtime_ns), absl::UTCTimeZone()),
                    " exe=", Quote(r.exe_sid), " options=", Quote(r.options_sid),
                    " version=", Quote(r.version_sid));
  }
  void Line(const format::StringRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " \"", absl::CHexEscape(r.text), "\"");
  }
  void Line(const format::ModuleRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " ", Quote(r.path_sid),
                    absl::StrFormat(" load_bias=0x%x", r.load_bias),
                    " build_id=", r.build_id.empty() ? "none" : absl::BytesToHexString(r.build_id));
  }
  void Line(const format::StackRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " [");
    for (size_t i = 0; i < r.frames.size(); ++i) {
      if (i > 0) out_.push_back(' ');
      absl::StrAppend(&out_, absl::StrFormat("#%d+0x%x", r.frames[i].module, r.frames[i].offset));
    }
    out_.push_back(']');
  }
  void Line(const format::ClassRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " ", Quote(r.name_sid), " kind=", format::SyncKindName(r.kind),
                    " site=", trace_.String(r.file_sid), ":", r.line,
                    " function=", Quote(r.function_sid));
    if (r.site_stack_id != 0) absl::StrAppend(&out_, " site-stack=#", r.site_stack_id);
    switch (static_cast<format::ClassOrigin>(r.origin)) {
      case format::ClassOrigin::kSite:
        break;
      case format::ClassOrigin::kStatic:
        absl::StrAppendFormat(&out_, " static-object=#%d+0x%x", r.object_module, r.object_offset);
        break;
      case format::ClassOrigin::kHeap:
        absl::StrAppend(&out_, " heap-offset=", r.object_offset);
        break;
    }
    if (r.first_use_stack_id != 0) absl::StrAppend(&out_, " first-use=#", r.first_use_stack_id);
  }
  void Line(const format::InstanceRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " class=#", r.class_id, " kind=", format::SyncKindName(r.kind),
                    " site=", trace_.String(r.file_sid), ":", r.line);
    if (r.site_stack_id != 0) absl::StrAppend(&out_, " site-stack=#", r.site_stack_id);
    if (r.name_sid != 0) absl::StrAppend(&out_, " name=", Quote(r.name_sid));
    if (r.global_name_sid != 0) {
      absl::StrAppend(&out_, " global-name=", Quote(r.global_name_sid));
    }
    if (r.kind == format::SyncKind::kSemaphore || r.kind == format::SyncKind::kBoundedSemaphore) {
      absl::StrAppend(&out_, " initial=", r.initial_value);
    }
  }
  void Line(const format::InstanceEndRecord& r) {
    absl::StrAppend(&out_, Lock(r.id), " t=", Time(r.time_ns));
  }
  void Line(const format::ThreadStartRecord& r) {
    absl::StrAppend(&out_, "tid=", r.tid, " ", Quote(r.name_sid), " parent=");
    if (r.parent_tid == 0) {
      out_ += "unknown";
    } else {
      absl::StrAppend(&out_, r.parent_tid, "@", r.parent_segment);
    }
    absl::StrAppend(&out_, " os_tid=", r.os_tid, " t=", Time(r.time_ns));
  }
  void Line(const format::ThreadEndRecord& r) {
    absl::StrAppend(&out_, "tid=", r.tid, " segment=", r.segment, " t=", Time(r.time_ns));
  }
  void Line(const format::ThreadJoinRecord& r) {
    absl::StrAppend(&out_, "tid=", r.joiner, "@", r.joiner_segment, " joined=", r.joined,
                    " t=", Time(r.time_ns));
  }
  void Line(const format::ProcessJoinRecord& r) {
    absl::StrAppend(&out_, "tid=", r.joiner, "@", r.joiner_segment, " joined-pid=", r.child_pid,
                    " t=", Time(r.time_ns));
  }
  void Line(const format::DependencyRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " tid=", r.tid, "@", r.segment, " held=[");
    for (size_t i = 0; i < r.held.size(); ++i) {
      if (i > 0) out_ += ", ";
      absl::StrAppend(&out_, Lock(r.held[i].instance));
      if (r.held[i].flags != 0) absl::StrAppend(&out_, " ", Flags(r.held[i].flags));
      absl::StrAppend(&out_, " at=", Stack(r.held[i].stack_id));
    }
    absl::StrAppend(&out_, "] acquires ", Lock(r.acquired), " ", Flags(r.flags),
                    " stack=", Stack(r.stack_id), " t=", Time(r.time_ns));
  }
  void Line(const format::DependencyCountRecord& r) {
    absl::StrAppend(&out_, "#", r.id, " +", r.count);
  }
  void Line(const format::LongWaitRecord& r) {
    absl::StrAppend(&out_, "tid=", r.tid, "@", r.segment, " lock=", Lock(r.instance),
                    " waited=", Time(r.wait_ns), " holder=", r.holder_tid,
                    " waiter-stack=", Stack(r.waiter_stack), " holder-stack=", Stack(r.holder_stack),
                    (r.flags & format::kWaitTimedOut) ? " timed-out" : "", " t=", Time(r.time_ns));
  }
  void Line(const format::MisuseRecord& r) {
    absl::StrAppend(&out_, format::MisuseKindName(r.kind), " tid=", r.tid,
                    " lock=", r.instance != 0 ? Lock(r.instance) : "none", " other=", r.other_tid,
                    " stack=", Stack(r.stack_id), " t=", Time(r.time_ns), ": ",
                    trace_.String(r.detail_sid));
  }
  void Line(const format::DeadlockRecord& r) {
    absl::StrAppend(&out_, r.threads.size(), " threads t=", Time(r.time_ns), ":");
    for (const format::DeadlockThread& t : r.threads) {
      absl::StrAppend(&out_, " [tid=", t.tid, "@", t.segment, " holds ", Lock(t.held),
                      " held-stack=", Stack(t.held_stack), " waits for ", Lock(t.waits_for),
                      (t.flags & format::kAcquireShared) ? " shared" : "",
                      " wait-stack=", Stack(t.wait_stack), "]");
    }
  }
  void Line(const format::ClassStatsRecord& r) {
    auto cls = trace_.classes.find(r.class_id);
    absl::StrAppend(&out_, "#", r.class_id, " ",
                    cls != trace_.classes.end() ? Quote(cls->second.name_sid) : "?",
                    " acquisitions=", r.acquisitions, " contended=", r.contended,
                    " wait-total=", Time(r.wait_total_ns), " wait-max=", Time(r.wait_max_ns),
                    " hold-samples=", r.hold_samples, " hold-total=", Time(r.hold_total_ns),
                    " hold-max=", Time(r.hold_max_ns), " histogram=[");
    for (size_t i = 0; i < r.wait_histogram.size(); ++i) {
      if (i > 0) out_.push_back(' ');
      absl::StrAppend(&out_, r.wait_histogram[i].first, ":", r.wait_histogram[i].second);
    }
    out_.push_back(']');
  }
  void Line(const format::SignalReleaseRecord& r) {
    absl::StrAppend(&out_, "lock=", Lock(r.instance), " tid=", r.tid, " t=", Time(r.time_ns));
  }
  // One line for the block, then one indented line per event.
  void Line(const format::EventBlockRecord& r) {
    absl::StrAppend(&out_, "tid=", r.tid, " segment=", r.segment, " start=", Time(r.start_ns),
                    " tick=", r.tick_ps, "ps events=", r.count);
    format::EventDecoder events(r.events);
    format::Event e;
    while (events.Next(e)) {
      const format::EventOperands& o = e.operands;
      absl::StrAppend(&out_, "\n    +", Time(e.time * r.tick_ps / 1000), " ",
                      format::EventOpName(e.op));
      switch (e.op) {
        case format::EventOp::kAcquire:
        case format::EventOp::kAcquireFlags:
        case format::EventOp::kSend:
        case format::EventOp::kReceive:
          absl::StrAppend(&out_, " ", Lock(o.object), " seq=", o.seq);
          if (o.flags != 0) absl::StrAppend(&out_, " flags=", o.flags);
          break;
        case format::EventOp::kRead:
        case format::EventOp::kWrite:
          absl::StrAppend(&out_, " ", Lock(o.object), " site=", o.site);
          break;
        case format::EventOp::kReadRaw:
        case format::EventOp::kWriteRaw:
          absl::StrAppend(&out_, " address=0x", absl::Hex(o.object), " size=", o.size,
                          " site=", o.site);
          break;
        case format::EventOp::kSpawn:
          break;
        case format::EventOp::kJoin:
          absl::StrAppend(&out_, " tid=", o.object);
          break;
        case format::EventOp::kJoinProcess:
          absl::StrAppend(&out_, " pid=", o.object);
          break;
        case format::EventOp::kWait:
          absl::StrAppend(&out_, " ", Lock(o.object), " waited=", Time(o.size));
          break;
        default:
          absl::StrAppend(&out_, " ", Lock(o.object));
          break;
      }
    }
    if (!events.ok()) absl::StrAppend(&out_, "\n    (", events.error(), ")");
  }
  void Line(const format::RuntimeStatsRecord& r) {
    for (size_t i = 0; i < r.counters.size(); ++i) {
      if (i > 0) out_.push_back(' ');
      absl::StrAppend(&out_, trace_.String(r.counters[i].first), "=", r.counters[i].second);
    }
  }

  const Trace& trace_;
  StackSymbolizer* symbolizer_;
  std::string out_;
  std::vector<uint64_t> pending_stacks_;
};

}  // namespace

std::string DumpTrace(const Trace& trace, StackSymbolizer* symbolizer) {
  return Dumper(trace, symbolizer).Run();
}

}  // namespace lockgraph::analyzer

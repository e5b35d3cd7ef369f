#include "analyzer/report/chrome_trace.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "analyzer/input/trace_reader.h"
#include "common/events.h"
#include "common/source_frame.h"
#include "common/trace_format.h"
#include "nlohmann/json.hpp"

namespace lockgraph::analyzer {
namespace {

using format::EventOp;

// Synthetic pids and tids start above Linux's largest (pid_max is at most 2^22), so they never
// take the number of a real process or thread of the traces.
constexpr uint32_t kFirstSyntheticId = 1u << 22;

// One acquisition of a lock, or one signal of an object: ids are per process.
struct ObjectSeq {
  uint64_t object = 0;
  uint64_t seq = 0;
  bool operator==(const ObjectSeq&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const ObjectSeq& k) {
    return H::combine(std::move(h), k.object, k.seq);
  }
};

// Calls f(event, time) for each event of a block, `time` in nanoseconds since the process
// started. The reader has checked that the events decode.
template <typename F>
void ForEachEvent(const format::EventBlockRecord& block, F&& f) {
  format::EventDecoder decoder(block.events);
  format::Event e;
  while (decoder.Next(e)) {
    const unsigned __int128 ps = static_cast<unsigned __int128>(e.time) * block.tick_ps;
    f(e, block.start_ns + static_cast<uint64_t>(ps / 1000));
  }
}

// Second pass: a hold still open on its thread.
struct OpenHold {
  uint64_t object = 0;
  uint64_t seq = 0;
  uint8_t flags = 0;
  uint64_t begin = 0;
  bool continued = false;  // the rest of a hold cut by the release of a lock taken before it
};

struct PendingWait {
  uint64_t object = 0;
  uint64_t ns = 0;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct Track {
  // The time of an event of the thread: never earlier than, nor equal to, the one before.
  uint64_t Stamp(uint64_t t) {
    if (stamped && t <= last) t = last + 1;
    last = t;
    stamped = true;
    return t;
  }

  uint64_t last = 0;
  bool stamped = false;
  std::vector<OpenHold> holds;        // in acquisition order: each nests in the one before
  std::optional<PendingWait> wait;    // written at the next event, which may be its timeout
  uint32_t segment = 0;
};

struct ObjectInfo {
  std::string name;  // the class key: explicit name, or file:line
  std::string kind;  // SyncKind name
};

struct ThreadInfo {
  std::string name;
  uint64_t os_tid = 0;
  uint32_t chrome_tid = 0;
  uint64_t waiting_on = 0;  // first pass: the object of the wait just logged
  Track track;              // second pass
};

struct Process {
  format::ProcessRecord record;
  std::string name;
  uint32_t chrome_pid = 0;
  uint64_t time_offset = 0;  // its start, from the earliest process start
  std::map<uint32_t, ThreadInfo> threads;  // by lockgraph tid
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, uint32_t> spawned;  // (parent, segment)

  // First pass: hand-offs. An acquisition waits in `lock_sources` for the next one of its
  // lock; one that comes before its predecessor waits in `lock_early` (value: contended).
  absl::flat_hash_set<ObjectSeq> lock_sources;
  absl::flat_hash_map<ObjectSeq, bool> lock_early;
  absl::flat_hash_map<uint64_t, std::vector<uint64_t>> sends;  // object -> seqs
  std::vector<ObjectSeq> receives;                             // in file order

  // The arrows: a contended acquisition (whose predecessor is in the traces) -> id; a send ->
  // the ids of the receives it satisfies; the n-th receive -> id (0: none).
  absl::flat_hash_map<ObjectSeq, uint64_t> lock_arrows;
  absl::flat_hash_map<ObjectSeq, std::vector<uint64_t>> send_arrows;
  std::vector<uint64_t> receive_arrows;
  uint64_t next_receive = 0;  // second pass: the index of the next receive
  absl::flat_hash_map<uint64_t, ObjectInfo> objects;  // second pass: the objects named so far
};

// `text` as a JSON string literal; invalid UTF-8 becomes U+FFFD.
std::string JsonQuote(absl::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (plain) return absl::StrCat("\"", text, "\"");
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Nanoseconds as the format's microseconds, exactly.
std::string Micros(uint64_t ns) { return absl::StrFormat("%d.%03d", ns / 1000, ns % 1000); }

std::string FlagWords(uint8_t flags) {
  std::string words;
  for (auto [bit, word] : {std::pair{format::kAcquireShared, "shared"},
                           std::pair{format::kAcquireTry, "try"},
                           std::pair{format::kAcquireTimed, "timed"}}) {
    if ((flags & bit) != 0) absl::StrAppend(&words, words.empty() ? "" : "+", word);
  }
  return words;
}

// The JSON array of events, one per line.
class EventWriter {
 public:
  explicit EventWriter(std::ostream& out) : out_(out) { out_ << "{\"traceEvents\":[\n"; }
  void Finish() { out_ << "\n],\n\"displayTimeUnit\":\"ns\"}\n"; }

  // `members` follow "name": one object.
  void Add(absl::string_view name, absl::string_view members) {
    out_ << (first_ ? "" : ",\n") << "{\"name\":" << name << "," << members << "}";
    first_ = false;
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

// The ids a thread's events carry.
struct TrackIds {
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string Members() const { return absl::StrCat("\"pid\":", pid, ",\"tid\":", tid); }
};

// Every process of the traces, and the arrow ids handed out so far.
struct ProcessTable {
  // The process of (pid, start): a forked child has its own pid, a trace restarted by
  // lockgraph::Configure the same pid and start, a reused pid another start.
  Process& ProcessFor(const format::ProcessRecord& r) {
    auto [it, inserted] =
        by_key.try_emplace(std::tuple{r.pid, r.realtime_ns, r.monotonic_ns}, nullptr);
    if (inserted) {
      processes.push_back(std::make_unique<Process>());
      it->second = processes.back().get();
      it->second->record = r;
    }
    return *it->second;
  }

  std::vector<std::unique_ptr<Process>> processes;  // in order of first appearance
  absl::flat_hash_map<std::tuple<uint64_t, uint64_t, uint64_t>, Process*> by_key;
  uint64_t next_arrow = 1;
};

// The first pass over one file: threads, names, and both ends of every arrow.
class Scanner {
 public:
  explicit Scanner(ProcessTable& table) : table_(table) {}

  void operator()(const Trace& trace, const TraceRecord& r) {
    std::visit([&](const auto& record) { Scan(trace, record); }, r.record);
  }
  bool saw_events() const { return saw_events_; }

 private:
  template <typename R>
  void Scan(const Trace&, const R&) {}

  void Scan(const Trace& trace, const format::ProcessRecord& r) {
    process_ = &table_.ProcessFor(r);
    if (process_->name.empty() && r.exe_sid != 0) {
      process_->name = Basename(trace.String(r.exe_sid));
    }
  }
  void Scan(const Trace& trace, const format::ThreadStartRecord& r) {
    if (process_ == nullptr) return;
    ThreadInfo& thread = process_->threads[r.tid];
    if (r.name_sid != 0) thread.name = trace.String(r.name_sid);
    if (r.os_tid != 0) thread.os_tid = r.os_tid;
    if (r.parent_tid != 0) process_->spawned[{r.parent_tid, r.parent_segment}] = r.tid;
  }
  void Scan(const Trace&, const format::EventBlockRecord& r) {
    if (process_ == nullptr) return;
    saw_events_ = true;
    ThreadInfo& thread = process_->threads[r.tid];
    ForEachEvent(r, [&](const format::Event& e, uint64_t) {
      const format::EventOperands& o = e.operands;
      switch (e.op) {
        case EventOp::kWait:
          thread.waiting_on = o.object;
          return;
        case EventOp::kAcquire:
        case EventOp::kAcquireFlags:
          NoteAcquisition(o.object, o.seq, thread.waiting_on == o.object);
          break;
        case EventOp::kSend:
          process_->sends[o.object].push_back(o.seq);
          break;
        case EventOp::kReceive:
          process_->receives.push_back({o.object, o.seq});
          break;
        default:
          break;
      }
      thread.waiting_on = 0;
    });
  }

  // Acquisition `seq` of `object` happened; `contended`: it waited. An arrow goes from
  // acquisition seq - 1 (to its release) to a contended acquisition seq, when both are seen.
  void NoteAcquisition(uint64_t object, uint64_t seq, bool contended) {
    Process& p = *process_;
    if (seq > 1) {
      if (p.lock_sources.erase({object, seq - 1}) != 0) {
        if (contended) p.lock_arrows[{object, seq}] = table_.next_arrow++;
      } else {
        p.lock_early[{object, seq}] = contended;  // its predecessor comes later, or never
      }
    }
    if (auto next = p.lock_early.find({object, seq + 1}); next != p.lock_early.end()) {
      if (next->second) p.lock_arrows[{object, seq + 1}] = table_.next_arrow++;
      p.lock_early.erase(next);
    } else {
      p.lock_sources.insert({object, seq});
    }
  }

  ProcessTable& table_;
  Process* process_ = nullptr;
  bool saw_events_ = false;
};

// After the first pass: a receive of signal `a` is ended by the first send `s >= a` of its
// object (docs/trace-format.md 6.18). A send may end several receives (Event::set wakes all).
void PairSignals(Process& p, uint64_t& next_arrow) {
  for (auto& [object, seqs] : p.sends) {
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  }
  p.receive_arrows.assign(p.receives.size(), 0);
  for (size_t i = 0; i < p.receives.size(); ++i) {
    const ObjectSeq& r = p.receives[i];
    auto sends = p.sends.find(r.object);
    if (sends == p.sends.end()) continue;
    auto send = std::lower_bound(sends->second.begin(), sends->second.end(), r.seq);
    if (send == sends->second.end()) continue;
    p.receive_arrows[i] = next_arrow;
    p.send_arrows[{r.object, *send}].push_back(next_arrow++);
  }
  // Only the arrows are needed from here on.
  p.sends = {};
  p.receives = {};
  p.lock_sources = {};
  p.lock_early = {};
}

// The second pass: the events of every thread, as slices, instants and arrow ends.
class Emitter {
 public:
  Emitter(ProcessTable& table, EventWriter& out, ChromeTraceCounts& counts)
      : table_(table), out_(out), counts_(counts) {}

  void operator()(const Trace& trace, const TraceRecord& r) {
    if (const auto* p = std::get_if<format::ProcessRecord>(&r.record)) {
      process_ = &table_.ProcessFor(*p);
    } else if (const auto* block = std::get_if<format::EventBlockRecord>(&r.record)) {
      if (process_ != nullptr) Block(trace, *block);
    }
  }

  // Ends what is still open on every thread: at the thread's last event.
  void FinishAll() {
    trace_ = nullptr;  // every object still open was named when it was opened
    for (const auto& process : table_.processes) {
      process_ = process.get();
      for (auto& [tid, thread] : process->threads) {
        Track& track = thread.track;
        const TrackIds ids{process->chrome_pid, thread.chrome_tid};
        if (track.wait) EmitWait(ids, *track.wait, false);
        track.wait.reset();
        while (!track.holds.empty()) {
          EmitHold(ids, track.holds.back(), track.Stamp(track.last), /*released=*/false);
          track.holds.pop_back();
        }
      }
    }
  }

 private:
  void Block(const Trace& trace, const format::EventBlockRecord& block) {
    trace_ = &trace;
    ThreadInfo& thread = process_->threads[block.tid];
    thread.track.segment = block.segment;
    const TrackIds ids{process_->chrome_pid, thread.chrome_tid};
    ForEachEvent(block, [&](const format::Event& e, uint64_t time) {
      OnEvent(ids, block.tid, thread.track, e, process_->time_offset + time);
    });
  }

  void OnEvent(const TrackIds& ids, uint32_t tid, Track& track, const format::Event& e,
               uint64_t time) {
    const format::EventOperands& o = e.operands;
    if (track.wait) {
      // A timeout right after a wait says how it ended.
      const bool timed_out = e.op == EventOp::kTimeout && track.wait->object == o.object;
      EmitWait(ids, *track.wait, timed_out);
      track.wait.reset();
      if (timed_out) return;
    }
    switch (e.op) {
      case EventOp::kWait: {
        Object(o.object);  // named now: the wait may still be open after the last file
        PendingWait wait{o.object, o.size};
        wait.begin = track.Stamp(time >= o.size ? time - o.size : 0);
        wait.end = track.Stamp(time);
        track.wait = wait;
        return;
      }
      case EventOp::kAcquire:
      case EventOp::kAcquireFlags:
        Acquire(ids, track, o, time);
        break;
      case EventOp::kRelease:
        Release(ids, track, o.object, time);
        break;
      case EventOp::kSend:
      case EventOp::kReceive:
        Signal(ids, track, e.op, o, time);
        break;
      case EventOp::kSpawn: {
        auto child = process_->spawned.find({tid, track.segment});
        const uint32_t child_tid = child != process_->spawned.end() ? child->second : 0;
        Instant(ids, track.Stamp(time), "thread",
                child_tid != 0 ? absl::StrCat("spawn ", ThreadName(child_tid)) : "spawn",
                child_tid != 0 ? absl::StrCat("\"thread\":", child_tid) : "");
        break;
      }
      case EventOp::kJoin: {
        const auto joined = static_cast<uint32_t>(o.object);
        Instant(ids, track.Stamp(time), "thread", absl::StrCat("join ", ThreadName(joined)),
                absl::StrCat("\"thread\":", joined));
        break;
      }
      default:  // timeouts without a wait, and accesses (not drawn)
        break;
    }
    if (format::OpensSegment(e.op)) ++track.segment;
  }

  void Acquire(const TrackIds& ids, Track& track, const format::EventOperands& o,
               uint64_t time) {
    Object(o.object);  // named now: the hold may still be open after the last file
    track.holds.push_back({o.object, o.seq, o.flags, track.Stamp(time), false});
    // Both ends of a hand-off bind to this hold: they sit just inside its start, where no
    // slice nested in it has begun yet.
    auto in = process_->lock_arrows.find({o.object, o.seq});
    auto out = process_->lock_arrows.find({o.object, o.seq + 1});
    if (in == process_->lock_arrows.end() && out == process_->lock_arrows.end()) return;
    const uint64_t at = track.Stamp(time);
    if (in != process_->lock_arrows.end()) {
      Arrow(ids, 'f', "lock", "hand-off", in->second, at);
      ++counts_.lock_arrows;
    }
    if (out != process_->lock_arrows.end()) Arrow(ids, 's', "lock", "hand-off", out->second, at);
  }

  // Releases the thread's last hold of `object`. Holds taken after it are cut there and go on
  // as new slices, so that slices stay nested.
  void Release(const TrackIds& ids, Track& track, uint64_t object, uint64_t time) {
    auto held = std::find_if(track.holds.rbegin(), track.holds.rend(),
                             [&](const OpenHold& h) { return h.object == object; });
    if (held == track.holds.rend()) return;  // taken before the trace, or by another thread
    const size_t index = static_cast<size_t>(track.holds.rend() - held) - 1;
    std::vector<OpenHold> cut(track.holds.begin() + index + 1, track.holds.end());
    for (size_t i = track.holds.size(); i-- > index;) {
      EmitHold(ids, track.holds[i], track.Stamp(time), /*released=*/true);
    }
    track.holds.resize(index);
    for (OpenHold& hold : cut) {
      hold.begin = track.Stamp(time);
      hold.continued = true;
      track.holds.push_back(hold);
    }
  }

  void Signal(const TrackIds& ids, Track& track, EventOp op, const format::EventOperands& o,
              uint64_t time) {
    const bool send = op == EventOp::kSend;
    const ObjectInfo& object = Object(o.object);
    Instant(ids, track.Stamp(time), "signal",
            absl::StrCat(send ? "send " : "receive ", object.name),
            absl::StrCat("\"object\":", JsonQuote(object.name), ",\"kind\":\"", object.kind,
                         "\",\"seq\":", o.seq));
    ++counts_.signals;
    // The arrow ends bind to the instant just written (a zero-length slice).
    if (send) {
      auto arrows = process_->send_arrows.find({o.object, o.seq});
      if (arrows == process_->send_arrows.end()) return;
      const uint64_t at = track.Stamp(time);
      for (uint64_t id : arrows->second) Arrow(ids, 's', "signal", "signal", id, at);
    } else {
      const uint64_t index = process_->next_receive++;
      if (index >= process_->receive_arrows.size() || process_->receive_arrows[index] == 0) return;
      Arrow(ids, 'f', "signal", "signal", process_->receive_arrows[index], track.Stamp(time));
      ++counts_.signal_arrows;
    }
  }

  void EmitHold(const TrackIds& ids, const OpenHold& hold, uint64_t end, bool released) {
    const std::string& name = Object(hold.object).name;
    std::string args = absl::StrCat("\"lock\":", JsonQuote(name), ",\"seq\":", hold.seq);
    if (hold.flags != 0) absl::StrAppend(&args, ",\"mode\":\"", FlagWords(hold.flags), "\"");
    if (hold.continued) absl::StrAppend(&args, ",\"continued\":true");
    if (!released) absl::StrAppend(&args, ",\"released\":false");
    Slice(ids, hold.begin, end, "lock", absl::StrCat("hold ", name), args);
    ++counts_.holds;
  }

  void EmitWait(const TrackIds& ids, const PendingWait& wait, bool timed_out) {
    const ObjectInfo& object = Object(wait.object);
    std::string args = absl::StrCat("\"object\":", JsonQuote(object.name), ",\"kind\":\"",
                                    object.kind, "\",\"waited_ns\":", wait.ns);
    if (timed_out) absl::StrAppend(&args, ",\"timed_out\":true");
    Slice(ids, wait.begin, wait.end, "wait", absl::StrCat("wait ", object.name), args);
    ++counts_.waits;
  }

  void Slice(const TrackIds& ids, uint64_t begin, uint64_t end, absl::string_view cat,
             absl::string_view name, absl::string_view args) {
    out_.Add(JsonQuote(name), absl::StrCat("\"cat\":\"", cat, "\",\"ph\":\"X\",\"ts\":", Micros(begin),
                                       ",\"dur\":", Micros(end - begin), ",", ids.Members(),
                                       ",\"args\":{", args, "}"));
  }
  void Instant(const TrackIds& ids, uint64_t at, absl::string_view cat, absl::string_view name,
               absl::string_view args) {
    out_.Add(JsonQuote(name), absl::StrCat("\"cat\":\"", cat, "\",\"ph\":\"i\",\"s\":\"t\",\"ts\":",
                                       Micros(at), ",", ids.Members(), ",\"args\":{", args, "}"));
  }
  // A flow event: 's' starts arrow `id`, 'f' ends it; both bind to the slice they are in.
  void Arrow(const TrackIds& ids, char phase, absl::string_view cat, absl::string_view name,
             uint64_t id, uint64_t at) {
    out_.Add(JsonQuote(name), absl::StrCat("\"cat\":\"", cat, "\",\"ph\":\"", std::string(1, phase),
                                       "\",", phase == 'f' ? "\"bp\":\"e\"," : "", "\"id\":", id,
                                       ",\"ts\":", Micros(at), ",", ids.Members()));
  }

  // A lock or signal object of the current process, named by the current file's definitions.
  const ObjectInfo& Object(uint64_t id) {
    auto [it, inserted] = process_->objects.try_emplace(id);
    if (!inserted) return it->second;
    ObjectInfo& info = it->second;
    const format::InstanceRecord* instance = nullptr;
    if (trace_ != nullptr) {
      auto found = trace_->instances.find(id);
      if (found != trace_->instances.end()) instance = &found->second;
    }
    if (instance == nullptr) {  // not defined: the reader refuses such traces
      info.name = absl::StrCat("#", id);
      info.kind = std::string(1, '?');
      return info;
    }
    info.kind = std::string(format::SyncKindName(instance->kind));
    auto cls = trace_->classes.find(instance->class_id);
    info.name = cls != trace_->classes.end() ? trace_->String(cls->second.name_sid)
                                             : absl::StrCat("#", id);
    return info;
  }
  std::string ThreadName(uint32_t tid) const {
    auto thread = process_->threads.find(tid);
    if (thread == process_->threads.end() || thread->second.name.empty()) {
      return absl::StrCat("thread ", tid);
    }
    return thread->second.name;
  }

  ProcessTable& table_;
  EventWriter& out_;
  ChromeTraceCounts& counts_;
  Process* process_ = nullptr;
  const Trace* trace_ = nullptr;
};

}  // namespace

struct ChromeTraceExporter::State {
  std::vector<std::string> files;
  ProcessTable table;
  bool failed = false;
  bool written = false;
};

ChromeTraceExporter::ChromeTraceExporter() : state_(std::make_unique<State>()) {}
ChromeTraceExporter::~ChromeTraceExporter() = default;

absl::Status ChromeTraceExporter::AddTraceFile(const std::string& path) {
  if (state_->written) return absl::FailedPreconditionError("the timeline is already written");
  Scanner scanner(state_->table);
  absl::StatusOr<Trace> trace =
      ReadTraceFile(path, [&](const Trace& t, const TraceRecord& r) { scanner(t, r); });
  if (!trace.ok()) {
    state_->failed = true;
    return trace.status();
  }
  state_->files.push_back(path);
  for (const std::string& warning : trace->warnings) warnings_.push_back(warning);
  if (!scanner.saw_events()) {
    warnings_.push_back(absl::StrCat(
        path,
        trace->process.mode == format::TraceMode::kDeps ? ": recorded in deps mode, without"
                                                        : ": no",
        " events: the timeline shows its threads only; record with "
        "LOCKGRAPH_OPTIONS=mode=full:trace=... to see holds, waits and hand-offs"));
  }
  return absl::OkStatus();
}

absl::Status ChromeTraceExporter::Write(std::ostream& out) {
  State& s = *state_;
  if (s.failed) return absl::FailedPreconditionError("a trace could not be read");
  if (s.written) return absl::FailedPreconditionError("the timeline is already written");
  s.written = true;

  // Ids: real pids and OS thread ids where they are unique, synthetic ones otherwise.
  uint64_t base = UINT64_MAX;
  for (const auto& p : s.table.processes) base = std::min(base, p->record.monotonic_ns);
  absl::flat_hash_set<uint64_t> pids, tids;
  uint32_t next_pid = kFirstSyntheticId, next_tid = kFirstSyntheticId;
  for (const auto& p : s.table.processes) {
    p->time_offset = p->record.monotonic_ns - base;
    p->chrome_pid = p->record.pid < kFirstSyntheticId && pids.insert(p->record.pid).second
                        ? static_cast<uint32_t>(p->record.pid)
                        : next_pid++;
    for (auto& [tid, thread] : p->threads) {
      thread.chrome_tid = thread.os_tid != 0 && thread.os_tid < kFirstSyntheticId &&
                                  tids.insert(thread.os_tid).second
                              ? static_cast<uint32_t>(thread.os_tid)
                              : next_tid++;
    }
    PairSignals(*p, s.table.next_arrow);
  }

  EventWriter writer(out);
  counts_ = {};
  for (const auto& p : s.table.processes) {
    const std::string name =
        p->name.empty() ? absl::StrCat("pid ", p->record.pid) : p->name;
    writer.Add("\"process_name\"", absl::StrCat("\"ph\":\"M\",\"pid\":", p->chrome_pid,
                                                ",\"args\":{\"name\":", JsonQuote(name), "}"));
    ++counts_.processes;
    for (const auto& [tid, thread] : p->threads) {
      const TrackIds ids{p->chrome_pid, thread.chrome_tid};
      const std::string thread_name =
          thread.name.empty() ? absl::StrCat("thread-", tid) : thread.name;
      writer.Add("\"thread_name\"", absl::StrCat("\"ph\":\"M\",", ids.Members(),
                                                 ",\"args\":{\"name\":", JsonQuote(thread_name),
                                                 ",\"lockgraph_tid\":", tid, "}"));
      writer.Add("\"thread_sort_index\"", absl::StrCat("\"ph\":\"M\",", ids.Members(),
                                                       ",\"args\":{\"sort_index\":", tid, "}"));
      ++counts_.threads;
    }
  }
  Emitter emitter(s.table, writer, counts_);
  for (const std::string& path : s.files) {
    absl::StatusOr<Trace> trace =
        ReadTraceFile(path, [&](const Trace& t, const TraceRecord& r) { emitter(t, r); });
    if (!trace.ok()) return trace.status();
  }
  emitter.FinishAll();
  writer.Finish();
  return absl::OkStatus();
}

}  // namespace lockgraph::analyzer

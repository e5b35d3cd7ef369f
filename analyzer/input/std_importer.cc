#include "analyzer/input/std_importer.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/events.h"
#include "common/trace_format.h"
#include "common/trace_records.h"

namespace lockgraph::analyzer {
namespace {

using format::EventOp;

constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kReadChunk = 1 << 20;
constexpr uint64_t kLinesModule = 1;

struct OpSpelling {
  const char* name;
  StdOp op;
  bool needs_arg;
};

constexpr OpSpelling kOps[] = {
    {"acq", StdOp::kAcquire, true},   {"rel", StdOp::kRelease, true},
    {"r", StdOp::kRead, true},        {"w", StdOp::kWrite, true},
    {"fork", StdOp::kFork, true},     {"join", StdOp::kJoin, true},
    {"begin", StdOp::kBegin, false},  {"end", StdOp::kEnd, false},
    {"req", StdOp::kRequest, true},   {"wait", StdOp::kWait, true},
    {"notify", StdOp::kNotify, true}, {"notifyAll", StdOp::kNotifyAll, true},
};

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

absl::string_view Trim(absl::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool HasSpace(absl::string_view s) {
  for (char c : s) {
    if (IsSpace(c)) return true;
  }
  return false;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

}  // namespace

const char* StdOpName(StdOp op) {
  for (const OpSpelling& spelling : kOps) {
    if (spelling.op == op) return spelling.name;
  }
  return "?";
}

bool IsBlankStdLine(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return Trim(line).empty();
}

absl::StatusOr<StdEvent> ParseStdLine(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  absl::string_view fields[3];
  size_t count = 0, start = 0;
  for (;;) {
    const size_t bar = line.find('|', start);
    const absl::string_view field = line.substr(start, bar == absl::string_view::npos
                                                           ? absl::string_view::npos
                                                           : bar - start);
    if (count < 3) fields[count] = Trim(field);
    ++count;
    if (bar == absl::string_view::npos) break;
    start = bar + 1;
  }
  if (count != 3) {
    return Malformed(absl::StrCat("expected 3 fields thread|op(arg)|location, found ", count));
  }
  StdEvent event;
  event.thread = fields[0];
  if (event.thread.empty()) return Malformed("the thread id is empty");
  if (HasSpace(event.thread)) {
    return Malformed(absl::StrCat("the thread id \"", event.thread, "\" contains a space"));
  }

  const absl::string_view op = fields[1];
  const size_t open = op.find('(');
  const absl::string_view name = Trim(op.substr(0, open));
  const OpSpelling* spelling = nullptr;
  for (const OpSpelling& s : kOps) {
    if (name == s.name) spelling = &s;
  }
  if (spelling == nullptr) {
    return Malformed(absl::StrCat("unknown op \"", name.empty() ? op : name,
                                  "\" (expected acq, rel, r, w, fork, join, begin, end, req, "
                                  "wait, notify or notifyAll)"));
  }
  event.op = spelling->op;
  if (open == absl::string_view::npos) {
    if (spelling->needs_arg) {
      return Malformed(absl::StrCat(spelling->name, " needs an argument: ", spelling->name,
                                    "(ID)"));
    }
  } else {
    if (op.back() != ')') {
      return Malformed(absl::StrCat("\"", op, "\" does not end with ')'"));
    }
    const absl::string_view arg = Trim(op.substr(open + 1, op.size() - open - 2));
    if (spelling->needs_arg) {
      if (arg.empty()) return Malformed(absl::StrCat(spelling->name, "() has no argument"));
      if (HasSpace(arg)) {
        return Malformed(absl::StrCat("the argument \"", arg, "\" contains a space"));
      }
      event.arg = arg;
    }
    // begin(X) and end(X): the transaction's name is not needed.
  }

  const absl::string_view location = fields[2];
  uint64_t value = 0;
  bool number = !location.empty();
  for (char c : location) {
    if (c < '0' || c > '9') {
      number = false;
      break;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > UINT32_MAX) {
      number = false;
      break;
    }
  }
  if (!number) {
    return Malformed(absl::StrCat("the location \"", location,
                                  "\" is not a number from 0 to 4294967295"));
  }
  event.location = static_cast<uint32_t>(value);
  return event;
}

class StdImporter::Impl {
 public:
  Impl(std::string name, const StdImportOptions& options)
      : name_(std::move(name)), flush_bytes_(options.flush_bytes), strict_(options.strict) {
    format::EncodeHeader(out_);
    path_sid_ = String(name_);
    format::ProcessRecord process;
    process.mode = format::TraceMode::kFull;
    process.exe_sid = path_sid_;
    process.version_sid = String("lockgraph STD import");
    Write(process);
    Write(format::ModuleRecord{kLinesModule, path_sid_, 0,
                               std::string(format::kLinesModuleBuildId)});
  }

  absl::Status AddLine(absl::string_view text) {
    ++line_;
    ++stats_.lines;
    if (IsBlankStdLine(text)) return absl::OkStatus();
    absl::StatusOr<StdEvent> parsed = ParseStdLine(text);
    if (!parsed.ok()) return Error(parsed.status().message());
    ++stats_.events;
    const StdEvent& e = *parsed;
    const uint32_t self = ThreadIndex(e.thread);
    ThreadInfo& t = threads_[self];
    if (t.phase == Phase::kJoined) {
      return Error(absl::StrCat("thread ", t.name, " runs after it was joined at line ",
                                t.joined_line));
    }
    if (t.phase == Phase::kUnseen) Start(t, nullptr);
    if (t.phase != Phase::kRunning) {
      t.phase = Phase::kRunning;
      t.first_line = line_;
    }
    if (t.requested != kNone &&
        !(e.op == StdOp::kAcquire && LockIndex(e.arg, e.location) == t.requested)) {
      return Error(absl::StrCat("req(", locks_[t.requested].name, ") of thread ", t.name,
                                " at line ", t.request_line, " is not followed by its acq(",
                                locks_[t.requested].name, "): the thread's next event is ",
                                StdOpName(e.op), e.arg.empty() ? "" : "(", e.arg,
                                e.arg.empty() ? "" : ")"));
    }
    if (t.waiting != kNone) {
      if (absl::Status s = Resume(t); !s.ok()) return s;
    }
    switch (e.op) {
      case StdOp::kAcquire:
        return Acquire(t, e);
      case StdOp::kRelease:
        return Release(t, e);
      case StdOp::kRead:
      case StdOp::kWrite:
        Emit(t, e.op == StdOp::kRead ? EventOp::kRead : EventOp::kWrite,
             {.object = Variable(e.arg, e.location), .site = Stack(e.location)});
        return absl::OkStatus();
      case StdOp::kFork:
        return Fork(t, e);
      case StdOp::kJoin:
        return Join(t, e);
      case StdOp::kBegin:
      case StdOp::kEnd:
        return absl::OkStatus();
      case StdOp::kRequest:
        Request(t, e);
        return absl::OkStatus();
      case StdOp::kWait:
        Wait(t, e);
        return absl::OkStatus();
      case StdOp::kNotify:
      case StdOp::kNotifyAll:
        Notify(t, e);
        return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  std::string Finish() {
    for (ThreadInfo& t : threads_) FlushThread(t);
    for (uint64_t id = 1; id < dependency_counts_.size(); ++id) {
      if (dependency_counts_[id] > 1) {
        Write(format::DependencyCountRecord{id, dependency_counts_[id] - 1});
      }
    }
    stats_.threads = threads_.size();
    stats_.locks = locks_.size();
    stats_.variables = variables_.size();
    stats_.dependencies = dependency_counts_.size() - 1;
    if (stats_.repaired > warned_lines_) {
      warnings_.push_back(absl::StrCat(name_, ": ", stats_.repaired - warned_lines_,
                                       " more lines that break the lock discipline were "
                                       "repaired (not shown)"));
    }
    return std::move(out_);
  }

  const StdImportStats& stats() const { return stats_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  enum class Phase : uint8_t { kUnseen, kForked, kRunning, kJoined };

  struct Held {
    uint32_t lock = 0;
    uint32_t depth = 1;  // re-entries + 1
    uint64_t site = 0;   // stack of the outermost acquisition
  };

  struct ThreadInfo {
    std::string name;
    uint32_t tid = 0;
    Phase phase = Phase::kUnseen;
    uint64_t forked_line = 0;
    uint64_t first_line = 0;  // its first event
    uint64_t joined_line = 0;
    uint32_t segment = 0;
    std::vector<Held> held;  // in acquisition order
    // req(L): L's acquisition must be the thread's next event.
    uint32_t requested = kNone;
    uint64_t request_line = 0;
    // In wait(L) until its next event.
    uint32_t waiting = kNone;
    bool wait_released = false;  // the wait released L (the thread held it)
    uint32_t wait_depth = 0;
    uint64_t wait_site = 0;
    uint64_t wake_seq = 0;  // the send of L that woke it; 0: none known
    // Events not yet written: one block.
    std::string events;
    uint64_t event_count = 0;
    uint32_t block_segment = 0;
    uint64_t block_start = 0;
    uint64_t last_time = 0;
  };

  struct LockInfo {
    std::string name;
    uint64_t instance = 0;
    uint32_t holder = kNone;
    uint64_t held_since = 0;
    uint64_t acquisitions = 0;
    uint64_t sends = 0;             // notifies that woke a thread
    std::vector<uint32_t> waiters;  // in wait(L), not woken yet
  };

  absl::Status Error(absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(name_, ": line ", line_, ": ", message));
  }

  // A line that breaks the lock discipline: under `strict` the error `message`; otherwise
  // OK, and the caller does `repair`, which the warning names. A line is counted (and warned
  // about) once, whatever it breaks.
  absl::Status Break(absl::string_view message, absl::string_view repair) {
    if (strict_) return Error(message);
    if (line_ == last_repaired_line_) {
      if (warned_lines_ == stats_.repaired) {
        absl::StrAppend(&warnings_.back(), "; ", message, ": ", repair);
      }
      return absl::OkStatus();
    }
    last_repaired_line_ = line_;
    ++stats_.repaired;
    if (warned_lines_ < StdImporter::kMaxWarnings) {
      warnings_.push_back(absl::StrCat(name_, ": line ", line_, ": ", message, ": ", repair));
      ++warned_lines_;
    }
    return absl::OkStatus();
  }

  void Write(const format::Record& record) { format::EncodeRecord(record, out_); }

  // Each distinct text is one string record.
  uint64_t String(absl::string_view text) {
    if (text.empty()) return 0;  // id 0 is the empty string, never written
    if (auto it = strings_.find(text); it != strings_.end()) return it->second;
    const uint64_t id = strings_.size() + 1;
    strings_.emplace(std::string(text), id);
    Write(format::StringRecord{id, std::string(text)});
    return id;
  }

  uint64_t Stack(uint32_t location) {
    auto [it, inserted] = stacks_.try_emplace(location, stacks_.size() + 1);
    if (inserted) Write(format::StackRecord{it->second, {{kLinesModule, location}}});
    return it->second;
  }

  // A lock or variable: an instance of a class of its own, first used at `location`. A lock
  // and a variable with one id are told apart by a suffix on the second one's class.
  uint64_t NewInstance(absl::string_view id, format::SyncKind kind, bool collides,
                       uint32_t location) {
    const std::string key =
        collides ? absl::StrCat(id, kind == format::SyncKind::kShared ? " (variable)" : " (lock)")
                 : std::string(id);
    const uint64_t sid = String(key);
    const uint64_t class_id = next_class_++;
    Write(format::ClassRecord{class_id, sid, kind, path_sid_, location, 0, 0});
    const uint64_t instance = next_instance_++;
    Write(format::InstanceRecord{instance, class_id, kind, path_sid_, location, sid, 0, 0});
    return instance;
  }

  uint32_t LockIndex(absl::string_view id, uint32_t location) {
    if (auto it = lock_ids_.find(id); it != lock_ids_.end()) return it->second;
    const uint32_t index = static_cast<uint32_t>(locks_.size());
    LockInfo& lock = locks_.emplace_back();
    lock.name = std::string(id);
    lock.instance =
        NewInstance(id, format::SyncKind::kLock, variables_.contains(id), location);
    lock_ids_.emplace(lock.name, index);
    return index;
  }

  uint64_t Variable(absl::string_view id, uint32_t location) {
    if (auto it = variables_.find(id); it != variables_.end()) return it->second;
    const uint64_t instance =
        NewInstance(id, format::SyncKind::kShared, lock_ids_.contains(id), location);
    variables_.emplace(std::string(id), instance);
    return instance;
  }

  uint32_t ThreadIndex(absl::string_view id) {
    if (auto it = thread_ids_.find(id); it != thread_ids_.end()) return it->second;
    const uint32_t index = static_cast<uint32_t>(threads_.size());
    ThreadInfo& t = threads_.emplace_back();
    t.name = std::string(id);
    t.tid = index + 1;
    thread_ids_.emplace(t.name, index);
    return index;
  }

  // The thread's start record: started by `parent` in its current segment, or unordered.
  void Start(ThreadInfo& t, const ThreadInfo* parent) {
    format::ThreadStartRecord r;
    r.tid = t.tid;
    if (parent != nullptr) {
      r.parent_tid = parent->tid;
      r.parent_segment = parent->segment;
    }
    r.name_sid = String(t.name);
    r.time_ns = line_;
    Write(r);
  }

  // Times are line numbers: a tick is a nanosecond, and an event's time its line.
  void Emit(ThreadInfo& t, EventOp op, const format::EventOperands& operands) {
    if (t.event_count == 0) {
      t.block_segment = t.segment;
      t.block_start = line_;
      t.last_time = line_;
    }
    uint8_t buffer[format::kMaxEventBytes];
    const uint8_t* end = format::AppendEvent(buffer, op, line_ - t.last_time, operands);
    t.events.append(reinterpret_cast<const char*>(buffer), end - buffer);
    t.last_time = line_;
    ++t.event_count;
    buffered_ += end - buffer;
    if (buffered_ >= flush_bytes_) {
      for (ThreadInfo& any : threads_) FlushThread(any);
    }
  }

  void FlushThread(ThreadInfo& t) {
    if (t.event_count == 0) return;
    buffered_ -= t.events.size();
    format::EventBlockRecord block;
    block.tid = t.tid;
    block.segment = t.block_segment;
    block.start_ns = t.block_start;
    block.tick_ps = 1000;
    block.count = t.event_count;
    block.events = std::move(t.events);
    Write(block);
    t.events.clear();
    t.event_count = 0;
  }

  // As the runtime does: one dependency per thread, segment, held list and acquired lock,
  // written once and counted after.
  void Depend(const ThreadInfo& t, uint32_t lock, uint64_t site) {
    if (t.held.empty()) return;
    key_.clear();
    key_.push_back(t.tid);
    key_.push_back(t.segment);
    key_.push_back(locks_[lock].instance);
    for (const Held& h : t.held) key_.push_back(locks_[h.lock].instance);
    if (auto it = dependencies_.find(key_); it != dependencies_.end()) {
      ++dependency_counts_[it->second];
      return;
    }
    format::DependencyRecord r;
    r.id = dependency_counts_.size();
    r.tid = t.tid;
    r.segment = t.segment;
    r.acquired = locks_[lock].instance;
    for (const Held& h : t.held) r.held.push_back({locks_[h.lock].instance, 0, h.site});
    r.stack_id = site;
    r.time_ns = line_;
    Write(r);
    dependencies_.emplace(key_, r.id);
    dependency_counts_.push_back(1);
  }

  Held* FindHeld(ThreadInfo& t, uint32_t lock) {
    for (Held& h : t.held) {
      if (h.lock == lock) return &h;
    }
    return nullptr;
  }

  void EraseHeld(ThreadInfo& t, const Held* h) {
    t.held.erase(t.held.begin() + (h - t.held.data()));
  }

  std::string HolderText(const LockInfo& l) const {
    return absl::StrCat(threads_[l.holder].name, " holds it (since line ", l.held_since, ")");
  }

  // The repair of a lock taken while another thread holds it, unless strict: the holder
  // released it (every level) just before this line. The release goes into the
  // holder's own events, after its last one, so the replay runs it before the acquisition; a
  // joined holder released it at its end (Join). Only the held set shrinks: no dependency is
  // added, and later ones of the holder lack the lock (and its gate).
  void Dispossess(uint32_t lock) {
    LockInfo& l = locks_[lock];
    ThreadInfo& holder = threads_[l.holder];
    EraseHeld(holder, FindHeld(holder, lock));
    l.holder = kNone;
    if (holder.phase != Phase::kJoined) Emit(holder, EventOp::kRelease, {.object = l.instance});
  }

  std::string DispossessText(const LockInfo& l) const {
    return absl::StrCat("repaired as if ", threads_[l.holder].name, " released it just before");
  }

  // Takes a free lock.
  void Take(ThreadInfo& t, uint32_t lock, uint64_t site, bool depend) {
    LockInfo& l = locks_[lock];
    if (depend) Depend(t, lock, site);
    Emit(t, EventOp::kAcquire, {.object = l.instance, .seq = ++l.acquisitions});
    l.holder = t.tid - 1;
    l.held_since = line_;
    t.held.push_back({lock, 1, site});
  }

  absl::Status Acquire(ThreadInfo& t, const StdEvent& e) {
    const uint32_t lock = LockIndex(e.arg, e.location);
    // A req(L) just before counted the dependency already.
    const bool requested = t.requested == lock;
    t.requested = kNone;
    if (Held* h = FindHeld(t, lock)) {
      ++h->depth;  // re-entry cannot block: not recorded, as for an RLock
      return absl::OkStatus();
    }
    const LockInfo& l = locks_[lock];
    if (l.holder != kNone) {
      absl::Status s = Break(absl::StrCat("acq(", l.name, ") by thread ", t.name, ", but ",
                                          HolderText(l)),
                             DispossessText(l));
      if (!s.ok()) return s;
      Dispossess(lock);
    }
    Take(t, lock, Stack(e.location), /*depend=*/!requested);
    return absl::OkStatus();
  }

  absl::Status Release(ThreadInfo& t, const StdEvent& e) {
    auto it = lock_ids_.find(e.arg);
    Held* h = it == lock_ids_.end() ? nullptr : FindHeld(t, it->second);
    if (h == nullptr) {
      const bool other = it != lock_ids_.end() && locks_[it->second].holder != kNone;
      return Break(absl::StrCat("rel(", e.arg, ") by thread ", t.name, ", which does not hold it",
                                other ? absl::StrCat(": ", HolderText(locks_[it->second])) : ""),
                   "ignored");
    }
    if (--h->depth > 0) return absl::OkStatus();
    LockInfo& l = locks_[h->lock];
    EraseHeld(t, h);
    l.holder = kNone;
    Emit(t, EventOp::kRelease, {.object = l.instance});
    return absl::OkStatus();
  }

  absl::Status Fork(ThreadInfo& t, const StdEvent& e) {
    ThreadInfo& child = threads_[ThreadIndex(e.arg)];
    if (&child == &t) return Error(absl::StrCat("thread ", t.name, " forks itself"));
    if (child.forked_line != 0) {
      return Error(absl::StrCat("fork(", child.name, "): it was forked already at line ",
                                child.forked_line));
    }
    if (child.phase == Phase::kRunning) {
      return Error(absl::StrCat("fork(", child.name, "): it has run already, from line ",
                                child.first_line));
    }
    if (child.phase == Phase::kJoined) {
      return Error(absl::StrCat("fork(", child.name, "): it was joined already at line ",
                                child.joined_line));
    }
    Emit(t, EventOp::kSpawn, {});
    Start(child, &t);
    child.phase = Phase::kForked;
    child.forked_line = line_;
    ++t.segment;
    return absl::OkStatus();
  }

  absl::Status Join(ThreadInfo& t, const StdEvent& e) {
    ThreadInfo& joined = threads_[ThreadIndex(e.arg)];
    if (&joined == &t) return Error(absl::StrCat("thread ", t.name, " joins itself"));
    if (joined.phase == Phase::kJoined) {
      return Error(absl::StrCat("join(", joined.name, "): it was joined already at line ",
                                joined.joined_line));
    }
    if (joined.phase == Phase::kUnseen) Start(joined, nullptr);  // a thread that did nothing
    if (joined.waiting != kNone) {
      std::erase(locks_[joined.waiting].waiters, joined.tid - 1);  // it never woke
      joined.waiting = kNone;
    }
    // A thread that ends holding locks keeps them for the discipline (another thread taking
    // one breaks it), but the replay sees them released at its end: the only acquisitions
    // after are repaired ones (Dispossess), which then find the lock free.
    for (const Held& h : joined.held) {
      Emit(joined, EventOp::kRelease, {.object = locks_[h.lock].instance});
    }
    // Its last events, then its end, before the join that waits for them.
    FlushThread(joined);
    Write(format::ThreadEndRecord{joined.tid, joined.segment, line_});
    joined.phase = Phase::kJoined;
    joined.joined_line = line_;
    Emit(t, EventOp::kJoin, {.object = joined.tid});
    Write(format::ThreadJoinRecord{t.tid, t.segment, joined.tid, line_});
    ++t.segment;
    return absl::OkStatus();
  }

  // The runtime records a dependency before the acquisition blocks: a req of a trace that
  // ends in a deadlock has no acq after it, and still counts.
  void Request(ThreadInfo& t, const StdEvent& e) {
    const uint32_t lock = LockIndex(e.arg, e.location);
    if (FindHeld(t, lock) == nullptr) Depend(t, lock, Stack(e.location));
    t.requested = lock;
    t.request_line = line_;
  }

  void Wait(ThreadInfo& t, const StdEvent& e) {
    const uint32_t lock = LockIndex(e.arg, e.location);
    LockInfo& l = locks_[lock];
    t.waiting = lock;
    t.wait_site = Stack(e.location);
    t.wake_seq = 0;
    t.wait_released = false;
    if (Held* h = FindHeld(t, lock)) {
      // Object.wait releases every level of the monitor, and takes them all back.
      t.wait_released = true;
      t.wait_depth = h->depth;
      EraseHeld(t, h);
      l.holder = kNone;
      Emit(t, EventOp::kRelease, {.object = l.instance});
    }
    l.waiters.push_back(t.tid - 1);
  }

  // A notify wakes the one thread waiting; with several waiting, which one it woke is not in
  // the trace, and it orders none of them. A notify no one waits for orders nothing.
  void Notify(ThreadInfo& t, const StdEvent& e) {
    LockInfo& l = locks_[LockIndex(e.arg, e.location)];
    if (l.waiters.empty()) return;
    if (e.op == StdOp::kNotify && l.waiters.size() > 1) return;
    const uint64_t seq = ++l.sends;
    Emit(t, EventOp::kSend, {.object = l.instance, .seq = seq});
    ++t.segment;
    for (uint32_t waiter : l.waiters) threads_[waiter].wake_seq = seq;
    l.waiters.clear();
  }

  // The waiting thread's next event: it has returned from wait(L), woken by a notify (if one
  // was paired with it) and holding L again if the wait released it.
  absl::Status Resume(ThreadInfo& t) {
    const uint32_t lock = t.waiting;
    LockInfo& l = locks_[lock];
    t.waiting = kNone;
    std::erase(l.waiters, t.tid - 1);
    if (t.wake_seq != 0) {
      Emit(t, EventOp::kReceive, {.object = l.instance, .seq = t.wake_seq});
      ++t.segment;
    }
    if (!t.wait_released) return absl::OkStatus();
    if (l.holder != kNone) {
      absl::Status s = Break(absl::StrCat("thread ", t.name, " returns from wait(", l.name,
                                          ") holding it again, but ", HolderText(l)),
                             DispossessText(l));
      if (!s.ok()) return s;
      Dispossess(lock);
    }
    Take(t, lock, t.wait_site, /*depend=*/true);
    t.held.back().depth = t.wait_depth;
    return absl::OkStatus();
  }

  const std::string name_;
  const size_t flush_bytes_;
  const bool strict_;
  std::vector<std::string> warnings_;
  uint64_t warned_lines_ = 0;        // repaired lines with a warning of their own
  uint64_t last_repaired_line_ = 0;
  std::string out_;
  StdImportStats stats_;
  uint64_t line_ = 0;
  uint64_t path_sid_ = 0;
  uint64_t next_class_ = 1;
  uint64_t next_instance_ = 1;
  size_t buffered_ = 0;
  std::deque<ThreadInfo> threads_;  // by tid - 1; a deque keeps references valid
  std::deque<LockInfo> locks_;
  absl::flat_hash_map<std::string, uint64_t> strings_;  // text -> string id
  absl::flat_hash_map<std::string, uint32_t> thread_ids_;
  absl::flat_hash_map<std::string, uint32_t> lock_ids_;
  absl::flat_hash_map<std::string, uint64_t> variables_;  // id -> instance
  absl::flat_hash_map<uint32_t, uint64_t> stacks_;        // location -> stack id
  // (tid, segment, acquired, held...) -> dependency id
  absl::flat_hash_map<std::vector<uint64_t>, uint64_t> dependencies_;
  std::vector<uint64_t> dependency_counts_ = std::vector<uint64_t>(1);  // by dependency id
  std::vector<uint64_t> key_;
};

StdImporter::StdImporter(std::string name, StdImportOptions options)
    : impl_(std::make_unique<Impl>(std::move(name), options)) {}
StdImporter::~StdImporter() = default;

absl::Status StdImporter::AddLine(absl::string_view line) { return impl_->AddLine(line); }

absl::StatusOr<std::string> StdImporter::Finish() { return impl_->Finish(); }

const StdImportStats& StdImporter::stats() const { return impl_->stats(); }

const std::vector<std::string>& StdImporter::warnings() const { return impl_->warnings(); }

absl::StatusOr<StdImport> ImportStdFile(const std::string& path,
                                        const StdImportOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not an STD trace"));
  }
  StdImporter importer(path, options);
  std::vector<char> chunk(kReadChunk);
  std::string partial;  // a line cut by the end of a chunk
  absl::Status status;
  for (;;) {
    const ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = absl::UnavailableError(absl::StrCat(path, ": cannot read: ", strerror(errno)));
      break;
    }
    if (n == 0) break;
    const absl::string_view data(chunk.data(), static_cast<size_t>(n));
    size_t start = 0;
    for (size_t newline; (newline = data.find('\n', start)) != absl::string_view::npos;
         start = newline + 1) {
      const absl::string_view piece = data.substr(start, newline - start);
      if (partial.empty()) {
        status = importer.AddLine(piece);
      } else {
        partial.append(piece.data(), piece.size());
        status = importer.AddLine(partial);
        partial.clear();
      }
      if (!status.ok()) break;
    }
    if (!status.ok()) break;
    partial.append(data.data() + start, data.size() - start);
  }
  close(fd);
  if (status.ok() && !partial.empty()) status = importer.AddLine(partial);  // no final newline
  if (!status.ok()) return status;
  absl::StatusOr<std::string> trace = importer.Finish();
  if (!trace.ok()) return trace.status();
  return StdImport{*std::move(trace), importer.stats(), importer.warnings()};
}

}  // namespace lockgraph::analyzer

#include "analyzer/replay/event_replay.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/replay/race_detector.h"
#include "analyzer/replay/vector_clock.h"
#include "common/events.h"

namespace lockgraph::analyzer {
namespace {

using format::Event;
using format::EventOp;

// Sends kept per signal object to pair late receives with the send they saw.
constexpr size_t kRecentSends = 64;

struct Block {
  std::string bytes;
  uint32_t segment = 0;
  uint64_t start_ns = 0;
  uint64_t tick_ps = 0;
};

struct HeldLock {
  uint32_t lock = 0;
  uint8_t flags = 0;
};

struct ThreadReplay {
  uint32_t id = 0;
  uint32_t trace = 0;
  std::deque<Block> blocks;                     // blocks.front() is being decoded
  std::optional<format::EventDecoder> decoder;  // over blocks.front().bytes
  std::optional<Event> pending;                 // the next event, not yet run
  uint64_t pending_ns = 0;
  uint32_t segment = 0;
  bool started = false;     // its parent's spawn (or fork) has run
  bool input_done = false;  // no more blocks will come
  bool finished = false;    // input done and every event run
  bool queued = false;      // in the ready queue
  bool waiting = false;     // registered as a waiter
  VectorClock clock;
  std::vector<HeldLock> held;
};

struct LockState {
  bool seen = false;              // any acquisition run yet
  uint64_t acquired = 0;          // the highest acquisition seq run
  uint32_t holders = 0;
  uint32_t exclusive_holder = 0;  // thread id, 0 if none
  VectorClock released;           // joined by every release
  VectorClock released_exclusive; // by exclusive releases only: what a reader waits for
};

struct Snapshot {
  uint64_t seq = 0;
  VectorClock clock;  // every send of the object up to this one
  ThreadPoint sender;
};

struct SignalState {
  uint64_t max_sent = 0;
  VectorClock clock;
  std::deque<Snapshot> recent;
};

enum WaitKind : uint8_t { kWaitLock, kWaitSignal, kWaitThread, kWaitStart };
using WaitKey = std::pair<uint8_t, uint64_t>;

class Replayer {
 public:
  explicit Replayer(Model& model) : model_(model), threads_(model.thread_count() + 1) {
    for (const Trace& trace : model.traces()) forked_.push_back(trace.process.parent_tid != 0);
    for (uint32_t id = 1; id < threads_.size(); ++id) {
      const ModelThread& thread = model.thread(id);
      ThreadReplay& t = threads_[id];
      t.id = id;
      t.trace = thread.trace;
      if (thread.parent != 0) {
        children_[thread.parent].emplace_back(thread.parent_segment, id);
      } else {
        Start(t);
      }
    }
  }

  absl::Status Run(const ReadProgress& progress) {
    for (uint32_t trace = 0; trace < model_.traces().size(); ++trace) {
      const Trace& source = model_.traces()[trace];
      absl::StatusOr<Trace> read = RereadTrace(source, [&](const Trace&, const TraceRecord& r) {
        if (const auto* block = std::get_if<format::EventBlockRecord>(&r.record)) {
          AddBlock(trace, *block);
        } else if (const auto* end = std::get_if<format::ThreadEndRecord>(&r.record)) {
          if (const uint32_t id = model_.ThreadId(trace, end->tid); id != 0) {
            threads_[id].input_done = true;
            Enqueue(threads_[id]);
          }
        }
        Pump();
      }, progress);
      if (!read.ok()) return read.status();
      // The process is over: its threads have no more events.
      for (ThreadReplay& t : threads_) {
        if (t.id != 0 && t.trace == trace && !t.input_done) {
          t.input_done = true;
          Enqueue(t);
        }
      }
      Pump();
    }
    ForceTheRest();
    model_.AddRaces(races_.TakeRaces());
    if (stats_.unmatched > 0) {
      model_.AddWarning(absl::StrCat(
          "full mode: ", stats_.unmatched,
          " events had no partner in the traces (a release, send or thread end that was not "
          "recorded); they were replayed in time order, so races and orders near them are "
          "approximate"));
    }
    return absl::OkStatus();
  }

  const ReplayStats& stats() const { return stats_; }

 private:
  void AddBlock(uint32_t trace, const format::EventBlockRecord& r) {
    const uint32_t id = model_.ThreadId(trace, r.tid);
    if (id == 0 || r.count == 0) return;
    threads_[id].blocks.push_back({r.events, r.segment, r.start_ns, r.tick_ps});
    Enqueue(threads_[id]);
  }

  void Enqueue(ThreadReplay& t) {
    if (t.queued || t.waiting || t.finished) return;
    t.queued = true;
    ready_.push_back(t.id);
  }

  void Wake(uint8_t kind, uint64_t what) {
    auto it = waiters_.find(WaitKey{kind, what});
    if (it == waiters_.end()) return;
    std::vector<uint32_t> woken = std::move(it->second);
    waiters_.erase(it);
    for (uint32_t id : woken) {
      threads_[id].waiting = false;
      Enqueue(threads_[id]);
    }
  }

  void Start(ThreadReplay& t) {
    t.started = true;
    t.clock.Tick(t.id);  // its first accesses get an epoch no other thread covers yet
  }

  // The thread enters segment `to`: children started in the segments it leaves can run.
  void AdvanceSegment(ThreadReplay& t, uint32_t to) {
    auto it = children_.find(t.id);
    if (it != children_.end()) {
      std::vector<std::pair<uint32_t, uint32_t>>& kids = it->second;
      for (auto kid = kids.begin(); kid != kids.end();) {
        if (kid->first < to) {
          ThreadReplay& child = threads_[kid->second];
          child.clock.Join(t.clock);
          Start(child);
          Wake(kWaitStart, child.id);
          kid = kids.erase(kid);
        } else {
          ++kid;
        }
      }
    }
    t.segment = std::max(t.segment, to);
  }

  // The next event of `t`, decoding blocks as needed; null if it has none yet.
  const Event* Next(ThreadReplay& t) {
    while (!t.pending) {
      if (!t.decoder) {
        if (t.blocks.empty()) return nullptr;
        const Block& block = t.blocks.front();
        if (block.segment > t.segment) AdvanceSegment(t, block.segment);  // a fork between
        t.decoder.emplace(block.bytes);
      }
      Event e;
      if (t.decoder->Next(e)) {
        const Block& block = t.blocks.front();
        t.pending_ns = block.start_ns + e.time * block.tick_ps / 1000;
        t.pending = e;
      } else {
        t.decoder.reset();  // the reader has checked every block
        t.blocks.pop_front();
      }
    }
    return &*t.pending;
  }

  void Finish(ThreadReplay& t) {
    if (t.finished || !t.input_done || t.pending || !t.blocks.empty()) return;
    t.finished = true;
    AdvanceSegment(t, std::numeric_limits<uint32_t>::max());
    Wake(kWaitThread, t.id);
  }

  void Pump() {
    while (!ready_.empty()) {
      ThreadReplay& t = threads_[ready_.front()];
      ready_.pop_front();
      t.queued = false;
      for (;;) {
        const Event* e = Next(t);
        if (e == nullptr) {
          Finish(t);
          break;
        }
        WaitKey key;
        if (!Execute(t, *e, /*force=*/false, &key)) {
          waiters_[key].push_back(t.id);
          t.waiting = true;
          break;
        }
        t.pending.reset();
      }
    }
  }

  // Nothing can run, and no more input will come: the events still waiting lost their
  // partner (a thread lockgraph did not record, events dropped). Run the earliest, and go on.
  void ForceTheRest() {
    for (;;) {
      ThreadReplay* earliest = nullptr;
      for (ThreadReplay& t : threads_) {
        if (t.id == 0 || t.finished || Next(t) == nullptr) continue;
        if (earliest == nullptr || t.pending_ns < earliest->pending_ns) earliest = &t;
      }
      if (earliest == nullptr) break;
      WaitKey key;
      Execute(*earliest, *earliest->pending, /*force=*/true, &key);
      earliest->pending.reset();
      ++stats_.unmatched;
      for (auto& [ignored, ids] : waiters_) {
        for (uint32_t id : ids) threads_[id].waiting = false;
      }
      waiters_.clear();
      for (ThreadReplay& t : threads_) {
        if (t.id != 0) Enqueue(t);
      }
      Pump();
    }
  }

  // Runs one event; false (and what it waits for in *key) if it cannot run yet.
  bool Execute(ThreadReplay& t, const Event& e, bool force, WaitKey* key) {
    if (!t.started) {
      if (!force) {
        *key = {kWaitStart, t.id};
        return false;
      }
      Start(t);
    }
    const format::EventOperands& o = e.operands;
    switch (e.op) {
      case EventOp::kAcquire:
      case EventOp::kAcquireFlags: {
        const uint32_t lock = model_.LockId(t.trace, o.object);
        LockState& l = locks_[lock];
        const bool shared = (o.flags & format::kAcquireShared) != 0;
        const bool free = shared ? l.exclusive_holder == 0 : l.holders == 0;
        // A forked child's objects go on counting from the parent's acquisitions, which are in
        // the parent's trace (and ordered before the child by the fork).
        if (!l.seen && forked_[t.trace]) l.acquired = o.seq - 1;
        if (!force && (l.acquired + 1 < o.seq || !free)) {
          *key = {kWaitLock, lock};
          return false;
        }
        l.seen = true;
        l.acquired = std::max(l.acquired, o.seq);
        ++l.holders;
        if (!shared) l.exclusive_holder = t.id;
        t.clock.Join(shared ? l.released_exclusive : l.released);
        t.held.push_back({lock, o.flags});
        Wake(kWaitLock, lock);  // the next acquisition may be a reader's
        break;
      }
      case EventOp::kRelease: {
        const uint32_t lock = model_.LockId(t.trace, o.object);
        LockState& l = locks_[lock];
        bool exclusive = true;
        uint8_t flags = 0;
        if (ForgetLast(t.held, lock, &flags)) {
          exclusive = (flags & format::kAcquireShared) == 0;
        } else if (l.exclusive_holder != 0) {
          // Released for its holder (a Lock may be released by another thread).
          ForgetLast(threads_[l.exclusive_holder].held, lock, &flags);
        }
        if (l.holders > 0) --l.holders;
        if (exclusive) l.exclusive_holder = 0;
        l.released.Join(t.clock);
        if (exclusive) l.released_exclusive.Join(t.clock);
        t.clock.Tick(t.id);
        Wake(kWaitLock, lock);
        break;
      }
      case EventOp::kSend: {
        const uint32_t object = model_.LockId(t.trace, o.object);
        SignalState& s = signals_[object];
        s.clock.Join(t.clock);
        s.max_sent = std::max(s.max_sent, o.seq);
        s.recent.push_back({o.seq, s.clock, {t.id, t.segment}});
        if (s.recent.size() > kRecentSends) s.recent.pop_front();
        t.clock.Tick(t.id);
        AdvanceSegment(t, t.segment + 1);
        Wake(kWaitSignal, object);
        break;
      }
      case EventOp::kReceive: {
        const uint32_t object = model_.LockId(t.trace, o.object);
        SignalState& s = signals_[object];
        // In a forked child, a signal sent before the fork is in the parent's trace, and
        // ordered before the child by the fork itself.
        const bool before_fork = forked_[t.trace] && s.recent.empty() && s.max_sent == 0;
        if (!force && !before_fork && s.max_sent < o.seq) {
          *key = {kWaitSignal, object};
          return false;
        }
        // The send it saw: the first whose count reached this receive's.
        const Snapshot* match = nullptr;
        for (const Snapshot& snap : s.recent) {
          if (snap.seq >= o.seq && (match == nullptr || snap.seq < match->seq)) match = &snap;
        }
        if (match != nullptr) {
          t.clock.Join(match->clock);
          model_.mutable_order().AddSignal(match->sender, {t.id, t.segment + 1});
          ++stats_.signal_orders;
        } else {
          t.clock.Join(s.clock);  // older than the sends kept: after all of them
        }
        AdvanceSegment(t, t.segment + 1);
        break;
      }
      case EventOp::kSpawn:
        AdvanceSegment(t, t.segment + 1);  // starts the children of the segment it closes
        t.clock.Tick(t.id);
        break;
      case EventOp::kJoin: {
        const uint32_t joined = model_.ThreadId(t.trace, static_cast<uint32_t>(o.object));
        if (joined != 0 && joined != t.id) {
          if (!force && !threads_[joined].finished) {
            *key = {kWaitThread, joined};
            return false;
          }
          t.clock.Join(threads_[joined].clock);
        }
        AdvanceSegment(t, t.segment + 1);
        break;
      }
      case EventOp::kJoinProcess: {
        // Every thread of the joined child's traces ends before the join returns.
        std::vector<uint32_t> child_threads = ChildProcessThreads(t.trace, o.object);
        for (uint32_t child : child_threads) {
          if (!force && !threads_[child].finished) {
            *key = {kWaitThread, child};
            return false;
          }
        }
        for (uint32_t child : child_threads) t.clock.Join(threads_[child].clock);
        AdvanceSegment(t, t.segment + 1);
        break;
      }
      case EventOp::kRead:
      case EventOp::kWrite:
        Access(t, {model_.LockId(t.trace, o.object), 0, 0}, 0, e.op == EventOp::kWrite, o.site);
        break;
      case EventOp::kReadRaw:
      case EventOp::kWriteRaw:
        Access(t, {0, t.trace, o.object}, o.size, e.op == EventOp::kWriteRaw, o.site);
        break;
      case EventOp::kWait:
      case EventOp::kTimeout:
        break;
    }
    ++stats_.events;
    return true;
  }

  // Removes the last entry of `lock` from `held`; false if it has none.
  static bool ForgetLast(std::vector<HeldLock>& held, uint32_t lock, uint8_t* flags) {
    auto it = std::find_if(held.rbegin(), held.rend(),
                           [&](const HeldLock& h) { return h.lock == lock; });
    if (it == held.rend()) return false;
    *flags = it->flags;
    held.erase(std::next(it).base());
    return true;
  }

  // The threads of the traces written by process `pid`, a child of the process of `trace`.
  std::vector<uint32_t> ChildProcessThreads(uint32_t trace, uint64_t pid) const {
    const format::ProcessRecord& parent = model_.traces()[trace].process;
    std::vector<uint32_t> out;
    for (const ThreadReplay& t : threads_) {
      if (t.id == 0) continue;
      const format::ProcessRecord& p = model_.traces()[t.trace].process;
      if (p.pid == pid && p.ppid == parent.pid) out.push_back(t.id);
    }
    return out;
  }

  void Access(const ThreadReplay& t, const RaceLocation& where, uint64_t size, bool write,
              uint64_t site) {
    ModelAccess access;
    access.thread = t.id;
    access.write = write;
    access.time_ns = t.pending_ns;
    access.site = StackRef{t.trace, site};
    access.held.reserve(t.held.size());
    for (const HeldLock& h : t.held) access.held.push_back(h.lock);
    races_.Access(where, size, t.clock, access);
    ++stats_.accesses;
  }

  Model& model_;
  std::vector<bool> forked_;           // by trace: written by a forked child
  std::vector<ThreadReplay> threads_;  // by model thread id
  // parent -> (segment it was started in, child)
  absl::flat_hash_map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> children_;
  absl::flat_hash_map<uint32_t, LockState> locks_;
  absl::flat_hash_map<uint32_t, SignalState> signals_;
  absl::flat_hash_map<WaitKey, std::vector<uint32_t>> waiters_;
  std::deque<uint32_t> ready_;
  RaceDetector races_;
  ReplayStats stats_;
};

}  // namespace

absl::Status ReplayEvents(Model& model, ReplayStats* stats, const ReadProgress& progress) {
  Replayer replayer(model);
  absl::Status status = replayer.Run(progress);
  if (stats != nullptr) *stats = replayer.stats();
  return status;
}

}  // namespace lockgraph::analyzer

#include "runtime/online/live_deadlock.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lockgraph/options.h"
#include "runtime/base/foreign_wait.h"
#include "runtime/base/stderr.h"
#include "runtime/online/online_report.h"
#include "runtime/online/process_wait_board.h"
#include "runtime/online/report_inputs.h"
#include "runtime/online/waits_for_cycle.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/trace/stack_capture.h"

namespace lockgraph::runtime {
namespace {

// One thread's published wait, copied out of its state.
struct Blocked {
  ThreadState* ts = nullptr;
  uint32_t tid = 0;
  PublishedWait wait;
};

// The entry of `b`'s held locks for lock `id`, or null.
const HeldEntry* HeldEntryOf(const Blocked& b, uint64_t id) {
  for (const HeldEntry& e : b.wait.held) {
    if (e.id() == id) return &e;
  }
  return nullptr;
}

// A reader waits only for a writer; a writer waits for every holder.
bool Blocks(uint8_t wait_flags, uint8_t held_flags) {
  return (wait_flags & format::kAcquireShared) == 0 || (held_flags & format::kAcquireShared) == 0;
}

// The published waits of every thread, the calling thread's first.
std::vector<Blocked> PublishedWaits(ProcessRecorder& rt, ThreadState* self) {
  std::vector<Blocked> blocked(1);
  rt.ForEachThread([&](ThreadState* ts) {
    RuntimeMutexLock hold(ts->wait_mu);
    if (ts->published_wait.sync == nullptr) return;
    Blocked& b = ts == self ? blocked[0] : blocked.emplace_back();
    b = Blocked{ts, ts->tid, ts->published_wait};
  });
  if (blocked[0].ts == nullptr) blocked.erase(blocked.begin());
  return blocked;
}

// A cycle of waits-for edges through blocked[0] (t -> u: t waits for a lock u holds, in a
// mode that blocks t), as indices in cycle order starting at 0; empty if none. Depth-first.
std::vector<size_t> CycleThroughFirst(const std::vector<Blocked>& blocked) {
  return WaitsForCycle(blocked.size(), 0, [&](size_t t, size_t u) {
    const HeldEntry* held = HeldEntryOf(blocked[u], blocked[t].wait.sync->id);
    return held != nullptr && Blocks(blocked[t].wait.flags, held->flags());
  });
}

// One thread of the deadlock as the trace and the report name it: the lock it holds is the
// one the previous thread waits for. A thread of another process (a deadlock across
// ProcessLocks) has only its board entry: what it holds and waits for, by global name.
struct CycleThread {
  const Blocked* blocked;  // null for another process's thread
  const internal::SyncHandle* held;
  uintptr_t held_pc;
  const BoardEntry* foreign = nullptr;
  std::string foreign_held;  // the global name of the lock it holds (the previous one waits for)
  uint8_t held_flags = 0;    // how it holds `held` (kAcquireShared: as a reader)
};

std::string ProcessLockLabel(const std::string& name) {
  return absl::StrCat("ProcessLock \"", name, "\"");
}

std::string Outcome(OnDeadlock action) {
  switch (action) {
    case OnDeadlock::kExit:
      return absl::StrCat("lockgraph: ending the program: exit status ", kDeadlockExitStatus,
                          " (on_deadlock=exit)\n");
    case OnDeadlock::kAbort:
      return "lockgraph: aborting (on_deadlock=abort)\n";
    case OnDeadlock::kReport:
      return "lockgraph: the threads wait on (on_deadlock=report)\n";
  }
  return "";
}

// Waits until every other process of a deadlock across processes has reported its part
// (their threads check every deadlock_check), so that ending this process — which releases
// its ProcessLocks — does not let theirs go on unreported. Bounded.
void AwaitOtherProcesses(ProcessRecorder& rt, const std::vector<CycleThread>& cycle) {
  ProcessWaitBoard* board = ProcessWaitBoard::Get();
  if (board == nullptr) return;
  const int64_t give_up = internal::MonotonicNanos() + 2 * rt.deadlock_check_ns() + 1'000'000'000;
  for (;;) {
    bool waiting = false;
    const std::vector<BoardEntry> entries = board->Snapshot();
    for (const CycleThread& t : cycle) {
      if (t.foreign == nullptr) continue;
      for (const BoardEntry& e : entries) {
        if (e.slot == t.foreign->slot && e.pid == t.foreign->pid && e.tid == t.foreign->tid &&
            (e.flags & BoardEntry::kReported) == 0) {
          waiting = true;
        }
      }
    }
    if (!waiting || internal::MonotonicNanos() > give_up) return;
    const timespec nap = {0, 5'000'000};
    ForeignWait wait;
    nanosleep(&nap, nullptr);
  }
}

// Reports the deadlock, writes it to the trace and acts on on_deadlock. The calling thread is
// one of `cycle`; the others are blocked for good, so their states are stable. Threads of
// other processes are named in the report; the trace holds this process's part only.
void ActOnDeadlock(ProcessRecorder& rt, const std::vector<CycleThread>& cycle,
                   const std::vector<int>& own_board_slots = {}) {
  const OnDeadlock action = rt.on_deadlock();
  if (!rt.quiet() || action != OnDeadlock::kReport) {
    std::vector<DeadlockedThread> threads;
    for (const CycleThread& t : cycle) {
      if (t.foreign != nullptr) {
        DeadlockedThread other;
        other.pid = t.foreign->pid;
        other.tid = t.foreign->tid;
        other.name = t.foreign->thread_name;
        other.held_label = ProcessLockLabel(t.foreign_held);
        other.waits_label = ProcessLockLabel(t.foreign->wants_name);
        threads.push_back(std::move(other));
        continue;
      }
      const PublishedWait& wait = t.blocked->wait;
      DeadlockedThread own;
      own.tid = t.blocked->tid;
      own.held = DescribeLock(rt, *t.held);
      own.held_pc = t.held_pc;
      own.waits_for = DescribeLock(rt, *wait.sync);
      own.shared = (wait.flags & format::kAcquireShared) != 0;
      own.held_shared = (t.held_flags & format::kAcquireShared) != 0;
      own.stack = wait.stack;
      threads.push_back(std::move(own));
    }
    std::vector<LockDescription*> named;
    for (DeadlockedThread& t : threads) {
      named.push_back(&t.held);
      named.push_back(&t.waits_for);
    }
    NameVariables(rt, named);
    StderrLine(FormatDeadlockReport(threads, SymbolizePcs(rt, PcsOf(threads)),
                                    [&](uint32_t tid) { return rt.ThreadName(tid); },
                                    rt.writer().path(), Outcome(action)));
  }
  rt.writer().Write(
      [&](TraceWriter::Scope& out) {
        format::DeadlockRecord record;
        record.time_ns = rt.Now();
        for (size_t i = 0; i < cycle.size(); ++i) {
          const CycleThread& t = cycle[i];
          if (t.foreign != nullptr) continue;
          const PublishedWait& wait = t.blocked->wait;
          record.threads.push_back(
              {t.blocked->tid, wait.segment, out.Instance(*t.held),
               t.held_pc != 0 ? out.Stack({&t.held_pc, 1}) : 0, out.Instance(*wait.sync),
               static_cast<uint8_t>(wait.flags & kTraceFlagsMask), out.Stack(wait.stack)});
        }
        out.Add(record);
      },
      /*flush=*/true);
  if (ProcessWaitBoard* board = ProcessWaitBoard::Get(); board != nullptr) {
    for (int slot : own_board_slots) board->SetFlags(slot, BoardEntry::kReported);
  }
  if (action != OnDeadlock::kReport) AwaitOtherProcesses(rt, cycle);
  switch (action) {
    case OnDeadlock::kReport:
      return;
    case OnDeadlock::kAbort:
      abort();
    case OnDeadlock::kExit:
      // What the threads of the deadlock (the calling one among them) buffered goes to the
      // trace; threads still running may change their state at any moment, so theirs is
      // left (and lost).
      for (const CycleThread& t : cycle) {
        if (t.blocked != nullptr) rt.FlushThread(t.blocked->ts);
      }
      rt.WriteStatistics();
      _exit(kDeadlockExitStatus);
  }
}

// The board's waits: a cycle through `self`'s board entry that crosses processes.
void CheckAcrossProcesses(ProcessRecorder& rt, ThreadState* self, int self_slot,
                          const std::vector<Blocked>& blocked) {
  ProcessWaitBoard* board = ProcessWaitBoard::Get();
  if (board == nullptr) return;
  const std::vector<BoardEntry> entries = board->Snapshot();
  const uint32_t pid = static_cast<uint32_t>(getpid());
  size_t self_index = entries.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].slot == self_slot && entries[i].pid == pid && entries[i].tid == self->tid) {
      self_index = i;
    }
  }
  if (self_index == entries.size()) return;
  const std::vector<size_t> order = BoardCycle(entries, self_index, BoardEntry::kWaiting);
  if (order.empty()) return;
  if (std::all_of(order.begin(), order.end(), [&](size_t i) { return entries[i].pid == pid; })) {
    return;  // all in this process: the published waits above found it or will
  }
  // Start at the smallest (pid, tid): every process writes and claims it the same way.
  const size_t n = order.size();
  auto key_of = [&](size_t k) {
    const BoardEntry& e = entries[order[k]];
    return (uint64_t{e.pid} << 32) | e.tid;
  };
  size_t first = 0;
  for (size_t k = 1; k < n; ++k) {
    if (key_of(k) < key_of(first)) first = k;
  }
  std::vector<CycleThread> cycle;
  std::vector<uint64_t> key;
  std::vector<int> own_slots;
  for (size_t k = 0; k < n; ++k) {
    const BoardEntry& e = entries[order[(first + k) % n]];
    const BoardEntry& previous = entries[order[(first + k + n - 1) % n]];
    key.push_back(key_of((first + k) % n));
    if (e.pid != pid) {
      cycle.push_back({nullptr, nullptr, 0, &e, previous.wants_name});
      continue;
    }
    // This process's thread: its published wait has the stacks and the held lock.
    const Blocked* b = nullptr;
    for (const Blocked& candidate : blocked) {
      if (candidate.tid == e.tid) b = &candidate;
    }
    const HeldEntry* held = nullptr;
    if (b != nullptr) {
      for (const HeldEntry& h : b->wait.held) {
        if (h.sync != nullptr && !h.sync->global_name.empty() &&
            BoardLockHash(h.sync->global_name) == previous.wants) {
          held = &h;
        }
      }
    }
    if (held == nullptr) return;  // it moved on since the board was read: check again later
    cycle.push_back({b, held->sync, held->pc, nullptr, {}, held->flags()});
    own_slots.push_back(e.slot);
  }
  if (!rt.ClaimDeadlockReport(std::move(key))) return;
  ActOnDeadlock(rt, cycle, own_slots);
}

// Checks the published waits for a cycle through `self`'s and acts on it; then, for a wait
// on the process wait board, the board.
void CheckForDeadlock(ProcessRecorder& rt, ThreadState* self, int board_slot) {
  const std::vector<Blocked> blocked = PublishedWaits(rt, self);
  if (blocked.empty() || blocked[0].ts != self) return;
  const std::vector<size_t> order = CycleThroughFirst(blocked);
  if (order.empty()) {
    if (board_slot >= 0) CheckAcrossProcesses(rt, self, board_slot, blocked);
    return;
  }
  // Start at the smallest thread id: the same deadlock, found by any of its threads, is
  // written and claimed the same way.
  const size_t n = order.size();
  size_t first = 0;
  for (size_t i = 1; i < n; ++i) {
    if (blocked[order[i]].tid < blocked[order[first]].tid) first = i;
  }
  std::vector<CycleThread> cycle;
  std::vector<uint64_t> key;
  for (size_t k = 0; k < n; ++k) {
    const Blocked& t = blocked[order[(first + k) % n]];
    const Blocked& previous = blocked[order[(first + k + n - 1) % n]];
    const HeldEntry* held = HeldEntryOf(t, previous.wait.sync->id);
    cycle.push_back({&t, held->sync, held->pc, nullptr, {}, held->flags()});
    key.push_back(t.tid);
    key.push_back(t.wait.sync->id);
  }
  if (!rt.ClaimDeadlockReport(std::move(key))) return;
  ActOnDeadlock(rt, cycle);
}

}  // namespace

LockWait::LockWait(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
                   uintptr_t caller_pc, internal::Deadline deadline)
    : ts_(ts),
      sync_(sync),
      flags_(flags),
      caller_pc_(caller_pc),
      deadline_(deadline),
      check_ns_(ts != nullptr && deadline.never() ? ProcessRecorder::Get().deadlock_check_ns()
                                                  : 0) {
  if (check_ns_ > 0) next_check_ns_ = internal::MonotonicNanos() + check_ns_;
}

LockWait::~LockWait() {
  if (!published_) return;
  if (board_slot_ >= 0) ProcessWaitBoard::Get()->Retract(board_slot_);
  ColdPath cold;
  PublishedWait retracted;
  {
    RuntimeMutexLock hold(ts_->wait_mu);
    std::swap(retracted, ts_->published_wait);
  }
}

internal::Deadline LockWait::Slice() const {
  if (check_ns_ == 0) return deadline_;
  return internal::Deadline::At(next_check_ns_);
}

bool LockWait::Continue() {
  if (check_ns_ == 0) return !deadline_.Passed();
  // A signal handler's wait inside the recorder (see NoteDependencySlow) is not checked.
  if (t_runtime_depth == 0) {
    ColdPath cold;
    if (!published_) Publish();
    CheckForDeadlock(cold.recorder(), ts_, board_slot_);
  }
  next_check_ns_ = internal::MonotonicNanos() + check_ns_;
  return true;
}

void LockWait::Publish() {
  ProcessRecorder& rt = ProcessRecorder::Get();
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth(), caller_pc_);
  PublishedWait wait;
  wait.sync = &sync_;
  wait.flags = flags_;
  wait.segment = ts_->segment;
  wait.held.assign(ts_->held, ts_->held + std::min(ts_->depth, kMaxHeld));
  wait.stack.assign(pcs, pcs + depth);
  // A wait for a ProcessLock goes on the board too, for the checks of other processes.
  ProcessWaitBoard* board = sync_.global_name.empty() ? nullptr : ProcessWaitBoard::Get();
  if (board != nullptr) {
    BoardEntry entry = BoardEntry::Of(BoardEntry::kWaiting, ts_->tid, ts_->name,
                                      sync_.global_name);
    for (const HeldEntry& h : wait.held) {
      if (h.sync != nullptr && !h.sync->global_name.empty()) {
        entry.held.push_back(BoardLockHash(h.sync->global_name));
      }
    }
    board_slot_ = board->Publish(entry);
  }
  {
    RuntimeMutexLock hold(ts_->wait_mu);
    std::swap(ts_->published_wait, wait);
  }
  published_ = true;
}

void SelfDeadlock(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t caller_pc,
                  uint8_t flags) {
  if (ts == nullptr || t_runtime_depth > 0) return;
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth(), caller_pc);
  Blocked self{ts, ts->tid, {}};
  self.wait.sync = &sync;
  self.wait.flags = flags;
  self.wait.segment = ts->segment;
  self.wait.stack.assign(pcs, pcs + depth);
  uintptr_t held_pc = 0;
  uint8_t held_flags = 0;
  for (int i = 0; i < std::min(ts->depth, kMaxHeld); ++i) {
    if (ts->held[i].id() == sync.id) {
      held_pc = ts->held[i].pc;
      held_flags = ts->held[i].flags();
    }
  }
  if (!rt.ClaimDeadlockReport({ts->tid, sync.id})) return;
  ActOnDeadlock(rt, {{&self, &sync, held_pc, nullptr, {}, held_flags}});
}

}  // namespace lockgraph::runtime

#include "runtime/online/live_deadlock.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lockgraph/options.h"
#include "runtime/base/stderr.h"
#include "runtime/online/online_report.h"
#include "runtime/online/report_inputs.h"
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
    if (e.id == id) return &e;
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
  const size_t n = blocked.size();
  if (n == 0) return {};
  std::vector<size_t> path = {0};
  std::vector<size_t> next = {0};  // per path entry: the next thread to try as its successor
  std::vector<bool> visited(n, false);
  visited[0] = true;
  while (!path.empty()) {
    const Blocked& t = blocked[path.back()];
    bool deeper = false;
    for (size_t& u = next.back(); u < n; ++u) {
      if (u == path.back()) continue;
      const HeldEntry* held = HeldEntryOf(blocked[u], t.wait.sync->id);
      if (held == nullptr || !Blocks(t.wait.flags, held->flags)) continue;
      if (u == 0) return path;
      if (visited[u]) continue;
      visited[u] = true;
      path.push_back(u++);
      next.push_back(0);
      deeper = true;
      break;
    }
    if (!deeper) {
      path.pop_back();
      next.pop_back();
    }
  }
  return {};
}

// One thread of the deadlock as the trace and the report name it: the lock it holds is the
// one the previous thread waits for.
struct CycleThread {
  const Blocked* blocked;
  const internal::SyncHandle* held;
  uintptr_t held_pc;
};

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

// Reports the deadlock, writes it to the trace and acts on on_deadlock. The calling thread is
// one of `cycle`; the others are blocked for good, so their states are stable.
void ActOnDeadlock(ProcessRecorder& rt, const std::vector<CycleThread>& cycle) {
  const OnDeadlock action = rt.on_deadlock();
  if (!rt.quiet() || action != OnDeadlock::kReport) {
    std::vector<DeadlockedThread> threads;
    for (const CycleThread& t : cycle) {
      const PublishedWait& wait = t.blocked->wait;
      threads.push_back({t.blocked->tid, DescribeLock(rt, *t.held), t.held_pc,
                         DescribeLock(rt, *wait.sync),
                         (wait.flags & format::kAcquireShared) != 0, wait.stack});
    }
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
          const PublishedWait& wait = t.blocked->wait;
          record.threads.push_back(
              {t.blocked->tid, wait.segment, out.Instance(*t.held),
               t.held_pc != 0 ? out.Stack({&t.held_pc, 1}) : 0, out.Instance(*wait.sync),
               static_cast<uint8_t>(wait.flags & kTraceFlagsMask), out.Stack(wait.stack)});
        }
        out.Add(record);
      },
      /*flush=*/true);
  switch (action) {
    case OnDeadlock::kReport:
      return;
    case OnDeadlock::kAbort:
      abort();
    case OnDeadlock::kExit:
      // What the threads of the deadlock (the calling one among them) buffered goes to the
      // trace; threads still running may change their state at any moment, so theirs is
      // left (and lost).
      for (const CycleThread& t : cycle) rt.FlushThread(t.blocked->ts);
      rt.WriteStatistics();
      _exit(kDeadlockExitStatus);
  }
}

// Checks the published waits for a cycle through `self`'s and acts on it.
void CheckForDeadlock(ProcessRecorder& rt, ThreadState* self) {
  const std::vector<Blocked> blocked = PublishedWaits(rt, self);
  if (blocked.empty() || blocked[0].ts != self) return;
  const std::vector<size_t> order = CycleThroughFirst(blocked);
  if (order.empty()) return;
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
    cycle.push_back({&t, held->sync, held->pc});
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
    CheckForDeadlock(cold.recorder(), ts_);
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
  {
    RuntimeMutexLock hold(ts_->wait_mu);
    std::swap(ts_->published_wait, wait);
  }
  published_ = true;
}

void SelfDeadlock(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t caller_pc) {
  if (ts == nullptr || t_runtime_depth > 0) return;
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth(), caller_pc);
  Blocked self{ts, ts->tid, {}};
  self.wait.sync = &sync;
  self.wait.segment = ts->segment;
  self.wait.stack.assign(pcs, pcs + depth);
  uintptr_t held_pc = 0;
  for (int i = 0; i < std::min(ts->depth, kMaxHeld); ++i) {
    if (ts->held[i].id == sync.id) held_pc = ts->held[i].pc;
  }
  if (!rt.ClaimDeadlockReport({ts->tid, sync.id})) return;
  ActOnDeadlock(rt, {{&self, &sync, held_pc}});
}

}  // namespace lockgraph::runtime

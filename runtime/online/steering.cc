#include "runtime/online/steering.h"

#include <fcntl.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "runtime/base/foreign_wait.h"
#include "runtime/base/stderr.h"
#include "runtime/online/process_wait_board.h"
#include "runtime/online/waits_for_cycle.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::runtime {
namespace {

// Set while the thread is in BeforeAcquire: a signal handler's lock is not steered.
constinit thread_local bool t_steering = false;

constexpr size_t kMaxEdges = 64;  // one bit each in ClassMasks

absl::Status LineError(size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
}

}  // namespace

absl::StatusOr<SteeringPlan> ParseSteeringPlan(const std::string& text) {
  SteeringPlan plan;
  size_t number = 0;
  bool header = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (line.empty()) continue;
    if (!header) {
      if (line != "lockgraph-steer 1") return LineError(number, "not a lockgraph steering plan");
      header = true;
      continue;
    }
    const size_t space = line.find(' ');
    const absl::string_view word = line.substr(0, space);
    const absl::string_view rest = space == absl::string_view::npos ? "" : line.substr(space + 1);
    if (word == "pause_ms" || word == "max_timeouts") {
      int64_t value = 0;
      if (!absl::SimpleAtoi(rest, &value) || value < 0) {
        return LineError(number, absl::StrCat("bad value for ", word));
      }
      if (word == "pause_ms") {
        plan.pause_ns = value * 1'000'000;
      } else {
        plan.max_timeouts = static_cast<int>(std::min<int64_t>(value, 1 << 20));
      }
    } else if (word == "from" || word == "to") {
      const size_t gap = rest.find(' ');
      size_t edge = 0;
      if (gap == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, gap), &edge) ||
          edge >= kMaxEdges || gap + 1 >= rest.size()) {
        return LineError(number, "expected 'from|to EDGE KEY' with EDGE below 64");
      }
      auto& keys = word == "from" ? plan.from_keys : plan.to_keys;
      if (plan.from_keys.size() <= edge) plan.from_keys.resize(edge + 1);
      if (plan.to_keys.size() <= edge) plan.to_keys.resize(edge + 1);
      keys[edge].emplace_back(rest.substr(gap + 1));
    } else {
      return LineError(number, absl::StrCat("unknown entry '", word, "'"));
    }
  }
  if (!header) return absl::InvalidArgumentError("empty steering plan");
  for (size_t i = 0; i < plan.from_keys.size(); ++i) {
    if (plan.from_keys[i].empty() || plan.to_keys[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("edge ", i, " lacks a from or a to class"));
    }
  }
  if (plan.from_keys.empty()) return absl::InvalidArgumentError("the plan has no edge");
  return plan;
}

Steering::Steering(SteeringPlan plan) : plan_(std::move(plan)) {}

Steering::ClassMasks Steering::MasksOf(LockRegistry& registry, uint32_t class_id) {
  auto [it, fresh] = masks_.try_emplace(class_id);
  if (!fresh) return it->second;
  // A class's key never changes once made, and Class() is lock-free.
  const std::string& key = registry.Class(class_id).name;
  for (size_t i = 0; i < plan_.from_keys.size(); ++i) {
    const auto has = [&](const std::vector<std::string>& keys) {
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    if (has(plan_.from_keys[i])) it->second.from |= uint64_t{1} << i;
    if (has(plan_.to_keys[i])) it->second.to |= uint64_t{1} << i;
  }
  return it->second;
}

std::vector<Steering::Paused*> Steering::CycleThrough(Paused* start) const {
  // "p wants the lock q holds", among the threads still held back.
  const size_t self = static_cast<size_t>(
      std::find(paused_.begin(), paused_.end(), start) - paused_.begin());
  std::vector<Paused*> cycle;
  for (size_t i : WaitsForCycle(paused_.size(), self, [&](size_t p, size_t q) {
         return !paused_[q]->released && paused_[q]->held == paused_[p]->wants;
       })) {
    cycle.push_back(paused_[i]);
  }
  return cycle;
}

void Steering::BeforeAcquire(ThreadState* ts, const internal::SyncHandle& sync) {
  if (ts->depth == 0 || t_runtime_depth > 0 || t_steering) return;
  t_steering = true;
  struct Reset {
    ~Reset() { t_steering = false; }
  } reset;
  LockRegistry& registry = ProcessRecorder::Get().registry();
  internal::RawMutexLock hold(mu_);
  if (timeouts_[ts->tid] >= plan_.max_timeouts) return;
  // The innermost held lock of an edge's from class whose to class is the wanted lock's.
  const uint64_t to = MasksOf(registry, sync.class_id).to;
  if (to == 0) return;
  uint64_t held = 0;
  const internal::SyncHandle* held_sync = nullptr;
  for (int i = std::min(ts->depth, kMaxHeld) - 1; i >= 0 && held == 0; --i) {
    const HeldEntry& e = ts->held[i];
    if (e.id() == sync.id || e.sync == nullptr) continue;
    if ((MasksOf(registry, e.sync->class_id).from & to) != 0) {
      held = e.id();
      held_sync = e.sync;
    }
  }
  if (held == 0) return;
  if (!sync.global_name.empty() && !held_sync->global_name.empty()) {
    // Both ProcessLocks: the other threads of the cycle may be in other processes.
    if (ProcessWaitBoard* board = ProcessWaitBoard::Get()) {
      // Not under mu_: this process's other threads pause meanwhile.
      mu_.unlock();
      const bool released = PauseOnBoard(*board, ts, sync, *held_sync);
      mu_.lock();
      if (!released) ++timeouts_[ts->tid];
      return;
    }
  }
  Paused me{held, sync.id, false};
  paused_.push_back(&me);
  const std::vector<Paused*> cycle = CycleThrough(&me);
  for (Paused* p : cycle) p->released = true;
  if (!cycle.empty()) released_.NotifyAll();
  const internal::Deadline deadline =
      internal::Deadline::After(std::chrono::nanoseconds(plan_.pause_ns));
  while (!me.released && released_.Wait(mu_, deadline)) {
  }
  paused_.erase(std::find(paused_.begin(), paused_.end(), &me));
  if (!me.released) ++timeouts_[ts->tid];
}

bool Steering::PauseOnBoard(ProcessWaitBoard& board, ThreadState* ts,
                            const internal::SyncHandle& sync,
                            const internal::SyncHandle& held) {
  BoardEntry entry = BoardEntry::Of(BoardEntry::kPaused, ts->tid, ts->name, sync.global_name);
  entry.held = {BoardLockHash(held.global_name)};
  const int slot = board.Publish(entry);
  if (slot < 0) return false;
  // Polled: a paused thread of another process cannot be woken through this process's
  // condition variable. A few milliseconds are nothing next to the pause.
  const int64_t give_up = internal::MonotonicNanos() + plan_.pause_ns;
  bool released = false;
  while (!(released = (board.Flags(slot) & BoardEntry::kReleased) != 0) &&
         internal::MonotonicNanos() < give_up) {
    const std::vector<BoardEntry> entries = board.Snapshot();
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].slot != slot || entries[i].pid != entry.pid) continue;
      const std::vector<size_t> cycle = BoardCycle(entries, i, BoardEntry::kPaused);
      for (size_t member : cycle) board.SetFlags(entries[member].slot, BoardEntry::kReleased);
    }
    if ((board.Flags(slot) & BoardEntry::kReleased) != 0) continue;
    const timespec nap = {0, 2'000'000};
    ForeignWait wait;
    nanosleep(&nap, nullptr);
  }
  board.Retract(slot);
  return released;
}

void SteerSlow(ThreadState* ts, const internal::SyncHandle& sync) {
  if (Steering* steering = ProcessRecorder::Get().steering()) steering->BeforeAcquire(ts, sync);
}

std::unique_ptr<Steering> SteeringFromEnvironment() {
  const char* path = getenv("LOCKGRAPH_STEER");
  if (path == nullptr || *path == '\0') return nullptr;
  // open/read, not stdio: this may run while the preload is being set up.
  std::string text;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
    close(fd);
  }
  absl::StatusOr<SteeringPlan> plan =
      fd >= 0 ? ParseSteeringPlan(text)
              : absl::StatusOr<SteeringPlan>(absl::NotFoundError(strerror(errno)));
  if (!plan.ok()) {
    StderrLine(absl::StrCat("lockgraph: LOCKGRAPH_STEER: ", path, ": ", plan.status().message(),
                            "; not steering"));
    return nullptr;
  }
  return std::make_unique<Steering>(*std::move(plan));
}

}  // namespace lockgraph::runtime

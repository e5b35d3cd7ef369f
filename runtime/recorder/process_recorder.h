// The process-wide recorder: options, lock registry, trace writer, online checker and the
// registry of threads. Built on first use (or when the library loads) and never destroyed,
// so it works during static destruction and exit.
//
// Every method is thread-safe. Methods that take a runtime mutex must be called inside a
// ColdPath scope (recorder.cc does), which fork() waits for, so a child never inherits a
// runtime mutex held by a thread that does not exist in it.
#ifndef LOCKGRAPH_RUNTIME_RECORDER_PROCESS_RECORDER_H_
#define LOCKGRAPH_RUNTIME_RECORDER_PROCESS_RECORDER_H_

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "lockgraph/options.h"
#include "runtime/base/runtime_mutex.h"
#include "runtime/online/online_checker.h"
#include "runtime/online/steering.h"
#include "runtime/recorder/event_log.h"
#include "runtime/recorder/lock_registry.h"
#include "runtime/recorder/thread_state.h"
#include "runtime/trace/module_map.h"
#include "runtime/trace/trace_writer.h"

namespace lockgraph::runtime {

inline constexpr char kRuntimeVersion[] = "lockgraph-runtime 0.1";

class ProcessRecorder {
 public:
  static ProcessRecorder& Get();

  LockRegistry& registry() { return registry_; }
  // True for the first caller only: the fork and exit hooks are registered once per process,
  // though two copies of the runtime may load (liblockgraph_runtime.so under the preload,
  // whose ProcessRecorder::Get() they share): twice, BeforeFork would take the fork lock twice.
  bool ClaimProcessHooks() { return !process_hooks_claimed_.exchange(true); }
  // Full mode (the mode when the thread's state was made; runtime/recorder/event_log.h).
  bool full_mode() const { return full_mode_.load(std::memory_order_relaxed); }
  TscClock tsc_clock() const;
  ModuleMap& modules() { return modules_; }
  TraceWriter& writer() { return writer_; }
  OnlineChecker& checker() { return checker_; }

  Options options() const ABSL_LOCKS_EXCLUDED(options_mu_);
  void Configure(const Options& options) ABSL_LOCKS_EXCLUDED(options_mu_);
  // Lock-free snapshots of options read on slow paths.
  int64_t long_wait_ns() const { return long_wait_ns_.load(std::memory_order_relaxed); }
  // hold_sample rounded up to a power of two: a thread times one acquisition in this many
  // (ThreadState::hold_countdown).
  uint32_t hold_sample() const { return hold_sample_.load(std::memory_order_relaxed); }
  int stack_depth() const { return stack_depth_.load(std::memory_order_relaxed); }
  bool quiet() const { return quiet_.load(std::memory_order_relaxed); }
  OnCycle on_cycle() const { return on_cycle_.load(std::memory_order_relaxed); }
  OnMisuse on_misuse() const { return on_misuse_.load(std::memory_order_relaxed); }
  OnDeadlock on_deadlock() const { return on_deadlock_.load(std::memory_order_relaxed); }
  // `lockgraph confirm`'s schedule steering; null in every other run.
  Steering* steering() const { return steering_.get(); }
  // 0: no deadlock check.
  int64_t deadlock_check_ns() const { return deadlock_check_ns_.load(std::memory_order_relaxed); }

  // Nanoseconds since the process started (the time base of every record).
  uint64_t Now() const;

  // Creates the calling thread's state and writes its start record. parent 0: unknown.
  ThreadState* NewThreadState(uint32_t parent, uint32_t parent_segment, std::string name)
      ABSL_LOCKS_EXCLUDED(threads_mu_);
  // The thread is exiting: flushes its counts, writes its end record, frees the state.
  void RetireThreadState(ThreadState* ts) ABSL_LOCKS_EXCLUDED(threads_mu_);
  std::string ThreadName(uint32_t tid) const ABSL_LOCKS_EXCLUDED(threads_mu_);
  // CLOCK_REALTIME when this process's recorder started (its process record's realtime_ns).
  uint64_t start_realtime_ns() const { return static_cast<uint64_t>(start_realtime_ns_); }
  // The calling thread `ts` has a name only now (a hosted language named it after the
  // interposer saw it start): its start record is written again with the name.
  void RenameThread(ThreadState* ts, std::string name) ABSL_LOCKS_EXCLUDED(threads_mu_);
  // Calls `visit(ThreadState*)` for every live thread, under the thread registry's mutex (a
  // state cannot be retired meanwhile).
  template <typename Visit>
  void ForEachThread(Visit visit) ABSL_LOCKS_EXCLUDED(threads_mu_) {
    RuntimeMutexLock hold(threads_mu_);
    for (auto& [tid, entry] : threads_) {
      if (entry.state != nullptr) visit(entry.state);
    }
  }
  // True for the first caller with this deadlock (its threads and locks, in a canonical
  // order): each deadlock that happens is reported once.
  bool ClaimDeadlockReport(std::vector<uint64_t> key) ABSL_LOCKS_EXCLUDED(deadlocks_mu_);
  // Tells thread `owner` (every thread if 0) that another thread released `instance`,
  // which it held.
  void PostNotice(uint32_t owner, uint64_t instance) ABSL_LOCKS_EXCLUDED(threads_mu_);

  // Bumped each time a new trace file starts (Configure with another path, fork): a
  // dependency id or count of an older generation belongs to a file that is closed.
  uint32_t trace_generation() const { return trace_generation_.load(std::memory_order_acquire); }

  // The trace id of dependency (tid, segment, key); *created says whether it is new.
  uint64_t DependencyId(uint32_t tid, uint32_t segment, uint64_t key, bool* created)
      ABSL_LOCKS_EXCLUDED(deps_mu_);

  // Writes the thread's unflushed dependency counts and merges its class counters.
  void FlushThread(ThreadState* ts);
  // Writes per-class statistics and the runtime's own counters.
  void WriteStatistics();

  // fork() quiesces the cold paths: they hold this shared, fork holds it exclusively.
  RuntimeSharedMutex& fork_mu() { return fork_mu_; }

  // Counters of what the runtime had to drop (reported in the trace).
  std::atomic<uint64_t> held_overflows{0};
  std::atomic<uint64_t> dropped_events{0};  // full mode: buffered across a trace switch
  std::atomic<uint64_t> cache_evictions{0};
  std::atomic<uint64_t> long_waits{0};
  // Dependency lookups that took the cold path (a new dependency, or one the cache lost).
  std::atomic<uint64_t> dependency_cold_paths{0};

 private:
  ProcessRecorder();
  void ApplyLocked(const Options& options) ABSL_EXCLUSIVE_LOCKS_REQUIRED(options_mu_);
  // `spawned_by_realtime_ns`: this process was started by exec from the process that started
  // at that time, its thread parent_tid in parent_segment (format::ProcessRecord).
  void StartTrace(bool forked_child, uint32_t parent_tid, uint32_t parent_segment,
                  uint64_t spawned_by_realtime_ns = 0)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(options_mu_);

 public:
  // Process lifecycle, called by recorder.cc (which owns the thread-local state).
  void AtExit(ThreadState* current);
  void BeforeFork(ThreadState* current) ABSL_EXCLUSIVE_LOCK_FUNCTION(fork_mu_);
  void AfterForkInParent(ThreadState* current) ABSL_UNLOCK_FUNCTION(fork_mu_);
  void AfterForkInChild(ThreadState* current) ABSL_UNLOCK_FUNCTION(fork_mu_);

 private:

  struct ThreadEntry {
    ThreadState* state = nullptr;  // null once the thread exited
    std::string name;
    uint32_t parent = 0;
    uint32_t parent_segment = 0;
    uint64_t os_tid = 0;
  };
  void WriteThreadStart(uint32_t tid, const ThreadEntry& entry);

  RuntimeSharedMutex fork_mu_;
  LockRegistry registry_;
  ModuleMap modules_;
  TraceWriter writer_{modules_, registry_};
  OnlineChecker checker_;

  mutable RuntimeMutex options_mu_;
  Options options_ ABSL_GUARDED_BY(options_mu_);
  std::string options_text_ ABSL_GUARDED_BY(options_mu_);
  std::atomic<int64_t> long_wait_ns_{0};
  std::atomic<uint32_t> hold_sample_{256};
  std::atomic<int> stack_depth_{32};
  std::atomic<bool> quiet_{false};
  std::atomic<OnCycle> on_cycle_{OnCycle::kReport};
  std::atomic<OnMisuse> on_misuse_{OnMisuse::kReport};
  std::atomic<OnDeadlock> on_deadlock_{OnDeadlock::kExit};
  std::atomic<int64_t> deadlock_check_ns_{1'000'000'000};
  std::atomic<uint32_t> trace_generation_{0};
  std::unique_ptr<Steering> steering_;  // set once, before any thread state

  int64_t start_monotonic_ns_ = 0;
  uint64_t start_tsc_ = 0;
  std::atomic<bool> full_mode_{false};
  std::atomic<bool> process_hooks_claimed_{false};
  int64_t start_realtime_ns_ = 0;

  mutable RuntimeMutex threads_mu_;
  absl::flat_hash_map<uint32_t, ThreadEntry> threads_ ABSL_GUARDED_BY(threads_mu_);
  uint32_t next_tid_ ABSL_GUARDED_BY(threads_mu_) = 1;
  // In a forked child, the states of the threads that did not survive the fork: never freed
  // (their mutexes may look held, their containers half-updated), but kept reachable so that
  // leak checkers do not report them.
  std::vector<ThreadState*> forked_away_ ABSL_GUARDED_BY(threads_mu_);
  // The thread that called fork(), and its segment then (for the child's process record).
  uint32_t forking_tid_ = 0;
  uint32_t forking_segment_ = 0;
  // The forking thread's signal mask before BeforeFork blocked its asynchronous signals (a
  // handler taking a lock would wait for fork_mu_, which the thread holds).
  sigset_t fork_saved_signals_;

  RuntimeMutex deadlocks_mu_;
  absl::flat_hash_set<std::vector<uint64_t>> reported_deadlocks_ ABSL_GUARDED_BY(deadlocks_mu_);

  RuntimeMutex deps_mu_;
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint64_t>, uint64_t> deps_
      ABSL_GUARDED_BY(deps_mu_);
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_PROCESS_RECORDER_H_

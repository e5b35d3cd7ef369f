// lockgraph::Process — runs a callable in a forked child process (Python's
// multiprocessing.Process with the "fork" start method).
//
//   lockgraph::ProcessLock journal("journal");
//   lockgraph::Process writer([&] { std::lock_guard hold(journal); append(); }, "writer");
//   writer.start();  ...  writer.join();
//   if (writer.exitcode() != 0) ...
//
// start() forks; the child runs the target, writes out its lockgraph trace and ends with
// _exit(0), or _exit(1) if the target threw (the exception is printed first); a target that
// calls exit() itself ends with its own status. The child is a copy of the parent made by
// fork(): it has only the thread that called start(), and shares with the parent only what is
// in shared memory (ProcessLock, ProcessQueue, MAP_SHARED mappings). As in Python, start()
// flushes stdio first, so buffered output is not written twice.
//
// Orders: the fork orders the parent's past before everything the child does, and a join()
// that sees the child end orders all of the child before what the joiner does next. The
// analysis uses both to rule out lock-order cycles between processes that cannot overlap
// (docs/processes.md). Each process writes its own trace; analyze them together.
//
// Not thread-safe for start(); join(), is_alive() and exitcode() may be called from any thread
// of the parent. The destructor joins a child still running (as lockgraph::Thread does).
#ifndef LOCKGRAPH_PROCESS_H_
#define LOCKGRAPH_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class Process {
 public:
  // A process that runs `target`. An empty name becomes "Process-N".
  explicit Process(std::function<void()> target, std::string_view name = {},
                   std::source_location site = std::source_location::current());
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Forks the child, which runs the target. At most once: a second start() is misuse
  // (reported, ignored). Throws std::system_error if fork() fails.
  void start();
  // Waits for the child to end, at most `timeout`; true if it has ended (its exit status is
  // then in exitcode()). Joining before start(), or from another process than the one that
  // started it, is misuse (reported, returns false).
  bool join(std::chrono::nanoseconds timeout = kForever);
  // True from start() until the child has ended. Reaps an ended child, as Python does.
  bool is_alive() const;
  // The child's exit status once it has ended: its exit code, or minus the number of the
  // signal that killed it. std::nullopt before start(), while it runs, and if another part of
  // the program reaped it (waitpid) first.
  std::optional<int> exitcode() const;
  // The child's process id; 0 before start().
  pid_t pid() const { return pid_.load(std::memory_order_acquire); }
  const std::string& name() const { return name_; }

 private:
  [[noreturn]] void RunChild();
  // Reaps the child if it has ended; true if it has (now or before).
  bool Reap() const ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until the child has ended (without reaping it) or the deadline passes.
  bool WaitForEnd(internal::Deadline deadline) const;

  std::function<void()> target_;
  std::string name_;
  std::atomic<bool> started_{false};
  std::atomic<bool> joined_{false};  // a join() returned true (the destructor need not join)
  std::atomic<pid_t> pid_{0};
  pid_t parent_pid_ = 0;
  int pidfd_ = -1;  // the child's pidfd (-1 if the kernel has none): waits with a timeout

  mutable internal::RawMutex mu_;
  mutable bool reaped_ ABSL_GUARDED_BY(mu_) = false;
  mutable std::optional<int> exitcode_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_PROCESS_H_

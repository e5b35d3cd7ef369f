// Runtime options: what lockgraph records and what it does when it finds a problem.
//
// Set them in the environment before the program starts,
//   LOCKGRAPH_OPTIONS="trace=/tmp/lg.%p.lgtrace:on_cycle=abort:long_wait=50ms" ./my_test
// or from code, before or while threads run:
//   lockgraph::Options options = lockgraph::CurrentOptions();
//   options.on_cycle = lockgraph::OnCycle::kAbort;
//   lockgraph::Configure(options);
//
// An unknown key or a bad value is reported on stderr in one line naming it, and that option
// keeps its default; the program runs on. An unwritable trace path gives one warning and the
// program runs on without a trace.
#ifndef LOCKGRAPH_OPTIONS_H_
#define LOCKGRAPH_OPTIONS_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace lockgraph {

enum class Mode { kDeps, kFull };
enum class OnCycle { kReport, kAbort, kIgnore };
enum class OnMisuse { kReport, kAbort };
enum class OnDeadlock { kExit, kAbort, kReport };

// The exit status of a program that on_deadlock=exit ends (the default): the status a CI job
// sees instead of a timeout.
inline constexpr int kDeadlockExitStatus = 86;

struct Options {
  // Trace file; "%p" becomes the process id. Empty: no trace file.
  std::string trace = "lockgraph.%p.lgtrace";
  // deps: each distinct lock order once per thread (cheap). full: also every acquire,
  // release, wait, signal and annotated access (docs/full-mode.md).
  Mode mode = Mode::kDeps;
  // What to do when a new lock-order edge closes a cycle that can deadlock.
  OnCycle on_cycle = OnCycle::kReport;
  // What to do on misuse (double release, release by a non-owner, self-deadlock, ...).
  OnMisuse on_misuse = OnMisuse::kReport;
  // A thread that has waited this long for a lock (a wait without a timeout) looks for a
  // waits-for cycle: threads that each wait for a lock the next one holds, a deadlock that
  // is happening. 0 turns the check off. Waits shorter than this cost nothing more.
  std::chrono::nanoseconds deadlock_check = std::chrono::seconds(1);
  // What to do when a deadlock happens (the check above found one, or a thread waits for a
  // non-recursive lock it holds): report it on stderr and in the trace, then exit (with
  // kDeadlockExitStatus, every blocked thread's trace written), abort, or let it hang
  // (report).
  OnDeadlock on_deadlock = OnDeadlock::kExit;
  // Waits at least this long are recorded with the waiter's stack and the holder.
  std::chrono::nanoseconds long_wait = std::chrono::milliseconds(100);
  // Frames kept per captured stack (1..64).
  int stack_depth = 32;
  // No reports on stderr (findings still go to the trace).
  bool quiet = false;
  // Hold times are measured for one acquisition in this many, per class and thread (rounded
  // up to a power of two; 1 = every one). Each measure reads the clock twice.
  int hold_sample = 256;
  // llvm-symbolizer to name frames in online reports: empty searches PATH, "none" disables.
  std::string symbolizer;
};

// Parses "key=value:key=value" into `options`, starting from what it holds. Each unknown key
// or bad value adds one message to `errors` and leaves that option unchanged.
void ParseOptions(std::string_view text, Options& options, std::vector<std::string>& errors);

// Replaces the runtime's options; applies to everything recorded from now on. A changed trace
// path closes the old trace and starts the new one with the threads alive now; a lock order
// a thread already recorded in the old file goes to the new one only once that thread makes
// it in a new segment (after it starts or joins a thread), so configure the trace before the
// threads you want traced start. hold_sample applies to each thread from its next sample.
void Configure(const Options& options);
Options CurrentOptions();

// Writes every pending record, dependency count and statistic to the trace now (also done at
// thread and process exit).
void Flush();

}  // namespace lockgraph

#endif  // LOCKGRAPH_OPTIONS_H_

// The text of the reports printed on stderr while the program runs: a lock-order cycle the
// moment it closes, a deadlock that is happening, and misuse. Written like lockdep's reports:
// who takes what while holding what, each with its stack, then the interleaving that
// deadlocks, then the fix.
#ifndef LOCKGRAPH_RUNTIME_ONLINE_ONLINE_REPORT_H_
#define LOCKGRAPH_RUNTIME_ONLINE_ONLINE_REPORT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/source_frame.h"
#include "runtime/online/online_checker.h"

namespace lockgraph::runtime {

// The frames of every pc a report names (each a return address), symbolized in one batch.
using SymbolTable = absl::flat_hash_map<uintptr_t, SymbolizedAddress>;

// `Lock "accounts" (created at bank.cc:12)`, `Lock created at bank.cc:12` for a class that is
// its construction site, `pthread_mutex first used at bank.cc:40` for an object the preload
// saw (its site looked up in `symbols`, if there).
std::string LockLabel(const LockDescription& lock, const SymbolTable& symbols = {});
// `"accounts"` or `bank.cc:12`: short, for the interleaving diagram.
std::string LockShortName(const LockDescription& lock, const SymbolTable& symbols = {});

using ThreadNamer = std::function<std::string(uint32_t tid)>;

// Every pc FormatCycleReport will look up.
std::vector<uintptr_t> PcsOf(const CycleFinding& cycle);

std::string FormatCycleReport(const CycleFinding& cycle, const SymbolTable& symbols,
                              const ThreadNamer& thread_name, absl::string_view trace_path);

// One thread of a deadlock that is happening: it holds `held` (taken at `held_pc`) and waits,
// at `stack`, for `waits_for`, which the next thread of the deadlock holds. A deadlock of one
// thread holds what it waits for.
struct DeadlockedThread {
  // A thread of another process (a deadlock across ProcessLocks): its pid, name and what it
  // holds and waits for; its stack is in that process's report. 0 for this process's.
  uint64_t pid = 0;
  std::string name;
  std::string held_label;
  std::string waits_label;
  uint32_t tid = 0;
  LockDescription held;
  uintptr_t held_pc = 0;
  LockDescription waits_for;
  bool shared = false;       // it waits as a reader
  bool held_shared = false;  // it holds `held` as a reader
  std::vector<uintptr_t> stack;
};

// Every pc FormatDeadlockReport will look up.
std::vector<uintptr_t> PcsOf(const std::vector<DeadlockedThread>& threads);

// "deadlock now": every thread of the deadlock, the lock it holds and where it took it, the
// lock it waits for and where it waits; `outcome` is the last line (what happens next).
std::string FormatDeadlockReport(const std::vector<DeadlockedThread>& threads,
                                 const SymbolTable& symbols, const ThreadNamer& thread_name,
                                 absl::string_view trace_path, absl::string_view outcome);

// `headline` is one sentence; the stack follows.
std::string FormatMisuseReport(absl::string_view kind, absl::string_view headline,
                               const std::vector<uintptr_t>& stack, const SymbolTable& symbols);

// Appends "    #i frame" lines, inlined frames included, for the user frames of the stack
// (lockgraph's and the standard library's frames around them are left out).
void AppendStack(std::string& out, const std::vector<uintptr_t>& stack,
                 const SymbolTable& symbols, absl::string_view indent);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_ONLINE_REPORT_H_

// `lockgraph run -- CMD ARGS...`: runs a program under the LD_PRELOAD interposer, its trace
// files going to a directory, and returns what the program returned.
//
//   RunResult r = RunUnderPreload({"./server", "--port=0"}, "/tmp/traces", preload);
//
// The program inherits stdin, stdout and stderr. SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent
// to lockgraph are passed on to it; SIGINT and SIGQUIT from the terminal reach it directly
// (lockgraph ignores them meanwhile, as system() does).
#ifndef LOCKGRAPH_ANALYZER_CLI_RUN_COMMAND_H_
#define LOCKGRAPH_ANALYZER_CLI_RUN_COMMAND_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace lockgraph::cli {

struct RunResult {
  int exit_code = 0;  // the program's, or 128 + signal if a signal ended it
  int signal = 0;
  bool timed_out = false;  // RunSettings::timeout_ms passed: the program was killed
  // Processes it started were still running kOrphanWaitMs after it ended (RunUnderPreload):
  // their traces are read as they are.
  bool left_running = false;
};

// How long RunUnderPreload waits, once the program has ended, for the processes it started
// and left running (a daemon, Python's resource tracker) to end too.
inline constexpr int64_t kOrphanWaitMs = 5000;

// The preload library: $LOCKGRAPH_PRELOAD, else ../lib/ beside this executable, else the
// build tree's. An error if none is there.
absl::StatusOr<std::string> FindPreloadLibrary();

// The bootstrap of lockgraph's Python package (lockgraph/_bootstrap, whose sitecustomize.py
// installs the package), found like the preload library: under LOCKGRAPH_PYTHON_DIR, next to
// the installed command, or (for the build tree's command only) in the build tree. Empty if
// there is none: then Python programs run under the preload alone, whose reports name the
// interpreter's frames.
std::string FindPythonBootstrap();

// What `lockgraph confirm` changes in a run.
struct RunSettings {
  std::string options;            // appended to LOCKGRAPH_OPTIONS (a later option wins)
  std::vector<std::string> env;   // more NAME=VALUE entries
  // Where the program's stdout goes: lockgraph's stdout, its stderr (confirm's report owns
  // stdout), or nowhere (confirm's steered runs repeat the program).
  enum class Stdout { kInherit, kToStderr, kDiscard };
  Stdout program_stdout = Stdout::kInherit;
  // > 0: the longest the program may run; then it and the processes it started (its own
  // process group) are killed. The program then cannot read the terminal.
  int64_t timeout_ms = 0;
};

// A new directory under $TMPDIR (or /tmp), removed with everything in it when destroyed.
class TemporaryDirectory {
 public:
  // "/tmp/PREFIX-XXXXXX"; an error if it cannot be made.
  static absl::StatusOr<TemporaryDirectory> Create(const std::string& prefix);
  TemporaryDirectory(TemporaryDirectory&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  TemporaryDirectory& operator=(TemporaryDirectory&&) = delete;
  ~TemporaryDirectory();
  const std::string& path() const { return path_; }

 private:
  explicit TemporaryDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Runs `command` (searched in PATH) with the preload and traces in `trace_dir` (made if
// missing), and waits: for it, then for the processes it left running (lockgraph is their
// subreaper), so that each trace is whole when it is read; for these at most kOrphanWaitMs.
absl::StatusOr<RunResult> RunUnderPreload(const std::vector<std::string>& command,
                                          const std::string& trace_dir,
                                          const std::string& preload,
                                          const RunSettings& settings = {});

}  // namespace lockgraph::cli

#endif  // LOCKGRAPH_ANALYZER_CLI_RUN_COMMAND_H_

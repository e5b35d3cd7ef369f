// `lockgraph confirm [--tries N] [--pause D] [--traces DIR] [analysis options] -- CMD ARGS...`:
// proves predicted deadlocks by causing them. Runs CMD under the preload (or reads the
// traces of an earlier run from --traces), analyzes, then for each deadlock and potential
// finding runs CMD again up to N times with the runtime steering the schedule toward that
// cycle (runtime/online/steering.h). A steered run that deadlocks on the cycle's locks is
// caught by the live check, and its observed deadlock confirms the finding. The report is the
// first run's, each cycle marked confirmed (with the hang's stacks) or not reproduced.
// Exit status: 1 if a deadlock was confirmed, 0 if none, 2 on bad input.
#ifndef LOCKGRAPH_ANALYZER_CLI_CONFIRM_COMMAND_H_
#define LOCKGRAPH_ANALYZER_CLI_CONFIRM_COMMAND_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "analyzer/cli/analyze_command.h"

namespace lockgraph::cli {

struct ConfirmFlags {
  AnalyzeFlags analysis;
  std::string traces;    // an earlier run's traces; empty: run the command first
  int tries = 3;         // steered runs per finding
  std::string pause = "2s";  // the longest a thread is held back at once
  std::string deadlock_check = "100ms";  // the live check's interval in steered runs
  std::string run_timeout = "5m";  // a steered run that takes longer is killed
  std::vector<std::string> command;
};

// Adds the `confirm` subcommand to `app`, parsing into `flags`.
CLI::App* AddConfirmCommand(CLI::App& app, ConfirmFlags& flags);

int Confirm(const ConfirmFlags& flags);

}  // namespace lockgraph::cli

#endif  // LOCKGRAPH_ANALYZER_CLI_CONFIRM_COMMAND_H_

#include "analyzer/cli/confirm_command.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analyzer/cli/run_command.h"
#include "analyzer/confirm/confirmation.h"
#include "analyzer/input/trace_paths.h"

namespace lockgraph::cli {
namespace {

using analyzer::Finding;

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

absl::StatusOr<int> Milliseconds(const std::string& flag, const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": '", text, "' is not a positive duration (such as 2s or 500ms)"));
  }
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d), INT_MAX));
}

// One steered run toward `finding`, its traces in `dir`: true (and `finding` marked) if the run
// deadlocked on the finding's locks. Its traces are analyzed with the options of the first
// analysis, but neither suppressions nor baseline: a hang is a hang.
absl::StatusOr<bool> SteeredRun(const ConfirmFlags& flags, const std::string& preload,
                                const std::string& plan_path, const std::string& dir,
                                int deadlock_check_ms, int timeout_ms, Finding& finding,
                                int attempt) {
  RunSettings settings;
  // quiet: the predicted cycles were reported by the first run; the deadlock-now report of
  // a steered run is still printed.
  settings.options = absl::StrCat("deadlock_check=", deadlock_check_ms,
                                  "ms:on_deadlock=exit:quiet=1");
  settings.env = {"LOCKGRAPH_STEER=" + plan_path};
  settings.program_stdout = RunSettings::Stdout::kDiscard;
  settings.timeout_ms = timeout_ms;
  absl::StatusOr<RunResult> run = RunUnderPreload(flags.command, dir, preload, settings);
  if (!run.ok()) return run.status();
  if (run->timed_out) {
    // Stuck in no lock cycle lockgraph sees (the live check would have ended it): a hang,
    // but not this finding's deadlock.
    std::cerr << "lockgraph confirm: the steered run did not end within " << flags.run_timeout
              << " and was killed: a hang in no lock cycle, not counted as a confirmation\n";
    return false;
  }
  if (!analyzer::ExpandTracePaths({dir}).ok()) return false;  // no trace: nothing happened
  AnalyzeFlags steered = flags.analysis;
  steered.paths = {dir};
  steered.suppressions.clear();
  steered.baseline.clear();
  absl::StatusOr<AnalyzedTraces> analyzed = AnalyzeTraces(steered);
  if (!analyzed.ok()) return analyzed.status();
  const Finding* hang = analyzer::MatchingObservedDeadlock(finding, analyzed->report);
  if (hang == nullptr) return false;
  analyzer::MarkConfirmed(finding, *hang, attempt);
  return true;
}

}  // namespace

CLI::App* AddConfirmCommand(CLI::App& app, ConfirmFlags& flags) {
  CLI::App* cmd = app.add_subcommand(
      "confirm",
      "prove predicted deadlocks: run the program again, steered into each cycle, and report "
      "which really deadlock (exit 1 if one did)");
  AddAnalysisOptions(cmd, flags.analysis, "never");
  cmd->add_option("--tries", flags.tries, "steered runs per finding (default 3)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--pause", flags.pause,
                  "the longest a thread is held back at once (default 2s)");
  cmd->add_option("--deadlock-check", flags.deadlock_check,
                  "how long a steered run's threads wait before the live check looks for a "
                  "deadlock (default 100ms)");
  cmd->add_option("--run-timeout", flags.run_timeout,
                  "kill a steered run that takes longer (default 5m): a hang outside lock "
                  "cycles is not a confirmation");
  cmd->add_option("--traces", flags.traces,
                  "the traces of an earlier run of the command (default: run it first)");
  cmd->add_option("command", flags.command, "-- then the program and its arguments")->required();
  return cmd;
}

int Confirm(const ConfirmFlags& flags) {
  absl::StatusOr<int> pause_ms = Milliseconds("--pause", flags.pause);
  if (!pause_ms.ok()) return Fail(pause_ms.status());
  absl::StatusOr<int> check_ms = Milliseconds("--deadlock-check", flags.deadlock_check);
  if (!check_ms.ok()) return Fail(check_ms.status());
  absl::StatusOr<int> timeout_ms = Milliseconds("--run-timeout", flags.run_timeout);
  if (!timeout_ms.ok()) return Fail(timeout_ms.status());
  absl::StatusOr<std::string> preload = FindPreloadLibrary();
  if (!preload.ok()) return Fail(preload.status());
  // The runs' traces and plans.
  absl::StatusOr<TemporaryDirectory> work = TemporaryDirectory::Create("lockgraph-confirm");
  if (!work.ok()) return Fail(work.status());

  AnalyzeFlags first = flags.analysis;
  if (flags.traces.empty()) {
    const std::string dir = work->path() + "/first";
    // The report owns stdout; the program's output goes to stderr.
    RunSettings settings;
    settings.program_stdout = RunSettings::Stdout::kToStderr;
    absl::StatusOr<RunResult> run = RunUnderPreload(flags.command, dir, *preload, settings);
    if (!run.ok()) return Fail(run.status());
    if (!analyzer::ExpandTracePaths({dir}).ok()) {
      return Fail(absl::FailedPreconditionError(absl::StrCat(
          flags.command[0], " wrote no trace: it took no lock that lockgraph sees")));
    }
    first.paths = {dir};
  } else {
    first.paths = {flags.traces};
  }
  absl::StatusOr<AnalyzedTraces> analyzed = AnalyzeTraces(first);
  if (!analyzed.ok()) return Fail(analyzed.status());

  analyzer::SteeringSettings steering;
  steering.pause_ms = *pause_ms;
  bool confirmed = false;
  int index = 0;
  for (Finding& finding : analyzed->report.findings) {
    if (!analyzer::IsConfirmable(finding)) continue;
    ++index;
    const std::string name = absl::StrCat("lockgraph confirm: ", finding.id, " (",
                                          finding.message, ")");
    if (finding.observed) {  // it happened in the first run already
      analyzer::MarkConfirmed(finding, finding, 0);
      std::cerr << name << ": happened in the run itself\n";
      confirmed |= finding.counts();
      continue;
    }
    absl::StatusOr<std::string> plan =
        analyzer::SteeringPlanFor(analyzed->model, finding, steering);
    if (!plan.ok()) return Fail(plan.status());
    const std::string plan_path = absl::StrCat(work->path(), "/plan-", index);
    if (absl::Status status = WriteFile(plan_path, *plan); !status.ok()) return Fail(status);
    bool done = false;
    for (int attempt = 1; attempt <= flags.tries && !done; ++attempt) {
      std::cerr << name << ": steered run " << attempt << " of " << flags.tries << "\n";
      absl::StatusOr<bool> hung =
          SteeredRun(flags, *preload, plan_path,
                     absl::StrCat(work->path(), "/run-", index, "-", attempt), *check_ms,
                     *timeout_ms, finding, attempt);
      if (!hung.ok()) return Fail(hung.status());
      done = *hung;
    }
    if (done) {
      std::cerr << name << ": confirmed, the program deadlocked\n";
      confirmed |= finding.counts();
    } else {
      analyzer::MarkNotReproduced(finding, flags.tries);
      std::cerr << name << ": not reproduced in " << flags.tries
                << (flags.tries == 1 ? " try\n" : " tries\n");
    }
  }
  if (absl::Status status = WriteReport(first, analyzed->report, std::cout); !status.ok()) {
    return Fail(status);
  }
  return confirmed ? kExitFindings : kExitClean;
}

}  // namespace lockgraph::cli

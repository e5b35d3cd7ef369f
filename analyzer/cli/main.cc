// The `lockgraph` command: a thin shell over the analyzer library. It parses the command
// line, calls the library, prints, and turns errors into exit codes: 0 nothing at or above
// --fail-on, 1 findings, 2 bad input or usage. The only stable interface is this command line
// (and the JSON schema); the library's C++ API may change.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analyzer/cli/analyze_command.h"
#include "analyzer/cli/confirm_command.h"
#include "analyzer/cli/progress.h"
#include "analyzer/cli/run_command.h"
#include "analyzer/findings/class_stats.h"
#include "analyzer/input/trace_paths.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/model/model.h"
#include "analyzer/report/chrome_trace.h"
#include "analyzer/report/json_report.h"
#include "analyzer/report/text_report.h"
#include "analyzer/report/trace_dump.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "common/llvm_symbolizer.h"

namespace {

using namespace lockgraph::analyzer;  // NOLINT: the command is a thin layer over it
using namespace lockgraph::cli;       // NOLINT

struct RunFlags {
  AnalyzeFlags analysis;
  std::string trace_dir;
  std::vector<std::string> command;
};

// lockgraph run: the program's exit code, unless --fail-on finds something (1) or the input
// is bad (2). The report goes to stderr (or -o), so the program's stdout stays its own.
int Run(RunFlags& flags) {
  absl::StatusOr<std::string> preload = lockgraph::cli::FindPreloadLibrary();
  if (!preload.ok()) return Fail(preload.status());
  std::optional<TemporaryDirectory> temporary;
  if (flags.trace_dir.empty()) {
    absl::StatusOr<TemporaryDirectory> made = TemporaryDirectory::Create("lockgraph-run");
    if (!made.ok()) return Fail(made.status());
    temporary.emplace(*std::move(made));
  }
  const std::string dir = temporary ? temporary->path() : flags.trace_dir;
  absl::StatusOr<lockgraph::cli::RunResult> result =
      lockgraph::cli::RunUnderPreload(flags.command, dir, *preload);
  int exit_code = result.ok() ? result->exit_code : kExitBadInput;
  if (!result.ok()) {
    Fail(result.status());
  } else {
    if (result->signal != 0) {
      std::cerr << "lockgraph: " << flags.command[0] << " was ended by signal "
                << result->signal << " (" << strsignal(result->signal) << ")\n";
    }
    if (result->left_running) {
      std::cerr << "lockgraph: processes " << flags.command[0] << " started were still "
                << "running " << lockgraph::cli::kOrphanWaitMs / 1000 << " s after it ended: "
                << "their traces are read as they are now\n";
    }
    if (ExpandTracePaths({dir}).ok()) {
      flags.analysis.paths = {dir};
      const int analysis = Analyze(flags.analysis, std::cerr);
      if (analysis != kExitClean) exit_code = analysis;
    } else if (result->signal != 0) {
      std::cerr << "lockgraph: " << flags.command[0] << " wrote no trace before the signal "
                << "ended it\n";
    } else {
      std::cerr << "lockgraph: " << flags.command[0]
                << " wrote no trace: it took no lock that lockgraph sees\n";
    }
  }
  return exit_code;
}

int Stats(const std::vector<std::string>& paths, const std::string& format,
          const std::string& symbolizer_path) {
  absl::StatusOr<Model> model = LoadModel(paths);
  if (!model.ok()) return Fail(model.status());
  // Classes of the preload are named by their variables and sites, as in the reports.
  StackSymbolizer symbolizer(model->traces(), lockgraph::LlvmSymbolizer::Find(symbolizer_path));
  model->ResolveSites(symbolizer);
  for (const std::string& warning : model->warnings()) {
    std::cerr << "lockgraph: warning: " << warning << "\n";
  }
  Report report;
  report.stats = ComputeClassStats(*model);
  if (format == "json") {
    std::cout << FormatJsonReport(report);
  } else {
    std::cout << FormatStatsTable(report.stats);
  }
  return kExitClean;
}

int Dump(const std::string& path, bool symbolize, const std::string& symbolizer_path) {
  absl::StatusOr<Trace> trace = ReadTraceFile(path);
  if (!trace.ok()) return Fail(trace.status());
  std::optional<StackSymbolizer> symbolizer;
  if (symbolize) {
    symbolizer.emplace(std::vector<const Trace*>{&*trace},
                       lockgraph::LlvmSymbolizer::Find(symbolizer_path));
  }
  std::cout << DumpTrace(*trace, symbolizer ? &*symbolizer : nullptr);
  for (const std::string& warning : trace->warnings) {
    std::cerr << "lockgraph: warning: " << warning << "\n";
  }
  return kExitClean;
}

struct ExportFlags {
  std::vector<std::string> paths;
  bool chrome = false;
  std::string output;
};

// lockgraph export --chrome: the timeline goes to -o ("-": stdout); a file that cannot be
// written completely is removed.
int Export(const ExportFlags& flags) {
  absl::StatusOr<std::vector<std::string>> files = ExpandTracePaths(flags.paths);
  if (!files.ok()) return Fail(files.status());
  ChromeTraceExporter exporter;
  for (const std::string& file : *files) {
    if (absl::Status status = exporter.AddTraceFile(file); !status.ok()) return Fail(status);
  }
  for (const std::string& warning : exporter.warnings()) {
    std::cerr << "lockgraph: warning: " << warning << "\n";
  }
  const bool to_stdout = flags.output == "-";
  std::ofstream file;
  if (!to_stdout) {
    file.open(flags.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail(absl::UnavailableError(
          absl::StrCat(flags.output, ": cannot write the timeline: ", strerror(errno))));
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;
  absl::Status status = exporter.Write(out);
  out.flush();
  if (!to_stdout) file.close();
  if (status.ok() && !out) {
    status = absl::UnavailableError(absl::StrCat(flags.output, ": cannot write the timeline"));
  }
  if (!status.ok()) {
    if (!to_stdout) std::remove(flags.output.c_str());
    return Fail(status);
  }
  const ChromeTraceCounts& c = exporter.counts();
  auto count = [](uint64_t n, const char* one, const char* many) {
    return absl::StrCat(n, " ", n == 1 ? one : many);
  };
  std::cerr << "lockgraph: timeline of " << count(c.processes, "process", "processes") << ", "
            << count(c.threads, "thread", "threads") << ": " << count(c.holds, "hold", "holds")
            << ", " << count(c.waits, "wait", "waits") << ", "
            << count(c.lock_arrows, "hand-off", "hand-offs") << ", "
            << count(c.signal_arrows, "signal arrow", "signal arrows")
            << (to_stdout ? "" : " -> " + flags.output) << "\n";
  return kExitClean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lockgraph: finds lock-order cycles (deadlocks) in traces of C++ programs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lockgraph 0.1");

  AnalyzeFlags analyze;
  CLI::App* analyze_cmd = app.add_subcommand(
      "analyze", "report deadlocks, potential deadlocks, long waits and misuse in traces");
  analyze_cmd->add_option("PATH", analyze.paths, "trace files or directories of them")
      ->required();
  analyze_cmd
      ->add_option("--input-format", analyze.input_format,
                   "lockgraph (default: .lgtrace files and directories of them) or std "
                   "(RAPID's STD text traces, one file each; docs/std-import.md)")
      ->check(CLI::IsMember({"lockgraph", "std"}));
  analyze_cmd->add_flag("--strict", analyze.strict,
                        "with --input-format=std: a line that breaks the lock discipline (a "
                        "lock taken while another thread holds it, or released by a thread "
                        "that does not hold it) is an error (exit 2), not repaired with a "
                        "warning");
  AddAnalysisOptions(analyze_cmd, analyze, "deadlock");

  RunFlags run;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "run a program under lockgraph (no rebuild needed: LD_PRELOAD), then report");
  AddAnalysisOptions(run_cmd, run.analysis, "never");
  run_cmd->add_option("--trace-dir", run.trace_dir,
                      "keep the program's traces here (default: a temporary directory)");
  run_cmd->add_option("command", run.command, "-- then the program and its arguments")
      ->required();


  ConfirmFlags confirm;
  CLI::App* confirm_cmd = AddConfirmCommand(app, confirm);

  std::vector<std::string> stats_paths;
  std::string stats_format = "text";
  CLI::App* stats_cmd = app.add_subcommand("stats", "per-class lock statistics of traces");
  stats_cmd->add_option("PATH", stats_paths, "trace files or directories of them")->required();
  stats_cmd->add_option("--format", stats_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  std::string stats_symbolizer;
  stats_cmd->add_option("--symbolizer", stats_symbolizer,
                         "llvm-symbolizer to use, or none (default: from PATH)")
      ->check(SymbolizerPath());

  std::string dump_path;
  bool dump_symbolize = false;
  std::string dump_symbolizer;
  CLI::App* dump_cmd = app.add_subcommand("dump", "print every record of a trace file as text");
  dump_cmd->add_option("TRACE", dump_path, "trace file")->required();
  dump_cmd->add_flag("--symbolize", dump_symbolize,
                     "name the frames of each stack (function file:line) with llvm-symbolizer");
  dump_cmd->add_option("--symbolizer", dump_symbolizer,
                       "llvm-symbolizer to use (default: from PATH)")
      ->check(SymbolizerPath());

  ExportFlags export_flags;
  CLI::App* export_cmd = app.add_subcommand(
      "export", "write traces as a timeline for other tools (full-mode traces: every hold)");
  export_cmd->add_option("TRACE", export_flags.paths, "trace files or directories of them")
      ->required();
  export_cmd->add_flag("--chrome", export_flags.chrome,
                       "Chrome Trace Event Format JSON, for ui.perfetto.dev and chrome://tracing")
      ->required();
  export_cmd->add_option("-o,--output", export_flags.output, "the file to write, - for stdout")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "lockgraph: " << e.what() << " (see lockgraph --help)\n";
    return kExitBadInput;
  }
  if (analyze_cmd->parsed()) return Analyze(analyze, std::cout);
  if (run_cmd->parsed()) return Run(run);
  if (confirm_cmd->parsed()) return Confirm(confirm);
  if (stats_cmd->parsed()) return Stats(stats_paths, stats_format, stats_symbolizer);
  if (dump_cmd->parsed()) return Dump(dump_path, dump_symbolize, dump_symbolizer);
  if (export_cmd->parsed()) return Export(export_flags);
  return kExitBadInput;
}

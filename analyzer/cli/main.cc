// The `lockgraph` command: a thin shell over the analyzer library. It parses the command
// line, calls the library, prints, and turns errors into exit codes: 0 nothing at or above
// --fail-on, 1 findings, 2 bad input or usage. The only stable interface is this command line
// (and the JSON schema); the library's C++ API may change.
#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analyzer/analysis.h"
#include "analyzer/cli/progress.h"
#include "analyzer/cli/run_command.h"
#include "analyzer/filters/baseline.h"
#include "analyzer/filters/suppressions.h"
#include "analyzer/findings/class_stats.h"
#include "analyzer/input/std_importer.h"
#include "analyzer/input/trace_paths.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/model/model.h"
#include "analyzer/replay/event_replay.h"
#include "analyzer/report/chrome_trace.h"
#include "analyzer/report/dot_report.h"
#include "analyzer/report/html_report.h"
#include "analyzer/report/json_report.h"
#include "analyzer/report/sarif_report.h"
#include "analyzer/report/text_report.h"
#include "analyzer/report/trace_dump.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "common/llvm_symbolizer.h"

namespace {

using namespace lockgraph::analyzer;  // NOLINT: the command is a thin layer over it

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitBadInput = 2;

int Fail(const absl::Status& status) {
  std::cerr << "lockgraph: " << status.message() << "\n";
  return kExitBadInput;
}

struct AnalyzeFlags {
  std::vector<std::string> paths;
  std::string input_format = "lockgraph";  // or "std": RAPID's text traces
  std::string format = "text";
  std::string output;
  std::string fail_on = "deadlock";
  std::string long_wait = "100ms";
  bool explain = false;
  std::string suppressions;
  std::string baseline;
  int max_cycle_length = 8;
  int max_cycles = 1000;
  std::string symbolizer;
  std::string source_root;  // SARIF: write paths under it relative to it
  bool cycles_only = false;  // DOT: only the classes and orders of reported cycles
};

absl::StatusOr<Model> LoadModel(const std::vector<std::string>& paths,
                                const std::string& input_format = "lockgraph") {
  Model model;
  Progress progress;
  if (input_format == "std") {
    // Each file is imported into a full-mode trace in memory (docs/std-import.md).
    for (const std::string& path : paths) {
      absl::StatusOr<std::string> trace = ImportStdFile(path);
      if (!trace.ok()) return trace.status();
      if (absl::Status status = model.AddTraceBytes(path, *std::move(trace)); !status.ok()) {
        return status;
      }
    }
  } else {
    absl::StatusOr<std::vector<std::string>> files = ExpandTracePaths(paths);
    if (!files.ok()) return files.status();
    for (size_t i = 0; i < files->size(); ++i) {
      const std::string label =
          files->size() == 1 ? "reading the trace"
                             : absl::StrCat("reading trace ", i + 1, " of ", files->size());
      if (absl::Status status = model.AddTraceFile((*files)[i], progress.Reporter(label));
          !status.ok()) {
        return status;
      }
    }
  }
  model.Finish();
  // Full-mode traces: races, and the signal orders that rule out more cycles.
  if (model.has_events()) {
    absl::Status status = ReplayEvents(model, nullptr, progress.Reporter("replaying events"));
    if (!status.ok()) return status;
  }
  return model;
}

// Writes the report to `path`, or to `fallback` (stdout, or stderr under `run`) if none.
absl::Status WriteOutput(const std::string& path, const std::string& text,
                         std::ostream& fallback) {
  if (path.empty() || path == "-") {
    fallback << text;
    return absl::OkStatus();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot write the report: ", strerror(errno)));
  }
  out << text;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat(path, ": cannot write the report"));
  return absl::OkStatus();
}

std::optional<FindingKind> FailOnKind(const std::string& name) {
  for (FindingKind kind : kAllFindingKinds) {
    if (name == FindingKindName(kind)) return kind;
  }
  return std::nullopt;
}

// The absolute, normal form of --source-root, ending in '/'.
std::string SourceRoot(const std::string& dir) {
  if (dir.empty()) return "";
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(dir, error).lexically_normal();
  std::string root = path.string();
  if (root.empty() || root.back() != '/') root.push_back('/');
  return root;
}

int Analyze(const AnalyzeFlags& flags, std::ostream& default_output) {
  if (!flags.source_root.empty() && flags.format != "sarif") {
    return Fail(absl::InvalidArgumentError("--source-root: only with --format=sarif"));
  }
  if (flags.cycles_only && flags.format != "dot") {
    return Fail(absl::InvalidArgumentError("--cycles-only: only with --format=dot"));
  }
  absl::Duration long_wait;
  if (!absl::ParseDuration(flags.long_wait, &long_wait) || long_wait < absl::ZeroDuration()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--long-wait: '", flags.long_wait, "' is not a duration (such as 100ms or 2s)")));
  }
  std::optional<Suppressions> suppressions;
  if (!flags.suppressions.empty()) {
    absl::StatusOr<Suppressions> read = Suppressions::ReadFile(flags.suppressions);
    if (!read.ok()) return Fail(read.status());
    suppressions = *std::move(read);
  }
  absl::flat_hash_set<std::string> baseline;
  if (!flags.baseline.empty()) {
    absl::StatusOr<absl::flat_hash_set<std::string>> ids = ReadBaselineIds(flags.baseline);
    if (!ids.ok()) return Fail(ids.status());
    baseline = *std::move(ids);
  }
  absl::StatusOr<Model> model = LoadModel(flags.paths, flags.input_format);
  if (!model.ok()) return Fail(model.status());

  std::vector<const Trace*> traces;
  for (const Trace& trace : model->traces()) traces.push_back(&trace);
  StackSymbolizer symbolizer(traces, lockgraph::LlvmSymbolizer::Find(flags.symbolizer));
  model->ResolveSites(symbolizer);
  AnalysisOptions options;
  options.long_wait_ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(long_wait));
  options.cycles.max_length = flags.max_cycle_length;
  options.cycles.max_cycles = flags.max_cycles;
  options.order_graph = flags.format == "dot";
  Report report = Analyze(*model, symbolizer, options);

  const std::optional<FindingKind> fail_on = FailOnKind(flags.fail_on);
  bool failed = false;
  for (Finding& finding : report.findings) {
    finding.suppressed = suppressions && suppressions->Matches(finding);
    finding.in_baseline = baseline.contains(finding.id);
    failed |= fail_on && finding.counts() && finding.kind <= *fail_on;
  }
  std::string text;
  if (flags.format == "json") {
    text = FormatJsonReport(report);
  } else if (flags.format == "html") {
    text = FormatHtmlReport(report);
  } else if (flags.format == "sarif") {
    text = FormatSarifReport(report, SarifOptions{.source_root = SourceRoot(flags.source_root),
                                                  .baseline = !flags.baseline.empty(),
                                                  .suppressions_file = flags.suppressions});
  } else if (flags.format == "dot") {
    text = FormatDotReport(report, DotOptions{.cycles_only = flags.cycles_only});
  } else {
    text = FormatTextReport(report, flags.explain);
  }
  if (absl::Status status = WriteOutput(flags.output, text, default_output); !status.ok()) {
    return Fail(status);
  }
  // The text report prints the warnings itself; the others are for tools.
  if (flags.format != "text") {
    for (const std::string& warning : report.warnings) {
      std::cerr << "lockgraph: warning: " << warning << "\n";
    }
  }
  return failed ? kExitFindings : kExitClean;
}

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
  const bool temporary = flags.trace_dir.empty();
  std::string dir = flags.trace_dir;
  std::error_code error;
  if (temporary) {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/lockgraph-run-XXXXXX");
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Fail(absl::UnavailableError(absl::StrCat(tmpl, ": ", strerror(errno))));
    }
    dir = tmpl;
  } else if (!std::filesystem::create_directories(dir, error) && error) {
    return Fail(absl::UnavailableError(absl::StrCat(dir, ": ", error.message())));
  }
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
  if (temporary) std::filesystem::remove_all(dir, error);
  return exit_code;
}

int Stats(const std::vector<std::string>& paths, const std::string& format) {
  absl::StatusOr<Model> model = LoadModel(paths);
  if (!model.ok()) return Fail(model.status());
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

// The options of an analysis, shared by `analyze` and `run` (which differ in --fail-on's
// default).
void AddAnalysisOptions(CLI::App* cmd, AnalyzeFlags& flags, const std::string& fail_on) {
  flags.fail_on = fail_on;
  cmd->add_option("--format", flags.format,
                  "text, json, html (one self-contained page), sarif (SARIF 2.1.0) or dot "
                  "(the lock graph, for Graphviz)")
      ->check(CLI::IsMember({"text", "json", "html", "sarif", "dot"}));
  cmd->add_option("-o,--output", flags.output, "write the report here");
  cmd->add_option("--fail-on", flags.fail_on,
                  "exit 1 on findings of this kind or a worse one: deadlock, potential, "
                  "race, long-wait, misuse, or never (default " + fail_on + ")")
      ->check(CLI::IsMember({"deadlock", "potential", "race", "long-wait", "misuse", "never"}));
  cmd->add_option("--long-wait", flags.long_wait,
                  "waits at least this long are findings (default 100ms)");
  cmd->add_flag("--explain", flags.explain, "list every cycle that was ruled out, with the reason");
  cmd->add_option("--suppressions", flags.suppressions,
                  "file of findings to ignore (docs/reports.md)");
  cmd->add_option("--baseline", flags.baseline,
                  "an earlier JSON report: only findings not in it count");
  cmd->add_option("--max-cycle-length", flags.max_cycle_length,
                  "longest cycle searched, in locks (default 8)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--max-cycles", flags.max_cycles,
                  "cycles checked per strongly connected component (default 1000)")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--symbolizer", flags.symbolizer,
                  "llvm-symbolizer to use, or none (default: from PATH)");
  cmd->add_option("--source-root", flags.source_root,
                  "with --format=sarif: write the paths of files under DIR relative to it "
                  "(uriBaseId SRCROOT)");
  cmd->add_flag("--cycles-only", flags.cycles_only,
                "with --format=dot: only the lock classes and orders of reported cycles");
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
  AddAnalysisOptions(analyze_cmd, analyze, "deadlock");

  RunFlags run;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "run a program under lockgraph (no rebuild needed: LD_PRELOAD), then report");
  AddAnalysisOptions(run_cmd, run.analysis, "never");
  run_cmd->add_option("--trace-dir", run.trace_dir,
                      "keep the program's traces here (default: a temporary directory)");
  run_cmd->add_option("command", run.command, "-- then the program and its arguments")
      ->required();


  std::vector<std::string> stats_paths;
  std::string stats_format = "text";
  CLI::App* stats_cmd = app.add_subcommand("stats", "per-class lock statistics of traces");
  stats_cmd->add_option("PATH", stats_paths, "trace files or directories of them")->required();
  stats_cmd->add_option("--format", stats_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  std::string dump_path;
  bool dump_symbolize = false;
  std::string dump_symbolizer;
  CLI::App* dump_cmd = app.add_subcommand("dump", "print every record of a trace file as text");
  dump_cmd->add_option("TRACE", dump_path, "trace file")->required();
  dump_cmd->add_flag("--symbolize", dump_symbolize,
                     "name the frames of each stack (function file:line) with llvm-symbolizer");
  dump_cmd->add_option("--symbolizer", dump_symbolizer,
                       "llvm-symbolizer to use (default: from PATH)");

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
  if (stats_cmd->parsed()) return Stats(stats_paths, stats_format);
  if (dump_cmd->parsed()) return Dump(dump_path, dump_symbolize, dump_symbolizer);
  if (export_cmd->parsed()) return Export(export_flags);
  return kExitBadInput;
}

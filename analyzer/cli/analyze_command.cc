#include "analyzer/cli/analyze_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analyzer/analysis.h"
#include "analyzer/cli/progress.h"
#include "analyzer/filters/baseline.h"
#include "analyzer/filters/suppressions.h"
#include "analyzer/input/std_importer.h"
#include "analyzer/input/trace_paths.h"
#include "analyzer/input/trace_prefetcher.h"
#include "analyzer/replay/event_replay.h"
#include "analyzer/report/dot_report.h"
#include "analyzer/report/html_report.h"
#include "analyzer/report/json_report.h"
#include "analyzer/report/sarif_report.h"
#include "analyzer/report/text_report.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "common/llvm_symbolizer.h"

namespace lockgraph::cli {

using namespace lockgraph::analyzer;  // NOLINT: the command is a thin layer over it

int Fail(const absl::Status& status) {
  std::cerr << "lockgraph: " << status.message() << "\n";
  return kExitBadInput;
}

namespace {

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

}  // namespace

CLI::Validator SymbolizerPath() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        if (path.empty() || path == "none" || access(path.c_str(), X_OK) == 0) return {};
        return path + " is not an executable llvm-symbolizer (or none)";
      },
      "PATH|none");
}

absl::StatusOr<Model> LoadModel(const std::vector<std::string>& paths,
                                const std::string& input_format, bool strict,
                                StreamedCycles* streamed) {
  Model model;
  Progress progress;
  if (input_format == "std") {
    // Each file is imported into a full-mode trace in memory (docs/std-import.md).
    for (const std::string& path : paths) {
      absl::StatusOr<StdImport> imported = ImportStdFile(path, {.strict = strict});
      if (!imported.ok()) return imported.status();
      // Each repaired line as it is found (bounded by the importer); the report says the
      // findings are those of a repaired trace.
      for (const std::string& warning : imported->warnings) {
        std::cerr << "lockgraph: warning: " << warning << "\n";
      }
      if (const uint64_t repaired = imported->stats.repaired; repaired > 0) {
        model.AddWarning(absl::StrCat(
            path, ": ", repaired, repaired == 1 ? " line breaks" : " lines break",
            " the lock discipline; the analysis is of the trace repaired as docs/std-import.md "
            "says (--strict: an error)"));
      }
      if (absl::Status status = model.AddTraceBytes(path, std::move(imported->trace));
          !status.ok()) {
        return status;
      }
    }
  } else {
    absl::StatusOr<std::vector<std::string>> files = ExpandTracePaths(paths);
    if (!files.ok()) return files.status();
    // Parsed on another thread, a piece or a file ahead of the one being filed.
    TracePrefetcher prefetcher(*files);
    for (size_t i = 0; i < files->size(); ++i) {
      const std::string label =
          files->size() == 1 ? "reading the trace"
                             : absl::StrCat("reading trace ", i + 1, " of ", files->size());
      const ReadProgress reporter =
          progress.Reporter(label, [&] { return model.record_count(); });
      if (absl::Status status = model.AddPrefetchedTrace(prefetcher, (*files)[i], reporter);
          !status.ok()) {
        return status;
      }
      if (streamed != nullptr) streamed->AfterTrace(model, /*last=*/i + 1 == files->size());
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

absl::StatusOr<AnalyzedTraces> AnalyzeTraces(const AnalyzeFlags& flags) {
  if (!flags.source_root.empty() && flags.format != "sarif") {
    return absl::InvalidArgumentError("--source-root: only with --format=sarif");
  }
  if (flags.cycles_only && flags.format != "dot") {
    return absl::InvalidArgumentError("--cycles-only: only with --format=dot");
  }
  if (flags.strict && flags.input_format != "std") {
    return absl::InvalidArgumentError("--strict: only with --input-format=std");
  }
  absl::Duration long_wait;
  if (!absl::ParseDuration(flags.long_wait, &long_wait) || long_wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--long-wait: '", flags.long_wait, "' is not a duration (such as 100ms or 2s)"));
  }
  std::optional<Suppressions> suppressions;
  if (!flags.suppressions.empty()) {
    absl::StatusOr<Suppressions> read = Suppressions::ReadFile(flags.suppressions);
    if (!read.ok()) return read.status();
    suppressions = *std::move(read);
  }
  absl::flat_hash_set<std::string> baseline;
  if (!flags.baseline.empty()) {
    absl::StatusOr<absl::flat_hash_set<std::string>> ids = ReadBaselineIds(flags.baseline);
    if (!ids.ok()) return ids.status();
    baseline = *std::move(ids);
  }
  AnalysisOptions options;
  options.long_wait_ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(long_wait));
  options.cycles.max_length = flags.max_cycle_length;
  options.cycles.max_cycles = flags.max_cycles;
  options.order_graph = flags.format == "dot";
  options.full_stacks = flags.full_stacks;

  // Trace files are judged a trace at a time as they are read, and most of each trace's
  // dependencies dropped (analyzer/streamed_cycles.h). Where that cannot decide the report,
  // the files are read again into a model that keeps every dependency.
  std::optional<StreamedCycles> streamed;
  if (flags.input_format != "std") streamed.emplace(options.cycles);
  std::optional<AnalyzedTraces> analyzed;
  std::optional<StackSymbolizer> symbolizer;
  auto load = [&]() -> absl::Status {
    symbolizer.reset();  // it points into the model
    analyzed.reset();    // a model read before, freed before the next is read
    absl::StatusOr<Model> model = LoadModel(flags.paths, flags.input_format, flags.strict,
                                            streamed ? &*streamed : nullptr);
    if (!model.ok()) return model.status();
    analyzed.emplace(AnalyzedTraces{*std::move(model), Report(), false});
    symbolizer.emplace(analyzed->model.traces(), lockgraph::LlvmSymbolizer::Find(flags.symbolizer));
    analyzed->model.ResolveSites(*symbolizer);
    return absl::OkStatus();
  };
  if (absl::Status status = load(); !status.ok()) return status;
  if (streamed && !streamed->active()) {
    const bool dropped = streamed->dropped_any();
    streamed.reset();
    if (dropped) {
      if (absl::Status status = load(); !status.ok()) return status;
    }
  }
  std::optional<Report> report;
  if (streamed) {
    report = AnalyzeStreamed(analyzed->model, *symbolizer, options, *streamed);
    streamed.reset();
    if (!report) {
      if (absl::Status status = load(); !status.ok()) return status;
    }
  }
  analyzed->report = report ? *std::move(report) : Analyze(analyzed->model, *symbolizer, options);
  const std::optional<FindingKind> fail_on = FailOnKind(flags.fail_on);
  for (Finding& finding : analyzed->report.findings) {
    finding.suppressed = suppressions && suppressions->Matches(finding);
    finding.in_baseline = baseline.contains(finding.id);
    analyzed->failed |= fail_on && finding.counts() && finding.kind <= *fail_on;
  }
  return *std::move(analyzed);
}

absl::Status WriteReport(const AnalyzeFlags& flags, const Report& report,
                         std::ostream& default_output) {
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
    return status;
  }
  // The text report prints the warnings itself; the others are for tools.
  if (flags.format != "text") {
    for (const std::string& warning : report.warnings) {
      std::cerr << "lockgraph: warning: " << warning << "\n";
    }
  }
  return absl::OkStatus();
}

int Analyze(const AnalyzeFlags& flags, std::ostream& default_output) {
  absl::StatusOr<AnalyzedTraces> analyzed = AnalyzeTraces(flags);
  if (!analyzed.ok()) return Fail(analyzed.status());
  if (absl::Status status = WriteReport(flags, analyzed->report, default_output); !status.ok()) {
    return Fail(status);
  }
  return analyzed->failed ? kExitFindings : kExitClean;
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
  cmd->add_flag("--full-stacks", flags.full_stacks,
                "show whole stacks: the C++ library's call machinery (std::function, "
                "std::invoke, std::bind) and lockgraph's thread start between the program's "
                "frames are folded otherwise");
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
                  "llvm-symbolizer to use, or none (default: from PATH)")
      ->check(SymbolizerPath());
  cmd->add_option("--source-root", flags.source_root,
                  "with --format=sarif: write the paths of files under DIR relative to it "
                  "(uriBaseId SRCROOT)");
  cmd->add_flag("--cycles-only", flags.cycles_only,
                "with --format=dot: only the lock classes and orders of reported cycles");
}

}  // namespace lockgraph::cli

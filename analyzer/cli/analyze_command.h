// `lockgraph analyze` and the analysis options the commands that report share (`run`,
// `confirm`): load traces into a model, analyze, apply suppressions and the baseline, format
// and write the report.
#ifndef LOCKGRAPH_ANALYZER_CLI_ANALYZE_COMMAND_H_
#define LOCKGRAPH_ANALYZER_CLI_ANALYZE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analyzer/findings/finding.h"
#include "analyzer/model/model.h"
#include "analyzer/streamed_cycles.h"

namespace lockgraph::cli {

inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitBadInput = 2;

// Prints "lockgraph: MESSAGE" on stderr; returns kExitBadInput.
int Fail(const absl::Status& status);

struct AnalyzeFlags {
  std::vector<std::string> paths;
  std::string input_format = "lockgraph";  // or "std": RAPID's text traces
  bool strict = false;  // std: a line that breaks the lock discipline is an error, not repaired
  std::string format = "text";
  std::string output;
  std::string fail_on = "deadlock";
  std::string long_wait = "100ms";
  bool explain = false;
  bool full_stacks = false;  // every frame, the library's call machinery included
  std::string suppressions;
  std::string baseline;
  int max_cycle_length = 8;
  int max_cycles = 1000;
  std::string symbolizer;
  std::string source_root;  // SARIF: write paths under it relative to it
  bool cycles_only = false;  // DOT: only the classes and orders of reported cycles
};

// The options of an analysis, shared by `analyze`, `run` and `confirm` (which differ in
// --fail-on's default).
void AddAnalysisOptions(CLI::App* cmd, AnalyzeFlags& flags, const std::string& fail_on);

// --symbolizer's check: empty (search PATH), "none", or an executable file. A path that is
// not one is bad usage, not a silent report without names.
CLI::Validator SymbolizerPath();

// Reads trace files and directories (or STD traces) into a finished model. An STD trace's
// repaired lines are warned about on stderr, and counted in one warning of the model;
// `strict` makes the first one an error instead.
// With `streamed`, each trace file is given to it as soon as it is read (StreamedCycles::
// AfterTrace), which may drop most of its dependencies from the model.
absl::StatusOr<analyzer::Model> LoadModel(const std::vector<std::string>& paths,
                                          const std::string& input_format = "lockgraph",
                                          bool strict = false,
                                          analyzer::StreamedCycles* streamed = nullptr);

// The analysis of flags.paths: the model and its report, suppressions and baseline applied;
// `failed` if a finding counts at or above --fail-on.
struct AnalyzedTraces {
  analyzer::Model model;
  analyzer::Report report;
  bool failed = false;
};
absl::StatusOr<AnalyzedTraces> AnalyzeTraces(const AnalyzeFlags& flags);

// Formats the report as flags.format and writes it to flags.output, or to `default_output`
// (stdout, or stderr under `run`) if none; warnings go to stderr for formats other than text.
absl::Status WriteReport(const AnalyzeFlags& flags, const analyzer::Report& report,
                         std::ostream& default_output);

// `lockgraph analyze`: 0 clean, 1 findings at or above --fail-on, 2 bad input.
int Analyze(const AnalyzeFlags& flags, std::ostream& default_output);

}  // namespace lockgraph::cli

#endif  // LOCKGRAPH_ANALYZER_CLI_ANALYZE_COMMAND_H_

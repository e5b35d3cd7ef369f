#include "fuzz/analyze_model.h"

#include <optional>
#include <string>
#include <vector>

#include "analyzer/analysis.h"
#include "analyzer/findings/class_stats.h"
#include "analyzer/replay/event_replay.h"
#include "analyzer/report/dot_report.h"
#include "analyzer/report/html_report.h"
#include "analyzer/report/json_report.h"
#include "analyzer/report/sarif_report.h"
#include "analyzer/report/text_report.h"
#include "analyzer/symbols/stack_symbolizer.h"

namespace lockgraph::fuzz {

namespace {

analyzer::AnalysisOptions Options() {
  analyzer::AnalysisOptions options;
  options.long_wait_ns = 1;  // every recorded wait is a finding
  options.order_graph = true;
  return options;
}

}  // namespace

std::string AnalyzeModel(analyzer::Model& model) {
  model.Finish();
  if (model.has_events() && !analyzer::ReplayEvents(model).ok()) return "";
  // No llvm-symbolizer: frames stay module+offset, and no process is started per input.
  analyzer::StackSymbolizer symbolizer(model.traces(), std::nullopt);
  model.ResolveSites(symbolizer);
  analyzer::Report report = analyzer::Analyze(model, symbolizer, Options());
  (void)analyzer::FormatTextReport(report, /*explain=*/true);
  std::string json = analyzer::FormatJsonReport(report);
  (void)analyzer::FormatSarifReport(report, analyzer::SarifOptions{});
  (void)analyzer::FormatDotReport(report, analyzer::DotOptions{});
  (void)analyzer::FormatHtmlReport(report);
  (void)analyzer::ComputeClassStats(model);
  return json;
}

std::string AnalyzeStreamedModel(analyzer::Model& model, analyzer::StreamedCycles& streamed) {
  if (!streamed.active()) return "";
  model.Finish();
  analyzer::StackSymbolizer symbolizer(model.traces(), std::nullopt);
  model.ResolveSites(symbolizer);
  const std::optional<analyzer::Report> report =
      analyzer::AnalyzeStreamed(model, symbolizer, Options(), streamed);
  return report ? analyzer::FormatJsonReport(*report) : "";
}

}  // namespace lockgraph::fuzz

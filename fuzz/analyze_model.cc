#include "fuzz/analyze_model.h"

#include <optional>
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

void AnalyzeModel(analyzer::Model& model) {
  model.Finish();
  if (model.has_events() && !analyzer::ReplayEvents(model).ok()) return;
  std::vector<const analyzer::Trace*> traces;
  for (const analyzer::Trace& trace : model.traces()) traces.push_back(&trace);
  // No llvm-symbolizer: frames stay module+offset, and no process is started per input.
  analyzer::StackSymbolizer symbolizer(traces, std::nullopt);
  model.ResolveSites(symbolizer);
  analyzer::AnalysisOptions options;
  options.long_wait_ns = 1;  // every recorded wait is a finding
  options.order_graph = true;
  analyzer::Report report = analyzer::Analyze(model, symbolizer, options);
  (void)analyzer::FormatTextReport(report, /*explain=*/true);
  (void)analyzer::FormatJsonReport(report);
  (void)analyzer::FormatSarifReport(report, analyzer::SarifOptions{});
  (void)analyzer::FormatDotReport(report, analyzer::DotOptions{});
  (void)analyzer::FormatHtmlReport(report);
  (void)analyzer::ComputeClassStats(model);
}

}  // namespace lockgraph::fuzz

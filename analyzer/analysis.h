// The analysis: from a merged model to a report, through the stages of the folders beside
// this file. Lock graphs of instances and of classes (graph/), their cycles judged by the
// witness rules (filters/cycle_verdicts.h): an instance cycle with a witness is a `deadlock`,
// a class cycle with a witness but none among instances a `potential` deadlock (transfer(a, b)
// called both ways on other accounts); then long waits over the threshold, misuse and races
// (findings/), and the per-class statistics.
//
//   Report report = Analyze(model, symbolizer, AnalysisOptions{});
//
// Suppressions and baselines are applied to the report afterwards (filters/). docs/analysis.md
// explains each rule and bound.
#ifndef LOCKGRAPH_ANALYZER_ANALYSIS_H_
#define LOCKGRAPH_ANALYZER_ANALYSIS_H_

#include <cstdint>
#include <optional>

#include "analyzer/findings/finding.h"
#include "analyzer/graph/cycle_search.h"
#include "analyzer/model/model.h"
#include "analyzer/streamed_cycles.h"
#include "analyzer/symbols/stack_symbolizer.h"

namespace lockgraph::analyzer {

struct AnalysisOptions {
  uint64_t long_wait_ns = 100'000'000;  // waits at least this long are findings
  CycleSearchOptions cycles;
  // Fill Report::order_graph (the DOT report). Costs a symbolized stack per class order.
  bool order_graph = false;
  // Show whole stacks: the C++ library's call machinery and lockgraph's thread start
  // included, which are otherwise folded (common/source_frame.h, FoldLibraryFrames).
  bool full_stacks = false;
};

Report Analyze(const Model& model, StackSymbolizer& symbolizer, const AnalysisOptions& options);

// The same report, of a model read with `streamed` taking each trace's cycles as it came
// (analyzer/streamed_cycles.h; it must still be active), or nullopt if a class cycle needs
// dependencies the model dropped: then read the traces again and call Analyze.
std::optional<Report> AnalyzeStreamed(const Model& model, StackSymbolizer& symbolizer,
                                      const AnalysisOptions& options, StreamedCycles& streamed);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_ANALYSIS_H_

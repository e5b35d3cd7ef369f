// The analysis: from a merged model to a report. Lock-order cycles are searched per instance
// (a witness makes a `deadlock`) and per class (a class cycle without an instance witness is
// a `potential` deadlock, like transfer(a, b) called both ways on other accounts); long waits
// over the threshold and misuse come from the runtime's records.
//
//   Report report = Analyze(model, symbolizer, AnalysisOptions{});
//
// Witness rules: common/witness.h. docs/analysis.md explains each rule and bound.
#ifndef LOCKGRAPH_ANALYZER_ANALYSIS_H_
#define LOCKGRAPH_ANALYZER_ANALYSIS_H_

#include <cstdint>

#include "analyzer/findings/finding.h"
#include "analyzer/graph/cycle_search.h"
#include "analyzer/model/model.h"
#include "analyzer/symbols/stack_symbolizer.h"

namespace lockgraph::analyzer {

struct AnalysisOptions {
  uint64_t long_wait_ns = 100'000'000;  // waits at least this long are findings
  CycleSearchOptions cycles;
  // Fill Report::order_graph (the DOT report). Costs a symbolized stack per class order.
  bool order_graph = false;
};

Report Analyze(const Model& model, StackSymbolizer& symbolizer, const AnalysisOptions& options);

// Per-class statistics alone (lockgraph stats), sorted by total wait.
std::vector<ClassStatsRow> ComputeClassStats(const Model& model);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_ANALYSIS_H_

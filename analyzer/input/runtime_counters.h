// What the runtime could not record. A trace's runtime-statistics record (written at exit)
// counts what its bounded tables dropped; each nonzero drop becomes a warning, so a report
// never looks complete when it is not.
//
//   for (std::string& w : RuntimeCounterWarnings(trace.path, counters)) model.AddWarning(w);
#ifndef LOCKGRAPH_ANALYZER_INPUT_RUNTIME_COUNTERS_H_
#define LOCKGRAPH_ANALYZER_INPUT_RUNTIME_COUNTERS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lockgraph::analyzer {

// One warning per nonzero drop counter among `counters` (name, value), naming the trace,
// what was lost and, in parentheses, the counter. Counters that lose nothing the analysis
// needs (cache evictions, long waits) give none; unknown names are ignored.
std::vector<std::string> RuntimeCounterWarnings(
    const std::string& trace_path,
    const std::vector<std::pair<std::string, uint64_t>>& counters);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_RUNTIME_COUNTERS_H_

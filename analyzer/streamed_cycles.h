// The lock-order cycles of traces judged as they are read, so that the model can drop each
// trace's dependencies once they are: memory follows the largest trace, not the sum of them
// (a CI run of a thousand test binaries). After each trace is read:
//
//   StreamedCycles streamed(options.cycles);
//   for (size_t i = 0; i < files.size(); ++i) {
//     RETURN_IF_ERROR(model.AddTraceFile(files[i]));
//     streamed.AfterTrace(model, /*last=*/i + 1 == files.size());
//   }
//   if (streamed.active()) ... AnalyzeStreamed(model, symbolizer, options, streamed) ...
//
// Per trace, it builds the trace's instance graph and judges its cycles (as the whole-model
// analysis does, a trace at a time), adds the trace's dependencies to the class graph, and
// keeps of them only the witnesses both hold on to (of the last trace, all of them). A
// trace's instance cycles can be judged before the next trace is read only when nothing read
// later can change them, so it stops (active() false, nothing more dropped) at the first
// trace with any of:
//   - a lock shared by processes (ProcessLock, ProcessQueue): cycles cross traces;
//   - a process join: it orders a parent's threads across the child's trace;
//   - full-mode events: their replay adds signal orders after reading;
//   - a preload class that Model::ResolveSites may merge with another: the class graph's
//     nodes are not known until then.
// If it stops after it dropped something (dropped_any()), the files must be read again into a
// model that keeps everything.
#ifndef LOCKGRAPH_ANALYZER_STREAMED_CYCLES_H_
#define LOCKGRAPH_ANALYZER_STREAMED_CYCLES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "analyzer/filters/cycle_verdicts.h"
#include "analyzer/findings/finding.h"
#include "analyzer/graph/cycle_search.h"
#include "analyzer/graph/lock_graph.h"
#include "analyzer/model/model.h"

namespace lockgraph::analyzer {

class StreamedCycles {
 public:
  explicit StreamedCycles(const CycleSearchOptions& options) : options_(options) {}

  // Call after each trace is added to `model`, in order, from the first. `last`: no trace
  // follows, so its dependencies stay: only a trace read after it would use the room, and
  // keeping its witnesses in place of all costs a tenth of the time of a large trace.
  void AfterTrace(Model& model, bool last);

  bool active() const { return active_; }
  bool dropped_any() const { return dropped_any_; }

  // A trace's judged instance cycles, on the edges of its graph that they use.
  struct TraceCycles {
    LockGraph edges;  // LockGraph::Subgraph: edges only
    std::vector<JudgedCycle> cycles;
  };
  // By trace, in the order read; traces without cycles are left out.
  const std::vector<TraceCycles>& instance_cycles() const { return instance_cycles_; }
  // What the instance cycle searches counted (cycles checked, not searched, cut short).
  const Summary& summary() const { return summary_; }
  // The class graph of every trace read; once, after the last.
  LockGraph TakeClassGraph(const Model& model);

 private:
  // True if the model holds what a trace at a time cannot judge (see the top of this file).
  bool Blocked(const Model& model);

  const CycleSearchOptions options_;
  bool active_ = true;
  bool dropped_any_ = false;
  uint32_t classes_checked_ = 0;  // classes Blocked has looked at
  std::vector<TraceCycles> instance_cycles_;
  Summary summary_;
  std::optional<LockGraphBuilder> classes_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_STREAMED_CYCLES_H_

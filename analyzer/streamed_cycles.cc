#include "analyzer/streamed_cycles.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace lockgraph::analyzer {
namespace {

// Each dependency the findings of a trace's cycles will read: the witnesses of their edges
// (an edge's count sums them) and those each cycle was judged on.
void ForEachWitness(StreamedCycles::TraceCycles& trace,
                    const std::function<void(EdgeWitness&)>& visit) {
  trace.edges.ForEachWitness(visit);
  for (JudgedCycle& cycle : trace.cycles) {
    for (std::vector<EdgeWitness>& source : cycle.sources) {
      for (EdgeWitness& w : source) visit(w);
    }
  }
}

}  // namespace

bool StreamedCycles::Blocked(const Model& model) {
  if (model.has_process_wide_locks() || model.has_process_joins() || model.has_events()) {
    return true;
  }
  for (; classes_checked_ < model.class_count(); ++classes_checked_) {
    if (model.lock_class(classes_checked_ + 1).ResolvedBySite()) return true;
  }
  return false;
}

void StreamedCycles::AfterTrace(Model& model) {
  if (!active_) return;
  if (Blocked(model)) {
    active_ = false;
    classes_.reset();
    instance_cycles_.clear();
    return;
  }
  const TraceExtent extent = model.trace_extents().back();

  if (!classes_) {
    classes_.emplace(LockGraph::kClasses, 1);
    classes_->TrackEachAdd();
  }
  classes_->Add(model, extent.first_dependency, extent.end_dependency,
                static_cast<uint32_t>(model.lock_count() + 1));

  // Its instance cycles, judged as the whole-model analysis judges them. A cycle of its locks
  // is a closed walk of their classes: where the class orders of this trace close no cycle
  // (most traces of a test suite), there is none to judge, and no instance graph is built;
  // else it is built of the orders between locks whose classes lie on one class cycle.
  bool has_cycles = false;
  if (const auto components = classes_->LastAddComponents(); !components.empty()) {
    const LockGraph graph = LockGraph::BuildForTrace(model, extent, components);
    CycleVerdicts verdicts(model);
    std::vector<JudgedCycle> cycles = verdicts.Judge(graph, options_, summary_);
    has_cycles = !cycles.empty();
    if (has_cycles) {
      // Only the edges the cycles use, renumbered.
      std::vector<uint32_t> used;
      for (const JudgedCycle& cycle : cycles) {
        used.insert(used.end(), cycle.edges.begin(), cycle.edges.end());
      }
      std::sort(used.begin(), used.end());
      used.erase(std::unique(used.begin(), used.end()), used.end());
      for (JudgedCycle& cycle : cycles) {
        for (uint32_t& e : cycle.edges) {
          e = static_cast<uint32_t>(std::lower_bound(used.begin(), used.end(), e) -
                                    used.begin());
        }
      }
      instance_cycles_.push_back({graph.Subgraph(used), std::move(cycles)});
    }
  }

  // Keep what the findings and the class graph will read; drop the rest.
  std::vector<uint32_t> keep;
  auto note = [&](EdgeWitness& w) { keep.push_back(w.dependency); };
  if (has_cycles) ForEachWitness(instance_cycles_.back(), note);
  classes_->ForEachNewWitness(note);
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  dropped_any_ |= keep.size() < extent.end_dependency - extent.first_dependency;
  model.KeepDependenciesOfLastTrace(keep);
  auto renumber = [&](EdgeWitness& w) {  // keep[i] is now first_dependency + i
    const auto at = std::lower_bound(keep.begin(), keep.end(), w.dependency);
    w.dependency = extent.first_dependency + static_cast<uint32_t>(at - keep.begin());
  };
  if (has_cycles) ForEachWitness(instance_cycles_.back(), renumber);
  classes_->ForEachNewWitness(renumber);
}

LockGraph StreamedCycles::TakeClassGraph(const Model& model) {
  if (!classes_) classes_.emplace(LockGraph::kClasses, 1);
  LockGraph graph = std::move(*classes_).Finish(model.class_count());
  classes_.reset();
  return graph;
}

}  // namespace lockgraph::analyzer

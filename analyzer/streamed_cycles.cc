#include "analyzer/streamed_cycles.h"

#include <algorithm>
#include <bit>
#include <cstdint>
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

// The dependencies of a trace to keep, by index in it: a bit each, where a 32-bit place each
// would span 4 MiB on a trace of a million and miss the cache on each of its witnesses. Once
// marked, a kept one's new index is its rank among them.
class KeptDependencies {
 public:
  explicit KeptDependencies(uint32_t n) : words_((n + 63) / 64, 0) {}
  void Mark(uint32_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  // Call once all are marked: the kept indices, ascending, and their ranks from then on.
  std::vector<uint32_t> Finish() {
    std::vector<uint32_t> kept;
    before_.resize(words_.size());
    for (uint32_t w = 0; w < words_.size(); ++w) {
      before_[w] = static_cast<uint32_t>(kept.size());
      for (uint64_t bits = words_[w]; bits != 0; bits &= bits - 1) {
        kept.push_back(w * 64 + static_cast<uint32_t>(std::countr_zero(bits)));
      }
    }
    return kept;
  }
  // The number of kept indices below `i`, after Finish.
  uint32_t Rank(uint32_t i) const {
    const uint64_t below = words_[i / 64] & ((uint64_t{1} << (i % 64)) - 1);
    return before_[i / 64] + static_cast<uint32_t>(std::popcount(below));
  }

 private:
  std::vector<uint64_t> words_;
  std::vector<uint32_t> before_;  // by word: the kept indices in the words before it
};

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

void StreamedCycles::AfterTrace(Model& model, bool last) {
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
  classes_->ForgetLocksBelow(extent.first_lock);  // earlier traces' locks are dropped
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

  if (last) return;  // nothing is read after it
  // Keep what the findings and the class graph will read; drop the rest. The dependencies
  // are the trace's: marked by index in it, whose rank among the marked is its new one.
  const uint32_t first = extent.first_dependency;
  KeptDependencies marked(extent.end_dependency - first);
  auto note = [&](EdgeWitness& w) { marked.Mark(w.dependency - first); };
  if (has_cycles) ForEachWitness(instance_cycles_.back(), note);
  classes_->ForEachNewWitness(note);
  std::vector<uint32_t> keep = marked.Finish();
  dropped_any_ |= keep.size() < extent.end_dependency - first;
  for (uint32_t& i : keep) i += first;
  model.KeepDependenciesOfLastTrace(keep);
  dropped_any_ |= model.ShrinkLastTrace();
  auto renumber = [&](EdgeWitness& w) { w.dependency = first + marked.Rank(w.dependency - first); };
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

// The verdict on each cycle of a lock graph: can it deadlock? The cycles come from
// CycleSearch; each is judged by the witness rules (common/witness.h: distinct threads, an
// edge that can block, no common gate lock, not ordered by start/join or a signal), and keeps
// the candidates it was judged on, so a finding can name the chosen witness of every edge.
//
//   CycleVerdicts verdicts(model);
//   for (const JudgedCycle& c : verdicts.Judge(graph, options.cycles, summary)) {
//     if (c.result.verdict == CycleVerdict::kDeadlock) ... c.chosen(i) ...
//   }
//
// Cost: the witness search is bounded per cycle (FindWitness's step budget). An edge keeps
// at most LockGraph::kMaxWitnesses candidates; a cycle they cannot prove is judged again with
// every dependency of its edges (one scan of the dependencies per edge, cached).
#ifndef LOCKGRAPH_ANALYZER_FILTERS_CYCLE_VERDICTS_H_
#define LOCKGRAPH_ANALYZER_FILTERS_CYCLE_VERDICTS_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analyzer/findings/finding.h"
#include "analyzer/graph/cycle_search.h"
#include "analyzer/graph/lock_graph.h"
#include "analyzer/model/model.h"
#include "common/witness.h"

namespace lockgraph::analyzer {

struct JudgedCycle {
  std::vector<uint32_t> edges;  // graph edge ids; a self-edge appears twice
  std::vector<std::vector<EdgeWitness>> sources;  // per edge, the candidates judged
  WitnessResult result;
  // Judged on the edges' kept witnesses alone where it needed all their dependencies, some of
  // which the model had dropped (CycleVerdicts' `every_dependency` false): undecided.
  bool missed_dependencies = false;

  // The witness of edge i (only when the verdict is kDeadlock).
  const EdgeWitness& chosen(size_t i) const { return sources[i][result.chosen[i]]; }
  // A self-edge of a class graph: two locks of one class nested.
  bool self() const { return edges.size() == 2 && edges[0] == edges[1]; }
};

class CycleVerdicts {
 public:
  // `every_dependency`: false if the model dropped dependencies (Model::
  // KeepDependenciesOfLastTrace) that the graph's edges may have; a cycle that would need
  // them is then left as its kept witnesses judge it, marked JudgedCycle::missed_dependencies.
  explicit CycleVerdicts(const Model& model, bool every_dependency = true)
      : model_(model), every_dependency_(every_dependency) {}

  // Every cycle of `graph` that the search bounds allow, judged; counts what was checked
  // and what the bounds cut off into `summary`.
  std::vector<JudgedCycle> Judge(const LockGraph& graph, const CycleSearchOptions& options,
                                 Summary& summary);

 private:
  // The locks a dependency holds, and those of them it holds shared only.
  struct HeldKeys {
    std::vector<uint64_t> all;
    std::vector<uint64_t> shared;
  };
  const HeldKeys& Held(uint32_t dependency);
  std::vector<std::vector<WitnessCandidate>> Candidates(
      const std::vector<std::vector<EdgeWitness>>& sources);
  const std::vector<EdgeWitness>& AllWitnesses(const LockGraph& graph, uint32_t e);

  const Model& model_;
  const bool every_dependency_;
  absl::flat_hash_map<uint32_t, HeldKeys> held_keys_;
  absl::flat_hash_map<std::pair<LockGraph::Level, uint32_t>, std::vector<EdgeWitness>>
      all_witnesses_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FILTERS_CYCLE_VERDICTS_H_

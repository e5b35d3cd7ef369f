// Elementary cycles of a lock graph: strongly connected components first (Tarjan, iterative),
// then, inside each component, the simple cycles of at most `max_length` edges, each found
// once (from its smallest node), at most `max_cycles` per component. What the bounds cut off
// is counted, never dropped silently.
//
//   CycleSearch search(graph, {.max_length = 8, .max_cycles = 1000});
//   for (const std::vector<uint32_t>& cycle : search.cycles()) ...   // edge ids, in order
//
// Cost: linear in the graph for the components; acyclic graphs (the common case) stop there.
#ifndef LOCKGRAPH_ANALYZER_GRAPH_CYCLE_SEARCH_H_
#define LOCKGRAPH_ANALYZER_GRAPH_CYCLE_SEARCH_H_

#include <cstdint>
#include <vector>

#include "analyzer/graph/lock_graph.h"

namespace lockgraph::analyzer {

struct CycleSearchOptions {
  int max_length = 8;
  int max_cycles = 1000;         // per component
  int64_t max_steps = 5000000;   // per component: expansions of the depth-first search
};

class CycleSearch {
 public:
  CycleSearch(const LockGraph& graph, const CycleSearchOptions& options);

  // Each cycle as its edge ids in order (edge i ends where edge i+1 starts).
  const std::vector<std::vector<uint32_t>>& cycles() const { return cycles_; }
  // Components with more than one node (or a self-edge).
  uint64_t cyclic_components() const { return cyclic_components_; }
  // Cycles found past max_cycles (counted, not kept), and components whose search hit
  // max_steps or had longer cycles than max_length could follow.
  uint64_t cycles_not_kept() const { return not_kept_; }
  uint64_t components_cut_short() const { return cut_short_; }

 private:
  void Components(const LockGraph& graph);
  void SearchComponent(const LockGraph& graph, const std::vector<uint32_t>& nodes,
                       const CycleSearchOptions& options);

  uint32_t first_node_ = 1;
  std::vector<uint32_t> component_;  // node - first_node_ -> component id (0: none yet)
  std::vector<std::vector<uint32_t>> components_;
  std::vector<std::vector<uint32_t>> cycles_;
  uint64_t cyclic_components_ = 0;
  uint64_t not_kept_ = 0;
  uint64_t cut_short_ = 0;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_GRAPH_CYCLE_SEARCH_H_

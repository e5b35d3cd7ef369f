// The two instance graphs of a model's last trace that the streamed analysis chooses between:
// the whole graph, and the graph of only the locks whose classes lie on a cycle of the class
// orders that trace took (LockGraph::BuildForTrace with LockGraphBuilder::LastAddComponents).
#ifndef LOCKGRAPH_TESTS_ANALYZER_GRAPH_TRACE_GRAPHS_H_
#define LOCKGRAPH_TESTS_ANALYZER_GRAPH_TRACE_GRAPHS_H_

#include <cstdint>

#include "analyzer/graph/lock_graph.h"
#include "analyzer/model/model.h"

namespace lockgraph::testing {

struct TraceGraphs {
  analyzer::LockGraph whole;
  analyzer::LockGraph on_class_cycles;
};

inline TraceGraphs GraphsOfLastTrace(const analyzer::Model& model) {
  using analyzer::LockGraph;
  const analyzer::TraceExtent& extent = model.trace_extents().back();
  analyzer::LockGraphBuilder class_orders(LockGraph::kClasses, 1);
  class_orders.TrackEachAdd();
  class_orders.Add(model, extent.first_dependency, extent.end_dependency,
                   static_cast<uint32_t>(model.lock_count() + 1));
  return {LockGraph::BuildForTrace(model, extent),
          LockGraph::BuildForTrace(model, extent, class_orders.LastAddComponents())};
}

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_ANALYZER_GRAPH_TRACE_GRAPHS_H_

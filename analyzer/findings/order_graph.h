// The lock-order graph between classes as the DOT report draws it (Report::order_graph):
// every class that takes part in an order, and each order with how often it was taken, by
// how many threads, and where the first of them took it.
//
//   report.order_graph = BuildOrderGraph(parts, LockGraph::Build(model, LockGraph::kClasses));
//
// Cost: a symbolized stack per class order (one batch).
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_ORDER_GRAPH_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_ORDER_GRAPH_H_

#include "analyzer/findings/finding.h"
#include "analyzer/findings/finding_parts.h"
#include "analyzer/graph/lock_graph.h"

namespace lockgraph::analyzer {

// `classes` is a class-level graph.
OrderGraph BuildOrderGraph(FindingParts& parts, const LockGraph& classes);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_ORDER_GRAPH_H_

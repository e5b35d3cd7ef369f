// The DOT report (--format=dot): the lock-order graph between lock classes, for Graphviz.
// A node per class that takes part in an order, an edge per order (A -> B: a thread took B
// while holding A) labelled with how often it was taken and where first; the orders of
// reported cycles (deadlock red, potential orange) are drawn thick. docs/reports.md shows how
// to render it.
//
//   Report report = Analyze(model, symbolizer, {.order_graph = true});
//   std::string dot = FormatDotReport(report, DotOptions{.cycles_only = true});
//
// The graph comes from Report::order_graph; a finding's cycle edges are matched to it by
// class keys. Suppressed and baseline findings are not highlighted, as they do not count.
#ifndef LOCKGRAPH_ANALYZER_REPORT_DOT_REPORT_H_
#define LOCKGRAPH_ANALYZER_REPORT_DOT_REPORT_H_

#include <string>

#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

struct DotOptions {
  // Only the classes and orders of reported cycles: an empty (valid) graph if there are none.
  bool cycles_only = false;
};

std::string FormatDotReport(const Report& report, const DotOptions& options);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_DOT_REPORT_H_

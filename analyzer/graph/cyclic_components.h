// The strongly connected components of a directed graph that can hold a cycle: more than one
// node, or one node with an edge to itself. Tarjan's algorithm with an explicit stack (graphs
// of 10^5 locks would overflow the call stack), roots taken in node order.
//
//   ForEachCyclicComponent(graph.first_node(), graph.last_node(),
//                          [&](uint32_t node) { return graph.out_edges(node); },
//                          [&](uint32_t e) { return graph.edge(e).to; },
//                          [&](std::vector<uint32_t> members) { ... });  // sorted
//
// Shared by the cycle search (analyzer/graph/cycle_search.h) and the test of the class orders
// one trace met (LockGraphBuilder::LastAddComponents). Cost: linear in nodes and edges.
#ifndef LOCKGRAPH_ANALYZER_GRAPH_CYCLIC_COMPONENTS_H_
#define LOCKGRAPH_ANALYZER_GRAPH_CYCLIC_COMPONENTS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lockgraph::analyzer {

// Nodes are first..last. `out(node)` gives a node's out-edges (a range), `to(edge)` where an
// edge ends. `visit(members)` is called for each cyclic component, its nodes sorted, in the
// order Tarjan's algorithm completes them.
template <typename Out, typename To, typename Visit>
void ForEachCyclicComponent(uint32_t first, uint32_t last, Out&& out, To&& to, Visit&& visit) {
  const size_t n = last - first + 1;
  std::vector<uint32_t> index(n, 0), low(n, 0);  // by node - first; 0: not visited yet
  std::vector<bool> on_stack(n, false);
  std::vector<uint32_t> stack;
  struct Frame {
    uint32_t node;
    size_t next;
  };
  std::vector<Frame> calls;
  uint32_t counter = 0;
  for (uint32_t root = first; root <= last && root >= first; ++root) {
    if (index[root - first] != 0 || std::empty(out(root))) continue;
    calls.push_back({root, 0});
    index[root - first] = low[root - first] = ++counter;
    stack.push_back(root);
    on_stack[root - first] = true;
    while (!calls.empty()) {
      Frame& frame = calls.back();
      const auto& edges = out(frame.node);
      if (frame.next < std::size(edges)) {
        const uint32_t next = to(edges[frame.next++]);
        if (index[next - first] == 0) {
          index[next - first] = low[next - first] = ++counter;
          stack.push_back(next);
          on_stack[next - first] = true;
          calls.push_back({next, 0});
        } else if (on_stack[next - first]) {
          low[frame.node - first] = std::min(low[frame.node - first], index[next - first]);
        }
        continue;
      }
      const uint32_t node = frame.node;
      calls.pop_back();
      if (!calls.empty()) {
        uint32_t& parent_low = low[calls.back().node - first];
        parent_low = std::min(parent_low, low[node - first]);
      }
      if (low[node - first] != index[node - first]) continue;
      if (stack.back() == node) {  // a component of one node: cyclic with an edge to itself
        stack.pop_back();
        on_stack[node - first] = false;
        bool self = false;
        for (const auto& e : out(node)) self |= to(e) == node;
        if (self) visit(std::vector<uint32_t>{node});
        continue;
      }
      std::vector<uint32_t> members;
      uint32_t member;
      do {
        member = stack.back();
        stack.pop_back();
        on_stack[member - first] = false;
        members.push_back(member);
      } while (member != node);
      std::sort(members.begin(), members.end());
      visit(std::move(members));
    }
  }
}

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_GRAPH_CYCLIC_COMPONENTS_H_

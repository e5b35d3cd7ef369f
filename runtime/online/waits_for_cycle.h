// A cycle through one thread of a waits-for graph: the search that the live deadlock check
// (published waits, and the process wait board) and the steering (held-back threads) share.
// The graphs have a node per waiting thread, a few at most, so the depth-first search over
// all pairs is fine.
//
//   // nodes 0..n-1; edge(t, u): thread t waits for a lock thread u holds
//   std::vector<size_t> cycle = WaitsForCycle(n, self, edge);  // self first, or empty
#ifndef LOCKGRAPH_RUNTIME_ONLINE_WAITS_FOR_CYCLE_H_
#define LOCKGRAPH_RUNTIME_ONLINE_WAITS_FOR_CYCLE_H_

#include <cstddef>
#include <vector>

namespace lockgraph::runtime {

// The nodes of a cycle through `start`, in order, starting at `start`; empty if none. `edge`
// is called as edge(from, to) with from != to.
template <typename Edge>
std::vector<size_t> WaitsForCycle(size_t nodes, size_t start, Edge edge) {
  if (start >= nodes) return {};
  std::vector<size_t> path = {start};
  std::vector<size_t> next = {0};  // per path entry: the next node to try as its successor
  std::vector<bool> visited(nodes, false);
  visited[start] = true;
  while (!path.empty()) {
    bool deeper = false;
    for (size_t& u = next.back(); u < nodes; ++u) {
      if (u == path.back() || !edge(path.back(), u)) continue;
      if (u == start) return path;
      if (visited[u]) continue;  // explored already, or on the path
      visited[u] = true;
      path.push_back(u++);
      next.push_back(0);
      deeper = true;
      break;
    }
    if (!deeper) {
      path.pop_back();
      next.pop_back();
    }
  }
  return {};
}

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_WAITS_FOR_CYCLE_H_

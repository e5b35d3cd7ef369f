#include "analyzer/graph/cycle_search.h"

#include <algorithm>

namespace lockgraph::analyzer {
namespace {

// Values by node, for the nodes first..last of a graph (a trace's graph starts past 1).
template <typename T>
class ByNode {
 public:
  ByNode(const LockGraph& graph, T value)
      : base_(graph.first_node()), values_(graph.last_node() - graph.first_node() + 1, value) {}
  typename std::vector<T>::reference operator[](uint32_t node) { return values_[node - base_]; }

 private:
  uint32_t base_;
  std::vector<T> values_;
};

}  // namespace

CycleSearch::CycleSearch(const LockGraph& graph, const CycleSearchOptions& options) {
  Components(graph);
  for (const std::vector<uint32_t>& nodes : components_) {
    SearchComponent(graph, nodes, options);
  }
}

// Tarjan's strongly connected components, with an explicit stack (graphs of 10^5 locks would
// overflow the call stack).
void CycleSearch::Components(const LockGraph& graph) {
  first_node_ = graph.first_node();
  component_.assign(graph.last_node() - first_node_ + 1, 0);
  ByNode<uint32_t> index(graph, 0), low(graph, 0);
  ByNode<bool> on_stack(graph, false);
  std::vector<uint32_t> stack;
  struct Frame {
    uint32_t node;
    size_t next;
  };
  std::vector<Frame> calls;
  uint32_t counter = 0;
  for (uint32_t root = graph.first_node(); root <= graph.last_node(); ++root) {
    if (index[root] != 0 || graph.out_edges(root).empty()) continue;
    calls.push_back({root, 0});
    index[root] = low[root] = ++counter;
    stack.push_back(root);
    on_stack[root] = true;
    while (!calls.empty()) {
      Frame& frame = calls.back();
      const std::span<const uint32_t> out = graph.out_edges(frame.node);
      if (frame.next < out.size()) {
        const uint32_t to = graph.edge(out[frame.next++]).to;
        if (index[to] == 0) {
          index[to] = low[to] = ++counter;
          stack.push_back(to);
          on_stack[to] = true;
          calls.push_back({to, 0});
        } else if (on_stack[to]) {
          low[frame.node] = std::min(low[frame.node], index[to]);
        }
        continue;
      }
      const uint32_t node = frame.node;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().node] = std::min(low[calls.back().node], low[node]);
      if (low[node] != index[node]) continue;
      std::vector<uint32_t> members;
      uint32_t member;
      do {
        member = stack.back();
        stack.pop_back();
        on_stack[member] = false;
        members.push_back(member);
      } while (member != node);
      bool cyclic = members.size() > 1;
      if (!cyclic) {
        for (uint32_t e : graph.out_edges(node)) cyclic |= graph.edge(e).to == node;
      }
      if (!cyclic) continue;
      std::sort(members.begin(), members.end());
      components_.push_back(std::move(members));
      for (uint32_t m : components_.back()) component_[m - first_node_] = components_.size();
    }
  }
  cyclic_components_ = components_.size();
}

// Every simple cycle of the component once: from its smallest node s, through nodes > s.
void CycleSearch::SearchComponent(const LockGraph& graph, const std::vector<uint32_t>& nodes,
                                  const CycleSearchOptions& options) {
  const uint32_t id = component_[nodes.front() - first_node_];
  ByNode<bool> on_path(graph, false);
  int64_t steps = 0;
  int kept = 0;
  bool cut_short = false;
  struct Frame {
    uint32_t node;
    size_t next;
  };
  for (uint32_t start : nodes) {
    std::vector<Frame> calls = {{start, 0}};
    std::vector<uint32_t> path;  // edge ids
    on_path[start] = true;
    while (!calls.empty()) {
      Frame& frame = calls.back();
      const std::span<const uint32_t> out = graph.out_edges(frame.node);
      if (frame.next == out.size()) {
        on_path[frame.node] = false;
        calls.pop_back();
        if (!path.empty()) path.pop_back();
        continue;
      }
      const uint32_t e = out[frame.next++];
      const uint32_t to = graph.edge(e).to;
      if (component_[to - first_node_] != id || to < start) continue;
      if (++steps > options.max_steps) {
        cut_short = true;
        break;
      }
      if (to == start) {
        if (kept < options.max_cycles) {
          std::vector<uint32_t> cycle = path;
          cycle.push_back(e);
          cycles_.push_back(std::move(cycle));
          ++kept;
        } else {
          ++not_kept_;
        }
        continue;
      }
      if (on_path[to]) continue;
      if (static_cast<int>(path.size()) + 1 >= options.max_length) {
        cut_short = true;  // a longer cycle may go on from here
        continue;
      }
      on_path[to] = true;
      path.push_back(e);
      calls.push_back({to, 0});
    }
    for (const Frame& frame : calls) on_path[frame.node] = false;
    if (steps > options.max_steps) break;
  }
  if (cut_short) ++cut_short_;
}

}  // namespace lockgraph::analyzer

#include "analyzer/graph/cycle_search.h"

#include <algorithm>
#include <utility>

#include "analyzer/graph/cyclic_components.h"

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

// The cyclic components, with ids from 1 in the order they are searched: by their smallest
// node, not as Tarjan's algorithm completes them. A graph of only the edges that can lie on a
// cycle (LockGraph::BuildForTrace with classes) has the same components, and so meets them,
// and their cycles, in the same order as the whole graph.
void CycleSearch::Components(const LockGraph& graph) {
  first_node_ = graph.first_node();
  component_.assign(graph.last_node() - first_node_ + 1, 0);
  ForEachCyclicComponent(
      graph.first_node(), graph.last_node(),
      [&](uint32_t node) { return graph.out_edges(node); },
      [&](uint32_t e) { return graph.edge(e).to; },
      [&](std::vector<uint32_t> members) { components_.push_back(std::move(members)); });
  // Members are sorted: front() is the smallest.
  std::sort(components_.begin(), components_.end(),
            [](const auto& a, const auto& b) { return a.front() < b.front(); });
  for (size_t id = 0; id < components_.size(); ++id) {
    for (uint32_t m : components_[id]) component_[m - first_node_] = id + 1;
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

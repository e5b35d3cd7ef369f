#include "runtime/online/incremental_order_graph.h"

#include <algorithm>

namespace lockgraph::runtime {

uint32_t IncrementalOrderGraph::NodeFor(uint64_t key) {
  auto [it, inserted] = index_.try_emplace(key, 0);
  if (!inserted) return it->second;
  uint32_t node;
  if (!free_nodes_.empty()) {
    node = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    node = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
    visited_.push_back(0);
  }
  Node& n = nodes_[node];
  n.key = key;
  n.order = next_order_++;  // a new node has no edges: the end of the order is valid
  n.live = true;
  it->second = node;
  return node;
}

IncrementalOrderGraph::EdgeId IncrementalOrderGraph::AddEdge(uint64_t from, uint64_t to, bool* added) {
  const uint32_t x = NodeFor(from);
  const uint32_t y = NodeFor(to);
  auto [it, inserted] = edge_index_.try_emplace({x, y}, 0);
  if (added != nullptr) *added = inserted;
  if (!inserted) return it->second;

  EdgeId id;
  if (!free_edges_.empty()) {
    id = free_edges_.back();
    free_edges_.pop_back();
  } else {
    id = static_cast<EdgeId>(edges_.size());
    edges_.emplace_back();
  }
  it->second = id;
  Edge& edge = edges_[id];
  edge = Edge{from, to, /*cyclic=*/false, /*live=*/true};
  ++live_edges_;
  // Order first, then link: the searches in Reorder must not walk the new edge.
  if (x == y || (nodes_[x].order > nodes_[y].order && !Reorder(x, y))) {
    edge.cyclic = true;
    ++cyclic_edges_;
  }
  nodes_[x].out.push_back(id);
  nodes_[y].in.push_back(id);
  return id;
}

bool IncrementalOrderGraph::Collect(uint32_t start, int64_t bound, bool forward, uint32_t target,
                             std::vector<uint32_t>& seen) {
  std::vector<uint32_t> stack = {start};
  visited_[start] = 1;
  seen.push_back(start);
  while (!stack.empty()) {
    const uint32_t node = stack.back();
    stack.pop_back();
    for (EdgeId id : forward ? nodes_[node].out : nodes_[node].in) {
      const Edge& e = edges_[id];
      if (e.cyclic) continue;
      const uint32_t next = index_.at(forward ? e.to : e.from);
      if (next == target) return true;
      if (visited_[next]) continue;
      const int64_t order = nodes_[next].order;
      if (forward ? order >= bound : order <= bound) continue;
      visited_[next] = 1;
      seen.push_back(next);
      stack.push_back(next);
    }
  }
  return false;
}

bool IncrementalOrderGraph::Reorder(uint32_t x, uint32_t y) {
  const int64_t lower = nodes_[y].order;
  const int64_t upper = nodes_[x].order;
  std::vector<uint32_t> forward, backward;
  const bool cycle = Collect(y, upper, /*forward=*/true, x, forward);
  if (!cycle) Collect(x, lower, /*forward=*/false, y, backward);
  for (uint32_t n : forward) visited_[n] = 0;
  for (uint32_t n : backward) visited_[n] = 0;
  if (cycle) return false;

  // Everything that reaches x moves before everything y reaches, reusing their order slots.
  auto by_order = [&](uint32_t a, uint32_t b) { return nodes_[a].order < nodes_[b].order; };
  std::sort(forward.begin(), forward.end(), by_order);
  std::sort(backward.begin(), backward.end(), by_order);
  std::vector<int64_t> slots;
  slots.reserve(forward.size() + backward.size());
  for (uint32_t n : backward) slots.push_back(nodes_[n].order);
  for (uint32_t n : forward) slots.push_back(nodes_[n].order);
  std::sort(slots.begin(), slots.end());
  size_t next = 0;
  for (uint32_t n : backward) nodes_[n].order = slots[next++];
  for (uint32_t n : forward) nodes_[n].order = slots[next++];
  return true;
}

std::vector<IncrementalOrderGraph::EdgeId> IncrementalOrderGraph::RemoveNode(uint64_t key) {
  std::vector<EdgeId> removed;
  auto it = index_.find(key);
  if (it == index_.end()) return removed;
  const uint32_t node = it->second;
  auto unlink = [&](std::vector<EdgeId>& list, EdgeId id) {
    list.erase(std::find(list.begin(), list.end(), id));
  };
  for (bool outgoing : {true, false}) {
    for (EdgeId id : outgoing ? nodes_[node].out : nodes_[node].in) {
      Edge& e = edges_[id];
      if (!e.live) continue;  // a self-edge appears in both lists
      const uint32_t from = index_.at(e.from);
      const uint32_t to = index_.at(e.to);
      if (outgoing && to != node) unlink(nodes_[to].in, id);
      if (!outgoing && from != node) unlink(nodes_[from].out, id);
      edge_index_.erase({from, to});
      if (e.cyclic) --cyclic_edges_;
      --live_edges_;
      e.live = false;
      removed.push_back(id);
      free_edges_.push_back(id);
    }
  }
  Node& n = nodes_[node];
  n.out.clear();
  n.in.clear();
  n.live = false;
  index_.erase(it);
  free_nodes_.push_back(node);
  return removed;
}

bool IncrementalOrderGraph::MayReach(uint64_t from, uint64_t to) const {
  auto a = index_.find(from);
  auto b = index_.find(to);
  if (a == index_.end() || b == index_.end()) return false;
  if (cyclic_edges_ > 0) return true;
  return nodes_[a->second].order < nodes_[b->second].order;
}

bool IncrementalOrderGraph::FindPaths(uint64_t from, uint64_t to, int max_edges, int max_paths,
                               const std::function<bool(absl::Span<const EdgeId>)>& visit,
                               int64_t max_steps) const {
  auto a = index_.find(from);
  auto b = index_.find(to);
  if (a == index_.end() || b == index_.end() || max_edges <= 0) return true;
  const uint32_t target = b->second;
  // Without cyclic edges every path climbs the order, which prunes the search.
  const bool prune = cyclic_edges_ == 0;
  const int64_t target_order = nodes_[target].order;

  struct Frame {
    uint32_t node;
    size_t next_out;
  };
  std::vector<Frame> stack = {{a->second, 0}};
  std::vector<EdgeId> path;
  int found = 0;
  int64_t steps = 0;
  while (!stack.empty()) {
    Frame& top = stack.back();
    const std::vector<EdgeId>& out = nodes_[top.node].out;
    if (top.next_out == out.size() || static_cast<int>(path.size()) == max_edges) {
      stack.pop_back();
      if (!path.empty()) path.pop_back();
      continue;
    }
    const EdgeId id = out[top.next_out++];
    if (++steps > max_steps) return false;
    const uint32_t next = index_.at(edges_[id].to);
    if (next == target) {
      path.push_back(id);
      const bool more = visit(path);
      path.pop_back();
      if (!more) return true;
      if (++found >= max_paths) return false;
      continue;
    }
    if (prune && nodes_[next].order > target_order) continue;
    const bool on_path =
        next == stack.front().node ||
        std::any_of(path.begin(), path.end(),
                    [&](EdgeId e) { return index_.at(edges_[e].to) == next; });
    if (on_path) continue;
    path.push_back(id);
    stack.push_back({next, 0});
  }
  return true;
}

}  // namespace lockgraph::runtime

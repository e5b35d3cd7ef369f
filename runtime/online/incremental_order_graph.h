// A directed graph of lock-order edges (A -> B: some thread acquired B while holding A) that
// keeps a topological order as edges arrive, so that the common case — an edge that agrees
// with the order seen so far — is answered in O(1) without a search.
//
// Algorithm: Pearce and Kelly, "A Dynamic Topological Sort Algorithm for Directed Acyclic
// Graphs" (JEA 2006). Adding x -> y with ord(x) > ord(y) searches forward from y among nodes
// ordered before x and backward from x among nodes ordered after y; if the forward search
// reaches x the edge closes a cycle, else the two visited sets swap their order slots.
// An edge that closes a cycle is kept, marked `cyclic`, outside the order; once any exists,
// cycle queries fall back to a bounded depth-first search over all edges.
//
//   IncrementalOrderGraph graph;
//   graph.AddEdge(a, b);  graph.AddEdge(b, a);           // second edge is cyclic
//   graph.FindPaths(a, b, 8, 16, [](auto path) { ... });  // the edges of each path a -> b
//
// Not thread-safe; callers serialize. Nodes are 64-bit keys (lock instance or class ids).
#ifndef LOCKGRAPH_RUNTIME_ONLINE_INCREMENTAL_ORDER_GRAPH_H_
#define LOCKGRAPH_RUNTIME_ONLINE_INCREMENTAL_ORDER_GRAPH_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"

namespace lockgraph::runtime {

class IncrementalOrderGraph {
 public:
  using EdgeId = uint32_t;

  struct Edge {
    uint64_t from = 0;
    uint64_t to = 0;
    bool cyclic = false;  // closed a cycle when added; kept out of the topological order
    bool live = false;
  };

  // Returns the edge from -> to, adding it (and its nodes) if new. `*added` says which.
  // Cost: O(1) when the edge agrees with the current order, else the size of the region
  // between the two nodes in the order.
  EdgeId AddEdge(uint64_t from, uint64_t to, bool* added = nullptr);

  // Removes a node and its edges (the lock was destroyed) and returns the removed edges' ids,
  // which later AddEdge calls may reuse. Ids of other edges stay valid.
  std::vector<EdgeId> RemoveNode(uint64_t key);

  // Could a path lead from `from` to `to`? False is certain; true may need FindPaths.
  bool MayReach(uint64_t from, uint64_t to) const;

  // Calls `visit` with the edges of each simple path from -> to of at most `max_edges` edges,
  // until `visit` returns false, `max_paths` paths were found or `max_steps` nodes were
  // expanded. Returns false if a bound cut the search short.
  bool FindPaths(uint64_t from, uint64_t to, int max_edges, int max_paths,
                 const std::function<bool(absl::Span<const EdgeId>)>& visit,
                 int64_t max_steps = 100000) const;

  const Edge& edge(EdgeId id) const { return edges_[id]; }
  size_t node_count() const { return index_.size(); }
  size_t edge_count() const { return live_edges_; }
  size_t cyclic_edge_count() const { return cyclic_edges_; }

 private:
  struct Node {
    uint64_t key = 0;
    int64_t order = 0;
    std::vector<EdgeId> out;
    std::vector<EdgeId> in;
    bool live = false;
  };

  uint32_t NodeFor(uint64_t key);
  bool Reorder(uint32_t x, uint32_t y);  // Pearce-Kelly for a new edge x -> y; false: cycle
  // Depth-first from `start` over non-cyclic edges (forward: out-edges to nodes ordered
  // before `bound`; backward: in-edges from nodes ordered after it). Collects the nodes seen;
  // returns true if `target` was reached.
  bool Collect(uint32_t start, int64_t bound, bool forward, uint32_t target,
               std::vector<uint32_t>& seen);

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> free_nodes_;
  std::vector<EdgeId> free_edges_;
  absl::flat_hash_map<uint64_t, uint32_t> index_;                 // key -> node
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, EdgeId> edge_index_;
  std::vector<uint8_t> visited_;  // scratch for Reorder, sized like nodes_
  int64_t next_order_ = 0;
  size_t live_edges_ = 0;
  size_t cyclic_edges_ = 0;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_INCREMENTAL_ORDER_GRAPH_H_

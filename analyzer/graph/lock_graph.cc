#include "analyzer/graph/lock_graph.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace lockgraph::analyzer {

namespace {
constexpr uint32_t kLookahead = 4;  // dependencies
}  // namespace

LockGraph LockGraph::Build(const Model& model, Level level) {
  return Build(model, level, 0, static_cast<uint32_t>(model.dependencies().size()), 1,
               level == kInstances ? model.lock_count() : model.class_count());
}

LockGraph LockGraph::BuildForTrace(const Model& model, const TraceExtent& trace) {
  return Build(model, kInstances, trace.first_dependency, trace.end_dependency,
               trace.first_lock, trace.end_lock - trace.first_lock);
}

void LockGraph::ForEachInstanceGraph(const Model& model,
                                     const std::function<void(const LockGraph&)>& visit) {
  if (model.has_process_wide_locks()) {
    visit(Build(model, kInstances));
    return;
  }
  for (const TraceExtent& trace : model.trace_extents()) visit(BuildForTrace(model, trace));
}

LockGraph LockGraph::Build(const Model& model, Level level, uint32_t first_dependency,
                           uint32_t end_dependency, uint32_t first_node, size_t nodes) {
  LockGraph graph;
  graph.level_ = level;
  graph.first_node_ = first_node;
  graph.out_.resize(nodes);
  // Each lock's node, or 0 for a signal (no edges); lock and class ids start at 1. A small
  // array read per held lock, where ModelLock (with its strings) would cost a cache miss.
  // A trace's graph reads only its own locks, first_node.. on.
  const uint32_t first_lock = level == kInstances ? first_node : 1;
  const uint32_t end_lock =
      level == kInstances ? first_node + static_cast<uint32_t>(nodes) : model.lock_count() + 1;
  std::vector<uint32_t> node(end_lock, 0);
  for (uint32_t lock = first_lock; lock < end_lock; ++lock) {
    const ModelLock& l = model.lock(lock);
    if (!l.signal) node[lock] = level == kInstances ? lock : l.class_id;
  }
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, uint32_t> index;
  // The threads of an edge's witnesses, from the moment it has kMaxWitnesses / 2: from then on
  // each dependency is checked against them, and this list is contiguous where the witnesses'
  // dependencies are scattered over the model.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> witness_threads;
  const ChunkedVector<ModelDependency>& deps = model.dependencies();
  std::vector<uint32_t> counted;  // the edges the current dependency has counted in already
  for (uint32_t d = first_dependency; d < end_dependency; ++d) {
    // On large graphs every lookup in `index` misses the cache: ask for the slots of a later
    // dependency's edges now, so that they arrive while this one is filed.
    if (d + kLookahead < end_dependency) {
      const ModelDependency& later = deps[d + kLookahead];
      for (const HeldRef& h : later.held) index.prefetch({node[h.lock], node[later.acquired]});
    }
    const ModelDependency& dep = deps[d];
    if ((dep.flags & format::kAcquireTry) != 0) continue;  // cannot block
    const uint32_t to = node[dep.acquired];
    if (to == 0) continue;
    counted.clear();
    for (uint32_t h = 0; h < dep.held.size(); ++h) {
      const uint32_t held = dep.held[h].lock;
      if (held == dep.acquired || node[held] == 0) continue;
      const uint32_t from = node[held];
      auto [it, inserted] = index.try_emplace({from, to}, 0);
      if (inserted) {
        it->second = static_cast<uint32_t>(graph.edges_.size());
        graph.edges_.push_back({from, to, {}, 0});
      }
      GraphEdge& edge = graph.edges_[it->second];
      if (std::find(counted.begin(), counted.end(), it->second) == counted.end()) {
        counted.push_back(it->second);
        edge.count += dep.count;
      }
      // Keep witnesses from many threads: a cycle needs distinct threads on its edges. The
      // first half of the list takes any dependency, the second only threads not in it yet.
      if (edge.witnesses.size() < kMaxWitnesses / 2) {
        edge.witnesses.push_back({d, h});
        continue;
      }
      if (edge.witnesses.size() < kMaxWitnesses) {
        auto [entry, first] = witness_threads.try_emplace(it->second);
        std::vector<uint32_t>& threads = entry->second;
        if (first) {
          for (const EdgeWitness& w : edge.witnesses) threads.push_back(deps[w.dependency].thread);
        }
        if (std::find(threads.begin(), threads.end(), dep.thread) == threads.end()) {
          edge.witnesses.push_back({d, h});
          threads.push_back(dep.thread);
          continue;
        }
      }
      ++edge.more_witnesses;
    }
  }
  // Out-edges in edge id order, each list allocated once: filled here, in a pass of its own,
  // rather than one push_back into a random node per new edge above.
  std::vector<uint32_t> out_degree(nodes, 0);
  for (const GraphEdge& edge : graph.edges_) ++out_degree[edge.from - first_node];
  for (size_t n = 0; n < nodes; ++n) graph.out_[n].reserve(out_degree[n]);
  for (uint32_t e = 0; e < graph.edges_.size(); ++e) {
    graph.out_[graph.edges_[e].from - first_node].push_back(e);
  }
  return graph;
}

}  // namespace lockgraph::analyzer

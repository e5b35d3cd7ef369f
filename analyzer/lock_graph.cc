#include "analyzer/lock_graph.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace lockgraph::analyzer {

LockGraph LockGraph::Build(const Model& model, Level level) {
  LockGraph graph;
  graph.level_ = level;
  const size_t nodes = level == kInstances ? model.lock_count() : model.class_count();
  graph.out_.resize(nodes + 1);
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, uint32_t> index;
  auto node = [&](uint32_t lock) {
    return level == kInstances ? lock : model.lock(lock).class_id;
  };
  const std::vector<ModelDependency>& deps = model.dependencies();
  for (uint32_t d = 0; d < deps.size(); ++d) {
    const ModelDependency& dep = deps[d];
    if ((dep.flags & format::kAcquireTry) != 0) continue;  // cannot block
    if (model.lock(dep.acquired).signal) continue;
    for (uint32_t h = 0; h < dep.held.size(); ++h) {
      const uint32_t held = dep.held[h].lock;
      if (held == dep.acquired || model.lock(held).signal) continue;
      const uint32_t from = node(held), to = node(dep.acquired);
      auto [it, inserted] = index.try_emplace({from, to}, 0);
      if (inserted) {
        it->second = static_cast<uint32_t>(graph.edges_.size());
        graph.edges_.push_back({from, to, {}, 0});
        graph.out_[from].push_back(it->second);
      }
      GraphEdge& edge = graph.edges_[it->second];
      // Keep witnesses from many threads: a cycle needs distinct threads on its edges.
      const uint32_t thread = dep.thread;
      const bool new_thread = std::none_of(
          edge.witnesses.begin(), edge.witnesses.end(),
          [&](const EdgeWitness& w) { return deps[w.dependency].thread == thread; });
      if (edge.witnesses.size() < kMaxWitnesses / 2 ||
          (new_thread && edge.witnesses.size() < kMaxWitnesses)) {
        edge.witnesses.push_back({d, h});
      } else {
        ++edge.more_witnesses;
      }
    }
  }
  return graph;
}

}  // namespace lockgraph::analyzer

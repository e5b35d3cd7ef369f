#include "analyzer/filters/cycle_verdicts.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace lockgraph::analyzer {

const CycleVerdicts::HeldKeys& CycleVerdicts::Held(uint32_t dependency) {
  auto [it, inserted] = held_keys_.try_emplace(dependency);
  if (inserted) {
    const std::span<const HeldRef> held = model_.dependencies()[dependency].held;
    for (const HeldRef& h : held) it->second.all.push_back(h.lock);
    for (const HeldRef& h : held) {
      const bool shared_only = std::all_of(held.begin(), held.end(), [&](const HeldRef& other) {
        return other.lock != h.lock || (other.flags & format::kAcquireShared) != 0;
      });
      std::vector<uint64_t>& shared = it->second.shared;
      if (shared_only && std::find(shared.begin(), shared.end(), h.lock) == shared.end()) {
        shared.push_back(h.lock);
      }
    }
  }
  return it->second;
}

std::vector<std::vector<WitnessCandidate>> CycleVerdicts::Candidates(
    const std::vector<std::vector<EdgeWitness>>& sources) {
  std::vector<std::vector<WitnessCandidate>> candidates;
  for (const std::vector<EdgeWitness>& witnesses : sources) {
    std::vector<WitnessCandidate>& list = candidates.emplace_back();
    for (const EdgeWitness& w : witnesses) {
      const ModelDependency& dep = model_.dependencies()[w.dependency];
      list.push_back(WitnessCandidate{
          .where = {dep.thread, dep.segment},
          .held = Held(w.dependency).all,
          .acquire_shared = (dep.flags & format::kAcquireShared) != 0,
          .from_held_shared = (dep.held[w.held_index].flags & format::kAcquireShared) != 0,
          .held_shared = Held(w.dependency).shared,
      });
    }
  }
  return candidates;
}

// Every dependency that makes graph edge `e`, not only the witnesses the graph kept; one per
// (thread, segment, held set, flags): the others are the same to the witness rules.
// Cached by edge: each call scans every dependency.
const std::vector<EdgeWitness>& CycleVerdicts::AllWitnesses(const LockGraph& graph, uint32_t e) {
  auto [cached, inserted] = all_witnesses_.try_emplace(std::make_pair(graph.level(), e));
  if (!inserted) return cached->second;
  const GraphEdge& edge = graph.edge(e);
  auto node = [&](uint32_t lock) {
    return graph.level() == LockGraph::kInstances ? lock : model_.lock(lock).class_id;
  };
  std::vector<EdgeWitness>& all = cached->second;
  std::set<std::tuple<uint32_t, uint32_t, std::vector<uint64_t>, std::vector<uint64_t>, uint8_t,
                     uint8_t>>
      seen;
  const ChunkedVector<ModelDependency>& deps = model_.dependencies();
  // Only the graph's own dependencies can make its edges: a trace's graph scans its trace, not
  // every trace before it.
  const uint32_t end = static_cast<uint32_t>(
      std::min<size_t>(graph.end_dependency(), deps.size()));
  for (uint32_t d = graph.first_dependency(); d < end; ++d) {
    const ModelDependency& dep = deps[d];
    if ((dep.flags & format::kAcquireTry) != 0 || model_.lock(dep.acquired).signal ||
        node(dep.acquired) != edge.to) {
      continue;
    }
    for (uint32_t h = 0; h < dep.held.size(); ++h) {
      const uint32_t held = dep.held[h].lock;
      if (held == dep.acquired || model_.lock(held).signal || node(held) != edge.from) continue;
      if (seen.emplace(dep.thread, dep.segment, Held(d).all, Held(d).shared, dep.flags,
                       dep.held[h].flags)
              .second) {
        all.push_back({d, h});
      }
    }
  }
  return all;
}

std::vector<JudgedCycle> CycleVerdicts::Judge(const LockGraph& graph,
                                              const CycleSearchOptions& options,
                                              Summary& summary) {
  CycleSearch search(graph, options);
  summary.cycles_not_searched += search.cycles_not_kept();
  summary.components_cut_short += search.components_cut_short();
  std::vector<JudgedCycle> judged;
  for (std::vector<uint32_t> edges : search.cycles()) {
    // One thread cannot wait for itself: a self-edge (two locks of one class) needs a
    // second thread taking the same class order, so it is checked as a two-edge cycle.
    if (edges.size() == 1) edges.push_back(edges[0]);
    JudgedCycle cycle;
    cycle.edges = edges;
    bool dropped = false;
    for (uint32_t e : edges) {
      const auto& witnesses = graph.edge(e).witnesses;
      cycle.sources.emplace_back(witnesses.begin(), witnesses.end());
      dropped |= graph.edge(e).more_witnesses != 0;
    }
    cycle.result = FindWitness(Candidates(cycle.sources), model_.order());
    // The graph keeps a few witnesses per edge: the one that makes the cycle real may be
    // among those it only counted (after 100,000 threads that took A -> B one after the
    // other, a thread taking it beside one taking B -> A). Judge again with all of them.
    // Where the model dropped some of them, the cycle is left undecided.
    if (cycle.result.verdict != CycleVerdict::kDeadlock && dropped) {
      if (!every_dependency_) {
        cycle.missed_dependencies = true;
      } else {
        std::vector<std::vector<EdgeWitness>> all;
        for (uint32_t e : edges) all.push_back(AllWitnesses(graph, e));
        WitnessResult again = FindWitness(Candidates(all), model_.order());
        if (again.verdict == CycleVerdict::kDeadlock ||
            again.verdict == CycleVerdict::kSearchLimit) {
          cycle.sources = std::move(all);
          cycle.result = std::move(again);
        }
      }
    }
    ++summary.cycles_checked;
    judged.push_back(std::move(cycle));
  }
  return judged;
}

}  // namespace lockgraph::analyzer

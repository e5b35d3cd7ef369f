#include "runtime/online/online_checker.h"

#include <algorithm>

#include "common/witness.h"

namespace lockgraph::runtime {
namespace {

bool IsShared(uint8_t flags) { return (flags & format::kAcquireShared) != 0; }

uint8_t HeldFlags(const CheckedDependency& dep, uint64_t lock) {
  for (const HeldDescription& h : dep.held) {
    if (h.id == lock) return h.flags;
  }
  return 0;
}

}  // namespace

std::vector<CycleFinding> OnlineChecker::AddDependency(
    const CheckedDependency& dep, const std::vector<LockDescription>& locks) {
  std::vector<CycleFinding> findings;
  RuntimeMutexLock hold(mu_);
  if (signals_.contains(dep.acquired)) return findings;
  if (live_deps_ >= kMaxDependencies) {
    ++dropped_;
    if (!limit_warned_) limit_warned_ = limit_pending_ = true;
    return findings;
  }
  for (const LockDescription& lock : locks) locks_.try_emplace(lock.id, lock);

  uint32_t index;
  if (!free_deps_.empty()) {
    index = free_deps_.back();
    free_deps_.pop_back();
  } else {
    index = static_cast<uint32_t>(deps_.size());
    deps_.emplace_back();
  }
  ++live_deps_;
  StoredDependency& stored = deps_[index];
  stored.dep = dep;
  stored.edge_refs = 0;
  stored.held_ids.clear();
  stored.held_shared_ids.clear();
  for (const HeldDescription& h : dep.held) {
    if (std::find(stored.held_ids.begin(), stored.held_ids.end(), h.id) ==
        stored.held_ids.end()) {
      stored.held_ids.push_back(h.id);
    }
  }
  for (uint64_t id : stored.held_ids) {
    if (std::all_of(dep.held.begin(), dep.held.end(),
                    [&](const HeldDescription& h) { return h.id != id || IsShared(h.flags); })) {
      stored.held_shared_ids.push_back(id);
    }
  }

  for (uint64_t from : stored.held_ids) {
    // A lock taken again while held is a self-deadlock (reported as misuse), not an edge.
    if (from == dep.acquired || signals_.contains(from)) continue;
    const IncrementalOrderGraph::EdgeId edge = graph_.AddEdge(from, dep.acquired);
    std::vector<uint32_t>& witnesses = witnesses_[edge];
    if (witnesses.size() < kMaxWitnessesPerEdge) {
      witnesses.push_back(index);
      ++deps_[index].edge_refs;
    } else {
      // Full: the second half turns over, so the latest dependencies are always witnesses.
      // After many threads that took this order one after another, the one taking it beside
      // a thread taking the opposite order is a late one.
      constexpr size_t kHalf = kMaxWitnessesPerEdge / 2;
      uint32_t& slot = witnesses[kHalf + witness_turns_[edge]++ % kHalf];
      ReleaseDependencyLocked(slot);
      slot = index;
      ++deps_[index].edge_refs;
    }
    CheckEdgeLocked(edge, index, findings);
  }
  if (deps_[index].edge_refs == 0) ReleaseDependencyLocked(index);
  return findings;
}

void OnlineChecker::CheckEdgeLocked(IncrementalOrderGraph::EdgeId edge, uint32_t dep_index,
                                    std::vector<CycleFinding>& findings) {
  const uint64_t from = graph_.edge(edge).from;
  const uint64_t to = graph_.edge(edge).to;
  if (!graph_.MayReach(to, from)) return;

  // Every cycle through the new edge is a path to -> ... -> from closed by it. Older
  // dependencies were checked against each other when they arrived, so the new edge uses the
  // new dependency only.
  auto visit = [&](absl::Span<const IncrementalOrderGraph::EdgeId> path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                   mu_) {
    std::vector<uint64_t> cycle = {from};
    for (IncrementalOrderGraph::EdgeId e : path) cycle.push_back(graph_.edge(e).from);
    std::vector<uint64_t> key = cycle;
    std::sort(key.begin(), key.end());
    if (reported_.contains(key)) return true;

    std::vector<std::vector<WitnessCandidate>> candidates(cycle.size());
    std::vector<std::vector<uint32_t>> sources(cycle.size());
    sources[0] = {dep_index};
    for (size_t i = 0; i < path.size(); ++i) sources[i + 1] = witnesses_.at(path[i]);
    for (size_t i = 0; i < cycle.size(); ++i) {
      for (uint32_t d : sources[i]) {
        const StoredDependency& s = deps_[d];
        candidates[i].push_back(WitnessCandidate{
            .where = {s.dep.tid, s.dep.segment},
            .held = s.held_ids,
            .acquire_shared = IsShared(s.dep.flags),
            .from_held_shared = IsShared(HeldFlags(s.dep, cycle[i])),
            .held_shared = s.held_shared_ids,
        });
      }
    }
    const WitnessResult result = FindWitness(candidates, order_);
    if (result.verdict != CycleVerdict::kDeadlock) return true;

    reported_.insert(std::move(key));
    CycleFinding& finding = findings.emplace_back();
    for (size_t i = 0; i < cycle.size(); ++i) {
      finding.locks.push_back(locks_[cycle[i]]);
      finding.edges.push_back(deps_[sources[i][result.chosen[i]]].dep);
    }
    return findings.size() < 4;  // a burst of new cycles is reported over later acquisitions
  };
  if (!graph_.FindPaths(to, from, kMaxCycleLength - 1, /*max_paths=*/64, visit)) ++truncated_;
}

void OnlineChecker::ReleaseDependencyLocked(uint32_t index) {
  StoredDependency& stored = deps_[index];
  if (--stored.edge_refs > 0) return;
  stored.dep = CheckedDependency();
  stored.held_ids.clear();
  stored.held_shared_ids.clear();
  stored.edge_refs = 0;
  free_deps_.push_back(index);
  --live_deps_;
}

void OnlineChecker::AddThreadStart(uint32_t child, uint32_t parent, uint32_t parent_segment) {
  RuntimeMutexLock hold(mu_);
  order_.AddStart(child, parent, parent_segment);
}

void OnlineChecker::AddJoin(uint32_t joiner, uint32_t joiner_segment, uint32_t joined) {
  RuntimeMutexLock hold(mu_);
  order_.AddJoin(joiner, joiner_segment, joined);
}

void OnlineChecker::RemoveLock(uint64_t id) {
  RuntimeMutexLock hold(mu_);
  RemoveLockLocked(id);
  signals_.erase(id);
}

void OnlineChecker::RemoveLockLocked(uint64_t id) {
  for (IncrementalOrderGraph::EdgeId edge : graph_.RemoveNode(id)) {
    witness_turns_.erase(edge);
    auto it = witnesses_.find(edge);
    if (it == witnesses_.end()) continue;
    for (uint32_t d : it->second) ReleaseDependencyLocked(d);
    witnesses_.erase(it);
  }
  locks_.erase(id);
}

void OnlineChecker::MarkSignal(uint64_t id) {
  RuntimeMutexLock hold(mu_);
  RemoveLockLocked(id);
  signals_.insert(id);
}

bool OnlineChecker::TakeLimitWarning() {
  RuntimeMutexLock hold(mu_);
  const bool pending = limit_pending_;
  limit_pending_ = false;
  return pending;
}

uint64_t OnlineChecker::dropped_dependencies() const {
  RuntimeMutexLock hold(mu_);
  return dropped_;
}

uint64_t OnlineChecker::truncated_searches() const {
  RuntimeMutexLock hold(mu_);
  return truncated_;
}

}  // namespace lockgraph::runtime

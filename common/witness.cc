#include "common/witness.h"

#include <algorithm>
#include <optional>

namespace lockgraph {
namespace {

bool Has(absl::Span<const uint64_t> keys, uint64_t key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// A lock both candidates hold, in modes that exclude each other (not both shared): a gate.
bool SharesLock(const WitnessCandidate& a, const WitnessCandidate& b, uint64_t* common) {
  for (uint64_t x : a.held) {
    if (Has(b.held, x) && !(Has(a.held_shared, x) && Has(b.held_shared, x))) {
      *common = x;
      return true;
    }
  }
  return false;
}

// Rules are checked in order; `level` says how many of them an assignment must pass.
class Search {
 public:
  Search(const std::vector<std::vector<WitnessCandidate>>& candidates, const ThreadOrder& order,
         int64_t max_steps)
      : candidates_(candidates), order_(order), steps_left_(max_steps) {}

  // True if an assignment passes the first `level` rules (1..4).
  bool Run(int level) {
    level_ = level;
    chosen_.assign(candidates_.size(), -1);
    return Extend(0);
  }

  bool exhausted() const { return steps_left_ < 0; }
  const std::vector<int>& chosen() const { return chosen_; }

 private:
  const WitnessCandidate& At(size_t edge) const { return candidates_[edge][chosen_[edge]]; }

  // Are candidate `i` of `edge` and the witness chosen for edge j ordered? Each side's order
  // is two walks of the thread graph, kept for one candidate per edge: the side already kept,
  // else the side of the shorter list (which comes back more often: after 100,000 threads
  // one edge may have 100,000 candidates against the other's one).
  bool Ordered(size_t edge, size_t i, size_t j) {
    if (orders_.size() < candidates_.size()) orders_.resize(candidates_.size());
    const auto kept = [&](size_t e, size_t index) {
      return orders_[e].second && orders_[e].first == static_cast<int>(index);
    };
    const size_t chosen = static_cast<size_t>(chosen_[j]);
    size_t side_edge = j, side_index = chosen, other_edge = edge, other_index = i;
    if (!kept(j, chosen) &&
        (kept(edge, i) || candidates_[edge].size() < candidates_[j].size())) {
      std::swap(side_edge, other_edge);
      std::swap(side_index, other_index);
    }
    auto& [index, order] = orders_[side_edge];
    if (!kept(side_edge, side_index)) {
      index = static_cast<int>(side_index);
      order = order_.OrderOf(candidates_[side_edge][side_index].where);
    }
    return order->Ordered(candidates_[other_edge][other_index].where);
  }

  // Does candidate i of `edge` fit with the edges chosen so far (0..edge-1)?
  bool Fits(size_t edge, size_t i) {
    const WitnessCandidate& c = candidates_[edge][i];
    for (size_t j = 0; j < edge; ++j) {
      const WitnessCandidate& other = At(j);
      if (c.where.thread == other.where.thread) return false;
      if (level_ >= 3) {
        uint64_t common;
        if (SharesLock(c, other, &common)) return false;
      }
      if (level_ >= 4 && Ordered(edge, i, j)) return false;
    }
    if (level_ >= 2) {
      // Edge i blocks on the holder chosen for edge i+1 (which holds its source lock).
      if (edge > 0 && At(edge - 1).acquire_shared && c.from_held_shared) return false;
      if (edge + 1 == candidates_.size() && c.acquire_shared &&
          At(0).from_held_shared) {
        return false;
      }
    }
    return true;
  }

  bool Extend(size_t edge) {
    if (edge == candidates_.size()) return true;
    for (size_t i = 0; i < candidates_[edge].size(); ++i) {
      if (steps_left_-- <= 0) return false;
      chosen_[edge] = static_cast<int>(i);
      if (Fits(edge, i) && Extend(edge + 1)) return true;
    }
    chosen_[edge] = -1;
    return false;
  }

  const std::vector<std::vector<WitnessCandidate>>& candidates_;
  const ThreadOrder& order_;
  int64_t steps_left_;
  int level_ = 4;
  std::vector<int> chosen_;
  // By edge: the candidate whose order is kept, and that order.
  std::vector<std::pair<int, std::optional<ThreadOrder::PointOrder>>> orders_;
};

uint64_t FirstSharedLock(const std::vector<std::vector<WitnessCandidate>>& candidates,
                         const std::vector<int>& chosen) {
  for (size_t i = 0; i < chosen.size(); ++i) {
    for (size_t j = i + 1; j < chosen.size(); ++j) {
      uint64_t common;
      if (SharesLock(candidates[i][chosen[i]], candidates[j][chosen[j]], &common)) {
        return common;
      }
    }
  }
  return 0;
}

}  // namespace

WitnessResult FindWitness(const std::vector<std::vector<WitnessCandidate>>& candidates,
                          const ThreadOrder& order, int64_t max_steps) {
  WitnessResult result;
  Search search(candidates, order, max_steps);
  if (search.Run(4)) {
    result.verdict = CycleVerdict::kDeadlock;
    result.chosen = search.chosen();
    return result;
  }
  if (search.exhausted()) {
    result.verdict = CycleVerdict::kSearchLimit;
    return result;
  }
  // No witness: find the first rule that rules the cycle out, relaxing from the strictest.
  static constexpr CycleVerdict kFailing[] = {CycleVerdict::kSingleThread,
                                              CycleVerdict::kCannotBlock,
                                              CycleVerdict::kGateLock, CycleVerdict::kOrdered};
  for (int level = 1; level <= 3; ++level) {
    if (!search.Run(level)) {
      result.verdict = search.exhausted() ? CycleVerdict::kSearchLimit : kFailing[level - 1];
      return result;
    }
    if (level == 2) {
      // Passing rules 1-2 but not 3 (checked next): name the gate of this assignment.
      result.gate_lock = FirstSharedLock(candidates, search.chosen());
    }
  }
  // Rules 1-3 hold for some assignment, rule 4 for none.
  result.verdict = CycleVerdict::kOrdered;
  result.gate_lock = 0;
  return result;
}

const char* CycleVerdictName(CycleVerdict verdict) {
  switch (verdict) {
    case CycleVerdict::kDeadlock: return "deadlock";
    case CycleVerdict::kSingleThread: return "single thread";
    case CycleVerdict::kCannotBlock: return "shared acquisitions only";
    case CycleVerdict::kGateLock: return "gate lock";
    case CycleVerdict::kOrdered: return "ordered by thread start/join";
    case CycleVerdict::kSearchLimit: return "search limit";
  }
  return "unknown";
}

}  // namespace lockgraph

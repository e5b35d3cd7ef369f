// Deciding whether a lock-order cycle can deadlock: the witness rules shared by the runtime's
// online check and the analyzer, so both give the same verdict.
//
// A cycle L0 -> L1 -> ... -> Ln-1 -> L0 deadlocks only if one dependency per edge can be chosen
// (the *witness*; edge i: a thread holding Li acquires Li+1) such that
//   1. the threads are pairwise distinct (one thread cannot wait for itself across edges),
//   2. every edge can block: the acquisition of Li+1 conflicts with the mode in which the next
//      thread holds it (readers do not block readers),
//   3. the held sets are pairwise disjoint (a common *gate lock* serializes the threads; one
//      that both threads hold shared does not: readers do not exclude each other), and
//   4. no two are ordered by thread start/join (they can never be in flight together).
// These are the conditions of GoodLock/iGoodlock (Havelund 2000; Joshi et al., PLDI 2009).
//
// The search is a backtracking over the candidates of each edge, bounded by a step budget; it
// reports the first rule that no assignment passes, for `--explain`.
#ifndef LOCKGRAPH_COMMON_WITNESS_H_
#define LOCKGRAPH_COMMON_WITNESS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "common/thread_order.h"

namespace lockgraph {

// One dependency offered as the witness of one cycle edge.
struct WitnessCandidate {
  ThreadPoint where;
  absl::Span<const uint64_t> held;  // keys of every lock held at the acquisition
  bool acquire_shared = false;      // the edge's target was requested in shared mode
  bool from_held_shared = false;    // the edge's source is held in shared mode
  absl::Span<const uint64_t> held_shared;  // the keys of `held` held in shared mode only
};

enum class CycleVerdict {
  kDeadlock,       // a witness exists
  kSingleThread,   // rule 1: no choice of distinct threads
  kCannotBlock,    // rule 2: every choice has an edge of readers only
  kGateLock,       // rule 3: every choice shares a held lock (see gate_lock)
  kOrdered,        // rule 4: every choice is ordered by thread start/join
  kSearchLimit,    // the step budget ran out before an answer
};

struct WitnessResult {
  CycleVerdict verdict = CycleVerdict::kSingleThread;
  std::vector<int> chosen;  // kDeadlock: index into candidates[i] for each edge i
  uint64_t gate_lock = 0;   // kGateLock: a lock held on two edges of the first such choice
};

// candidates[i] are the dependencies of edge i. Cost: at most `max_steps` assignment steps.
WitnessResult FindWitness(const std::vector<std::vector<WitnessCandidate>>& candidates,
                          const ThreadOrder& order, int64_t max_steps = 200000);

const char* CycleVerdictName(CycleVerdict verdict);

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_WITNESS_H_

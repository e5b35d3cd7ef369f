// Tests of common/witness.h: FindWitness's verdict for each rule, the chosen candidates, and
// agreement with a brute-force search over all assignments.
#include "common/witness.h"

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/thread_order.h"
#include "gtest/gtest.h"

namespace {

using lockgraph::CycleVerdict;
using lockgraph::CycleVerdictName;
using lockgraph::FindWitness;
using lockgraph::ThreadOrder;
using lockgraph::ThreadPoint;
using lockgraph::WitnessCandidate;
using lockgraph::WitnessResult;

// `held` must outlive the candidate: it is a span.
WitnessCandidate Cand(ThreadPoint where, const std::vector<uint64_t>& held,
                      bool acquire_shared = false, bool from_held_shared = false) {
  return WitnessCandidate{where, held, acquire_shared, from_held_shared, {}};
}

TEST(Witness, TwoLockCycleOverTwoThreadsIsDeadlock) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Edge 0: thread 1 holds L1, takes L2. Edge 1: thread 2 holds L2, takes L1.
  const WitnessResult r = FindWitness({{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0}));
  EXPECT_EQ(r.gate_lock, 0u);
}

// Lists of different lengths (the order of the shorter side is the one kept): the first
// witness in order is still the one chosen, by each edge's own indices.
TEST(Witness, ChosenIndicesNameEachEdgesOwnCandidates) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2}, h3 = {3};
  // Only thread 4 on edge 0 and thread 5 on edge 1 differ from edge 2's thread 3 and each other.
  const WitnessResult r = FindWitness(
      {{Cand({3, 0}, h1), Cand({5, 0}, h1), Cand({4, 0}, h1)},
       {Cand({3, 1}, h2), Cand({5, 1}, h2)},
       {Cand({3, 2}, h3)}},
      ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{2, 1, 0}));
}

TEST(Witness, SameThreadOnBothEdgesIsSingleThread) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  const WitnessResult r =
      FindWitness({{Cand({1, 0}, h1)}, {Cand({1, 3}, h2), Cand({1, 5}, h2)}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kSingleThread);
  EXPECT_TRUE(r.chosen.empty());
  EXPECT_EQ(r.gate_lock, 0u);
}

TEST(Witness, CommonHeldLockIsGateLock) {
  const std::vector<uint64_t> h1 = {9, 1}, h2 = {9, 2};
  const WitnessResult r = FindWitness({{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kGateLock);
  EXPECT_EQ(r.gate_lock, 9u);
  EXPECT_TRUE(r.chosen.empty());

  // The gate need not be the outermost lock.
  const std::vector<uint64_t> g1 = {5, 1, 77}, g2 = {2, 77};
  const WitnessResult inner =
      FindWitness({{Cand({1, 0}, g1)}, {Cand({2, 0}, g2)}}, ThreadOrder());
  EXPECT_EQ(inner.verdict, CycleVerdict::kGateLock);
  EXPECT_EQ(inner.gate_lock, 77u);
}

TEST(Witness, ALockBothThreadsHoldSharedIsNoGate) {
  // Both hold 9 as readers: they are inside it together, so it serializes nothing.
  const std::vector<uint64_t> h1 = {9, 1}, h2 = {9, 2}, shared = {9};
  WitnessCandidate c1 = Cand({1, 0}, h1), c2 = Cand({2, 0}, h2);
  c1.held_shared = shared;
  c2.held_shared = shared;
  const WitnessResult r = FindWitness({{c1}, {c2}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.gate_lock, 0u);

  // A writer on one side excludes the reader on the other: a gate again.
  c2.held_shared = {};
  const WitnessResult writer = FindWitness({{c1}, {c2}}, ThreadOrder());
  EXPECT_EQ(writer.verdict, CycleVerdict::kGateLock);
  EXPECT_EQ(writer.gate_lock, 9u);
}

TEST(Witness, GateLockOnEveryChoiceIsGateLock) {
  const std::vector<uint64_t> a = {9, 1}, b = {9, 1, 3}, c = {9, 2}, d = {4, 9, 2};
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, a), Cand({3, 0}, b)}, {Cand({2, 0}, c), Cand({4, 0}, d)}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kGateLock);
  EXPECT_EQ(r.gate_lock, 9u);
}

TEST(Witness, DependenciesOrderedByStartAreOrdered) {
  ThreadOrder order;
  order.AddStart(/*child=*/2, /*parent=*/1, /*parent_segment=*/0);
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Thread 1 takes L1 -> L2 before starting thread 2, which takes L2 -> L1.
  WitnessResult r = FindWitness({{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}}, order);
  EXPECT_EQ(r.verdict, CycleVerdict::kOrdered);
  EXPECT_EQ(r.gate_lock, 0u);
  EXPECT_TRUE(r.chosen.empty());
  // After the start the two run concurrently: a deadlock.
  r = FindWitness({{Cand({1, 1}, h1)}, {Cand({2, 0}, h2)}}, order);
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0}));
}

TEST(Witness, DependenciesOrderedByJoinAreOrdered) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);
  order.AddJoin(1, 1, 2);
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Thread 2's edge, then thread 1's after joining it.
  WitnessResult r = FindWitness({{Cand({1, 2}, h1)}, {Cand({2, 0}, h2)}}, order);
  EXPECT_EQ(r.verdict, CycleVerdict::kOrdered);
  // Thread 1's edge while 2 still runs.
  r = FindWitness({{Cand({1, 1}, h1)}, {Cand({2, 0}, h2)}}, order);
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
}

TEST(Witness, SharedAcquisitionsOfSharedHoldsCannotBlock) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Both threads hold their lock shared and request the other's shared: readers only.
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1, /*acquire_shared=*/true, /*from_held_shared=*/true)},
       {Cand({2, 0}, h2, /*acquire_shared=*/true, /*from_held_shared=*/true)}},
      ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kCannotBlock);
  EXPECT_TRUE(r.chosen.empty());
}

TEST(Witness, OneReadersOnlyEdgeCannotBlock) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Edge 0 requests L2 exclusively (blocks on thread 2's shared hold), but edge 1 requests L1
  // shared while thread 1 holds it shared: thread 2 gets L1, so nothing deadlocks.
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1, /*acquire_shared=*/false, /*from_held_shared=*/true)},
       {Cand({2, 0}, h2, /*acquire_shared=*/true, /*from_held_shared=*/true)}},
      ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kCannotBlock);
}

TEST(Witness, OneExclusiveEdgeAmongSharedOnesDeadlocks) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Thread 1 holds L1 exclusively and requests L2 exclusively; thread 2 holds L2 shared and
  // requests L1 shared. Each request conflicts with the other's hold.
  WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1, /*acquire_shared=*/false, /*from_held_shared=*/false)},
       {Cand({2, 0}, h2, /*acquire_shared=*/true, /*from_held_shared=*/true)}},
      ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0}));
  // Shared requests of exclusively held locks block too.
  r = FindWitness({{Cand({1, 0}, h1, /*acquire_shared=*/true, /*from_held_shared=*/false)},
                   {Cand({2, 0}, h2, /*acquire_shared=*/true, /*from_held_shared=*/false)}},
                  ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  // A shared-only candidate next to an exclusive one: the exclusive one is chosen.
  r = FindWitness({{Cand({1, 0}, h1, true, true), Cand({3, 0}, h1, false, false)},
                   {Cand({2, 0}, h2, true, true)}},
                  ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{1, 0}));
}

TEST(Witness, ThreeLockCycleOverThreeThreadsIsDeadlock) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2}, h3 = {3};
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}, {Cand({3, 0}, h3)}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0, 0}));
}

TEST(Witness, ThreeLockCycleNeedsThreeDistinctThreads) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2}, h3 = {3};
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}, {Cand({1, 4}, h3)}}, ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kSingleThread);
}

TEST(Witness, ThreeLockCycleChecksTheWrapAroundEdgeForBlocking) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2}, h3 = {3};
  // Edge 2 requests L0 shared and edge 0's thread holds L0 shared: edge 2 cannot block.
  WitnessResult r = FindWitness({{Cand({1, 0}, h1, false, /*from_held_shared=*/true)},
                                 {Cand({2, 0}, h2)},
                                 {Cand({3, 0}, h3, /*acquire_shared=*/true, false)}},
                                ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kCannotBlock);
  // Held exclusively, the same request blocks.
  r = FindWitness({{Cand({1, 0}, h1, false, /*from_held_shared=*/false)},
                   {Cand({2, 0}, h2)},
                   {Cand({3, 0}, h3, /*acquire_shared=*/true, false)}},
                  ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0, 0}));
}

TEST(Witness, PicksAValidLaterCandidate) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2}, gated = {1, 2};
  // Edge 1: the first candidate is edge 0's thread, the second shares L1 with edge 0, the
  // third fits.
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1)}, {Cand({1, 2}, h2), Cand({3, 0}, gated), Cand({2, 0}, h2)}},
      ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 2}));
}

TEST(Witness, BacktracksToALaterCandidateOfAnEarlierEdge) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // Edge 0's first candidate is ordered before edge 1's only candidate; its second is not.
  const WitnessResult r = FindWitness(
      {{Cand({1, 0}, h1), Cand({3, 0}, h1)}, {Cand({2, 0}, h2)}}, order);
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{1, 0}));
}

TEST(Witness, ThreeEdgesPickOneCandidateEach) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2}, h3 = {3};
  // The first choice with pairwise distinct threads is (4, 5, 6): indices 0, 1, 1.
  const WitnessResult r = FindWitness({{Cand({4, 0}, h1), Cand({5, 0}, h1)},
                                       {Cand({4, 1}, h2), Cand({5, 1}, h2), Cand({6, 0}, h2)},
                                       {Cand({4, 2}, h3), Cand({6, 1}, h3), Cand({5, 2}, h3)}},
                                      ThreadOrder());
  EXPECT_EQ(r.verdict, CycleVerdict::kDeadlock);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 1, 1}));
}

TEST(Witness, ReportsTheFirstRuleNoChoicePasses) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);
  const std::vector<uint64_t> a = {9, 1}, gated = {9, 2}, h2 = {2};
  // (a, gated) fails the gate rule, (a, h2) only the order rule: the verdict is kOrdered.
  const WitnessResult r =
      FindWitness({{Cand({1, 0}, a)}, {Cand({3, 0}, gated), Cand({2, 0}, h2)}}, order);
  EXPECT_EQ(r.verdict, CycleVerdict::kOrdered);
  EXPECT_EQ(r.gate_lock, 0u);
}

TEST(Witness, TinyStepBudgetIsSearchLimit) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  const WitnessResult r =
      FindWitness({{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}}, ThreadOrder(), /*max_steps=*/1);
  EXPECT_EQ(r.verdict, CycleVerdict::kSearchLimit);
  EXPECT_TRUE(r.chosen.empty());
}

TEST(Witness, StepBudgetCoversTheStepsTheSearchNeeds) {
  const std::vector<uint64_t> h1 = {1}, h2 = {2};
  // One candidate per edge: the witness takes two assignment steps.
  EXPECT_EQ(FindWitness({{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}}, ThreadOrder(), 3).verdict,
            CycleVerdict::kDeadlock);
  EXPECT_EQ(FindWitness({{Cand({1, 0}, h1)}, {Cand({2, 0}, h2)}}, ThreadOrder(), 2).verdict,
            CycleVerdict::kDeadlock);
}

TEST(Witness, LargeHopelessSearchHitsTheLimit) {
  const std::vector<uint64_t> held = {1};
  std::vector<std::vector<WitnessCandidate>> candidates(3);
  for (auto& edge : candidates) {
    for (uint32_t s = 0; s < 50; ++s) edge.push_back(Cand({1, s}, held));
  }
  EXPECT_EQ(FindWitness(candidates, ThreadOrder(), 100).verdict, CycleVerdict::kSearchLimit);
  EXPECT_EQ(FindWitness(candidates, ThreadOrder()).verdict, CycleVerdict::kSingleThread);
}

TEST(Witness, VerdictsHaveNames) {
  EXPECT_STREQ(CycleVerdictName(CycleVerdict::kDeadlock), "deadlock");
  EXPECT_STREQ(CycleVerdictName(CycleVerdict::kSingleThread), "single thread");
  EXPECT_STREQ(CycleVerdictName(CycleVerdict::kCannotBlock), "shared acquisitions only");
  EXPECT_STREQ(CycleVerdictName(CycleVerdict::kGateLock), "gate lock");
  EXPECT_STREQ(CycleVerdictName(CycleVerdict::kOrdered), "ordered by thread start/join");
  EXPECT_STREQ(CycleVerdictName(CycleVerdict::kSearchLimit), "search limit");
}

// Brute force over every assignment, in the same lexicographic order as the search.
bool PassesRules(const std::vector<std::vector<WitnessCandidate>>& candidates,
                 const std::vector<int>& choice, const ThreadOrder& order, int level) {
  const size_t n = choice.size();
  auto at = [&](size_t i) -> const WitnessCandidate& { return candidates[i][choice[i]]; };
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (at(i).where.thread == at(j).where.thread) return false;
    }
  }
  if (level >= 2) {
    for (size_t i = 0; i < n; ++i) {
      if (at(i).acquire_shared && at((i + 1) % n).from_held_shared) return false;
    }
  }
  if (level >= 3) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        for (uint64_t x : at(i).held) {
          for (uint64_t y : at(j).held) {
            if (x == y) return false;
          }
        }
      }
    }
  }
  if (level >= 4) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        if (order.Ordered(at(i).where, at(j).where)) return false;
      }
    }
  }
  return true;
}

// The first assignment (lexicographically) passing the first `level` rules, or empty.
std::vector<int> FirstPassing(const std::vector<std::vector<WitnessCandidate>>& candidates,
                              const ThreadOrder& order, int level) {
  std::vector<int> choice(candidates.size(), 0);
  for (;;) {
    if (PassesRules(candidates, choice, order, level)) return choice;
    size_t i = candidates.size();
    while (i > 0) {
      --i;
      if (++choice[i] < static_cast<int>(candidates[i].size())) break;
      choice[i] = 0;
      if (i == 0) return {};
    }
  }
}

TEST(Witness, MatchesBruteForceOnRandomCycles) {
  int verdicts[6] = {};
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    for (int round = 0; round < 200; ++round) {
      ThreadOrder order;
      for (uint32_t child = 2; child <= 5; ++child) {
        if (rng() % 2) order.AddStart(child, 1 + rng() % (child - 1), rng() % 3);
      }
      if (rng() % 2) order.AddJoin(1, rng() % 3, 2 + rng() % 4);
      const size_t edges = 2 + rng() % 3;
      std::vector<std::vector<uint64_t>> helds;  // stable storage for the spans
      helds.reserve(64);
      std::vector<std::vector<WitnessCandidate>> candidates(edges);
      for (size_t e = 0; e < edges; ++e) {
        const size_t count = 1 + rng() % 3;
        for (size_t k = 0; k < count; ++k) {
          std::vector<uint64_t> held = {100 + e};  // the edge's source lock
          if (rng() % 4 == 0) held.push_back(1 + rng() % 2);  // maybe a gate
          helds.push_back(held);
          candidates[e].push_back(Cand({1 + static_cast<uint32_t>(rng() % 5),
                                        static_cast<uint32_t>(rng() % 3)},
                                       helds.back(), rng() % 4 == 0, rng() % 4 == 0));
        }
      }
      const WitnessResult r = FindWitness(candidates, order);
      ++verdicts[static_cast<int>(r.verdict)];
      const std::string where = "seed " + std::to_string(seed) + " round " +
                                std::to_string(round);
      const std::vector<int> witness = FirstPassing(candidates, order, 4);
      if (!witness.empty()) {
        ASSERT_EQ(r.verdict, CycleVerdict::kDeadlock) << where;
        EXPECT_EQ(r.chosen, witness) << where;
        continue;
      }
      CycleVerdict expected = CycleVerdict::kOrdered;
      std::vector<int> gate_choice;
      for (int level = 1; level <= 3; ++level) {
        std::vector<int> choice = FirstPassing(candidates, order, level);
        if (choice.empty()) {
          expected = level == 1   ? CycleVerdict::kSingleThread
                     : level == 2 ? CycleVerdict::kCannotBlock
                                  : CycleVerdict::kGateLock;
          break;
        }
        if (level == 2) gate_choice = choice;
      }
      ASSERT_EQ(r.verdict, expected) << where;
      if (expected == CycleVerdict::kGateLock) {
        // The gate is held on two edges of the first choice passing rules 1 and 2.
        int holders = 0;
        for (size_t e = 0; e < edges; ++e) {
          for (uint64_t x : candidates[e][gate_choice[e]].held) holders += x == r.gate_lock;
        }
        EXPECT_GE(holders, 2) << where << " gate " << r.gate_lock;
      } else {
        EXPECT_EQ(r.gate_lock, 0u) << where;
      }
    }
  }
  // The random cases reach every verdict but the search limit.
  EXPECT_GT(verdicts[static_cast<int>(CycleVerdict::kDeadlock)], 0);
  EXPECT_GT(verdicts[static_cast<int>(CycleVerdict::kSingleThread)], 0);
  EXPECT_GT(verdicts[static_cast<int>(CycleVerdict::kCannotBlock)], 0);
  EXPECT_GT(verdicts[static_cast<int>(CycleVerdict::kGateLock)], 0);
  EXPECT_GT(verdicts[static_cast<int>(CycleVerdict::kOrdered)], 0);
  EXPECT_EQ(verdicts[static_cast<int>(CycleVerdict::kSearchLimit)], 0);
}

}  // namespace

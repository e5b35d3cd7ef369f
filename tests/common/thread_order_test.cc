// Tests of common/thread_order.h: happens-before between thread segments from start and join.
#include "common/thread_order.h"

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace {

using lockgraph::ThreadOrder;
using lockgraph::ThreadPoint;

TEST(ThreadOrder, StartOrdersParentSegmentBeforeChild) {
  ThreadOrder order;
  order.AddStart(/*child=*/2, /*parent=*/1, /*parent_segment=*/0);
  EXPECT_TRUE(order.HappensBefore({1, 0}, {2, 0}));
  EXPECT_TRUE(order.HappensBefore({1, 0}, {2, 7}));  // the whole child
  EXPECT_FALSE(order.HappensBefore({2, 0}, {1, 0}));
  EXPECT_FALSE(order.HappensBefore({2, 0}, {1, 1}));  // no join: the child runs on
}

TEST(ThreadOrder, ParentLaterSegmentIsNotBeforeChild) {
  ThreadOrder order;
  order.AddStart(2, 1, 3);
  EXPECT_TRUE(order.HappensBefore({1, 0}, {2, 0}));  // earlier segments come before too
  EXPECT_TRUE(order.HappensBefore({1, 3}, {2, 0}));
  EXPECT_FALSE(order.HappensBefore({1, 4}, {2, 0}));
  EXPECT_FALSE(order.HappensBefore({2, 0}, {1, 4}));
  EXPECT_FALSE(order.Ordered({1, 4}, {2, 0}));
  EXPECT_TRUE(order.Ordered({1, 3}, {2, 5}));
}

TEST(ThreadOrder, JoinOrdersJoinedThreadBeforeJoinerNextSegment) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);  // 1 moves to segment 1
  order.AddJoin(/*joiner=*/1, /*joiner_segment=*/1, /*joined=*/2);  // 1 moves to segment 2
  EXPECT_TRUE(order.HappensBefore({2, 0}, {1, 2}));
  EXPECT_TRUE(order.HappensBefore({2, 5}, {1, 2}));  // every segment of the joined thread
  EXPECT_TRUE(order.HappensBefore({2, 5}, {1, 9}));
  EXPECT_FALSE(order.HappensBefore({2, 0}, {1, 1}));  // the joiner's segment at the join
  EXPECT_FALSE(order.HappensBefore({1, 1}, {2, 0}));  // and it is concurrent with the child
  EXPECT_FALSE(order.Ordered({1, 1}, {2, 3}));
  EXPECT_FALSE(order.HappensBefore({1, 2}, {2, 0}));
}

TEST(ThreadOrder, OrdersThroughGrandchildren) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);
  order.AddStart(3, 2, 1);
  EXPECT_TRUE(order.HappensBefore({1, 0}, {3, 0}));
  EXPECT_TRUE(order.HappensBefore({2, 0}, {3, 0}));
  EXPECT_TRUE(order.HappensBefore({2, 1}, {3, 4}));
  EXPECT_FALSE(order.HappensBefore({2, 2}, {3, 0}));
  EXPECT_FALSE(order.HappensBefore({1, 1}, {3, 0}));
  EXPECT_FALSE(order.HappensBefore({3, 0}, {1, 0}));
}

TEST(ThreadOrder, OrdersThroughJoinThenStart) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);  // 1: segment 0 -> 1
  order.AddStart(4, 1, 1);  // 1: segment 1 -> 2
  order.AddJoin(1, 2, 2);   // 1: segment 2 -> 3
  order.AddStart(3, 1, 3);  // 1: segment 3 -> 4
  EXPECT_TRUE(order.HappensBefore({2, 0}, {3, 0}));
  EXPECT_TRUE(order.HappensBefore({2, 6}, {3, 2}));
  EXPECT_TRUE(order.Ordered({3, 0}, {2, 4}));
  EXPECT_FALSE(order.HappensBefore({3, 0}, {2, 0}));
  // A sibling started before the join is ordered with neither the joined thread nor the
  // thread started after the join.
  EXPECT_FALSE(order.Ordered({4, 0}, {2, 0}));
  EXPECT_FALSE(order.Ordered({4, 0}, {3, 0}));
  EXPECT_TRUE(order.HappensBefore({1, 1}, {4, 0}));
  EXPECT_FALSE(order.HappensBefore({1, 2}, {4, 0}));
}

TEST(ThreadOrder, OrdersThroughJoinChains) {
  ThreadOrder order;
  // 3 is joined by 2, which is joined by 1: 3 happens before 1's segment after that join.
  order.AddStart(2, 1, 0);
  order.AddStart(3, 2, 0);
  order.AddJoin(2, 1, 3);
  order.AddJoin(1, 1, 2);
  EXPECT_TRUE(order.HappensBefore({3, 0}, {2, 2}));
  EXPECT_FALSE(order.HappensBefore({3, 0}, {2, 1}));
  EXPECT_TRUE(order.HappensBefore({3, 0}, {1, 2}));
  EXPECT_FALSE(order.HappensBefore({3, 0}, {1, 1}));
}

TEST(ThreadOrder, UnknownParentOrdersNothing) {
  ThreadOrder order;
  order.AddStart(/*child=*/5, /*parent=*/0, /*parent_segment=*/0);
  EXPECT_FALSE(order.HappensBefore({0, 0}, {5, 0}));
  EXPECT_FALSE(order.HappensBefore({5, 0}, {0, 0}));
  EXPECT_FALSE(order.Ordered({1, 0}, {5, 0}));
  EXPECT_FALSE(order.Ordered({0, 0}, {5, 3}));
}

TEST(ThreadOrder, SelfStartAndSelfJoinAreIgnored) {
  ThreadOrder order;
  order.AddStart(1, 1, 0);
  order.AddJoin(1, 0, 1);
  EXPECT_TRUE(order.HappensBefore({1, 0}, {1, 1}));
  EXPECT_FALSE(order.HappensBefore({1, 1}, {1, 0}));
  EXPECT_FALSE(order.Ordered({1, 0}, {2, 0}));
}

TEST(ThreadOrder, OrderedIsSymmetric) {
  ThreadOrder order;
  order.AddStart(2, 1, 0);
  order.AddStart(3, 1, 1);
  order.AddJoin(1, 2, 2);
  const std::vector<ThreadPoint> points = {{1, 0}, {1, 1}, {1, 2}, {1, 3}, {2, 0},
                                           {2, 1}, {3, 0}, {3, 2}, {4, 0}};
  int ordered_pairs = 0;
  for (ThreadPoint a : points) {
    for (ThreadPoint b : points) {
      EXPECT_EQ(order.Ordered(a, b), order.Ordered(b, a))
          << a.thread << "/" << a.segment << " vs " << b.thread << "/" << b.segment;
      // Happens-before is strict: never both ways.
      EXPECT_FALSE(order.HappensBefore(a, b) && order.HappensBefore(b, a));
      ordered_pairs += order.Ordered(a, b);
    }
  }
  EXPECT_TRUE(order.Ordered({1, 0}, {2, 0}));
  EXPECT_TRUE(order.Ordered({2, 0}, {1, 0}));
  EXPECT_TRUE(order.Ordered({2, 1}, {1, 3}));
  EXPECT_FALSE(order.Ordered({2, 0}, {3, 0}));  // siblings
  EXPECT_GT(ordered_pairs, 0);
}

TEST(ThreadOrder, SameThreadIsOrderedBySegment) {
  ThreadOrder order;  // no events at all
  EXPECT_TRUE(order.HappensBefore({7, 0}, {7, 1}));
  EXPECT_TRUE(order.HappensBefore({7, 2}, {7, 10}));
  EXPECT_FALSE(order.HappensBefore({7, 1}, {7, 1}));
  EXPECT_FALSE(order.HappensBefore({7, 2}, {7, 1}));
  EXPECT_TRUE(order.Ordered({7, 2}, {7, 1}));
  EXPECT_FALSE(order.Ordered({7, 1}, {7, 1}));
  EXPECT_FALSE(order.HappensBefore({7, 0}, {8, 0}));
}

// Brute force: each segment is a node; a thread's segments form a chain; a start links
// (parent, segment) to (child, 0); a join links every segment of the joined thread to
// (joiner, segment + 1); a signal links its sender's point to its receiver's. a happens
// before b iff b is reachable from a by at least one edge.
class SegmentGraph {
 public:
  explicit SegmentGraph(uint32_t max_segment) : max_segment_(max_segment) {}

  void AddStart(uint32_t child, uint32_t parent, uint32_t segment) {
    if (parent != 0) edges_[{parent, segment}].push_back({child, 0});
  }
  void AddJoin(uint32_t joiner, uint32_t segment, uint32_t joined) {
    for (uint32_t s = 0; s <= max_segment_; ++s) {
      edges_[{joined, s}].push_back({joiner, segment + 1});
    }
  }
  void AddSignal(ThreadPoint from, ThreadPoint to) {
    edges_[{from.thread, from.segment}].push_back({to.thread, to.segment});
  }
  bool HappensBefore(ThreadPoint a, ThreadPoint b) const {
    std::set<std::pair<uint32_t, uint32_t>> seen;
    std::vector<std::pair<uint32_t, uint32_t>> work;
    auto push_successors = [&](std::pair<uint32_t, uint32_t> node) {
      std::vector<std::pair<uint32_t, uint32_t>> next;
      if (node.second < max_segment_) next.push_back({node.first, node.second + 1});
      if (auto it = edges_.find(node); it != edges_.end()) {
        next.insert(next.end(), it->second.begin(), it->second.end());
      }
      for (auto n : next) {
        if (seen.insert(n).second) work.push_back(n);
      }
    };
    push_successors({a.thread, a.segment});
    while (!work.empty()) {
      auto node = work.back();
      work.pop_back();
      push_successors(node);
    }
    return seen.count({b.thread, b.segment}) > 0;
  }

 private:
  uint32_t max_segment_;
  std::map<std::pair<uint32_t, uint32_t>, std::vector<std::pair<uint32_t, uint32_t>>> edges_;
};

TEST(ThreadOrder, MatchesBruteForceOnRandomPrograms) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    constexpr uint32_t kMaxSegment = 12;
    ThreadOrder order;
    SegmentGraph model(kMaxSegment);
    // Simulate a program: running threads start and join others; a joined thread has ended.
    std::vector<uint32_t> segment = {0, 0};  // by thread id; thread 1 is main
    std::vector<bool> running = {false, true};
    for (int step = 0; step < 40; ++step) {
      std::vector<uint32_t> live;
      for (uint32_t t = 1; t < running.size(); ++t) {
        if (running[t] && segment[t] + 1 < kMaxSegment) live.push_back(t);
      }
      if (live.empty()) break;
      const uint32_t t = live[rng() % live.size()];
      const int action = static_cast<int>(rng() % 12);
      if (action < 5) {
        const uint32_t child = static_cast<uint32_t>(segment.size());
        segment.push_back(0);
        running.push_back(true);
        order.AddStart(child, t, segment[t]);
        model.AddStart(child, t, segment[t]);
        ++segment[t];
      } else if (action < 9) {
        std::vector<uint32_t> others;
        for (uint32_t u : live) {
          if (u != t) others.push_back(u);
        }
        if (others.empty()) continue;
        const uint32_t u = others[rng() % others.size()];
        running[u] = false;
        order.AddJoin(t, segment[t], u);
        model.AddJoin(t, segment[t], u);
        ++segment[t];
      } else if (action < 10) {
        // A thread lockgraph did not see start.
        const uint32_t child = static_cast<uint32_t>(segment.size());
        segment.push_back(0);
        running.push_back(true);
        order.AddStart(child, 0, 0);
      } else {
        // A signal from t to another running thread, received in its next segment.
        std::vector<uint32_t> others;
        for (uint32_t u : live) {
          if (u != t) others.push_back(u);
        }
        if (others.empty()) continue;
        const uint32_t u = others[rng() % others.size()];
        order.AddSignal({t, segment[t]}, {u, segment[u] + 1});
        model.AddSignal({t, segment[t]}, {u, segment[u] + 1});
        ++segment[t];
        ++segment[u];
      }
    }
    const uint32_t threads = static_cast<uint32_t>(segment.size());
    int before = 0, concurrent = 0;
    for (uint32_t ta = 1; ta < threads; ++ta) {
      for (uint32_t sa = 0; sa <= segment[ta]; ++sa) {
        for (uint32_t tb = 1; tb < threads; ++tb) {
          if (tb == ta) continue;
          for (uint32_t sb = 0; sb <= segment[tb]; ++sb) {
            const bool expected = model.HappensBefore({ta, sa}, {tb, sb});
            ASSERT_EQ(order.HappensBefore({ta, sa}, {tb, sb}), expected)
                << "seed " << seed << ": " << ta << "/" << sa << " before " << tb << "/" << sb;
            // The same from one point's precomputed order, both ways.
            ASSERT_EQ(order.OrderOf({ta, sa}).Ordered({tb, sb}),
                      expected || model.HappensBefore({tb, sb}, {ta, sa}))
                << "seed " << seed << ": " << ta << "/" << sa << " ordered with " << tb << "/"
                << sb;
            (expected ? before : concurrent)++;
          }
        }
      }
    }
    EXPECT_GT(before, 0) << "seed " << seed;
    EXPECT_GT(concurrent, 0) << "seed " << seed;
  }
}

TEST(ThreadOrder, SignalOrdersSendersPastBeforeReceiversFuture) {
  ThreadOrder order;
  // Thread 1 sets an event in segment 2; thread 3 wakes from it in segment 4, and goes on in 5.
  order.AddSignal({1, 2}, {3, 5});
  EXPECT_TRUE(order.has_signals());
  EXPECT_TRUE(order.HappensBefore({1, 0}, {3, 5}));
  EXPECT_TRUE(order.HappensBefore({1, 2}, {3, 9}));
  EXPECT_FALSE(order.HappensBefore({1, 2}, {3, 4}));  // before the wait ended
  EXPECT_FALSE(order.HappensBefore({1, 3}, {3, 5}));  // after the set
  EXPECT_FALSE(order.HappensBefore({3, 5}, {1, 9}));  // a signal orders one way only
}

TEST(ThreadOrder, SignalsChainWithJoins) {
  ThreadOrder order;
  order.AddSignal({1, 0}, {2, 1});
  order.AddSignal({2, 1}, {3, 2});
  order.AddJoin(/*joiner=*/4, /*joiner_segment=*/0, /*joined=*/3);
  EXPECT_TRUE(order.HappensBefore({1, 0}, {3, 2}));
  EXPECT_TRUE(order.HappensBefore({1, 0}, {4, 1}));
  EXPECT_FALSE(order.HappensBefore({2, 0}, {1, 1}));
}

TEST(ThreadOrder, RepeatedSignalsKeepTheirOrders) {
  ThreadOrder order;
  // A producer's puts, each taken by the consumer's next get.
  for (uint32_t i = 0; i < 100; ++i) order.AddSignal({1, i}, {2, i + 1});
  for (uint32_t i = 0; i < 100; ++i) {
    EXPECT_TRUE(order.HappensBefore({1, i}, {2, i + 1})) << i;
    EXPECT_FALSE(order.HappensBefore({1, i + 1}, {2, i + 1})) << i;
  }
  // Dominated signals add nothing: the same receiver segment from an earlier sender segment.
  ThreadOrder same;
  same.AddSignal({1, 5}, {2, 3});
  same.AddSignal({1, 4}, {2, 3});
  same.AddSignal({1, 7}, {2, 3});
  EXPECT_TRUE(same.HappensBefore({1, 7}, {2, 3}));
  EXPECT_FALSE(same.HappensBefore({1, 8}, {2, 3}));
}

}  // namespace

// EdgeIndex: every pair found again with the edge it was given, through growth, and pairs
// that share a node or differ only in direction kept apart.
#include "analyzer/graph/edge_index.h"

#include <cstdint>
#include <map>
#include <utility>

#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::EdgeIndex;

TEST(EdgeIndex, GivesTheEdgeOfAPairMetBefore) {
  EdgeIndex index;
  EXPECT_EQ(index.TryEmplace(3, 7, 0), std::make_pair(0u, true));
  EXPECT_EQ(index.TryEmplace(7, 3, 1), std::make_pair(1u, true));  // the other direction
  EXPECT_EQ(index.TryEmplace(3, 3, 2), std::make_pair(2u, true));  // a node to itself
  EXPECT_EQ(index.TryEmplace(3, 7, 9), std::make_pair(0u, false));
  EXPECT_EQ(index.TryEmplace(7, 3, 9), std::make_pair(1u, false));
  EXPECT_EQ(index.TryEmplace(3, 3, 9), std::make_pair(2u, false));
  EXPECT_EQ(index.size(), 3u);
}

TEST(EdgeIndex, KeepsEveryPairThroughGrowth) {
  // Many pairs that share nodes, as a class graph's do, and the largest node ids, against a
  // map: each is inserted once with its number, then found with it.
  EdgeIndex index;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> expected;
  auto add = [&](uint32_t from, uint32_t to) {
    const uint32_t next = static_cast<uint32_t>(expected.size());
    const auto [edge, inserted] = index.TryEmplace(from, to, next);
    const auto [it, fresh] = expected.try_emplace({from, to}, next);
    EXPECT_EQ(inserted, fresh) << from << " -> " << to;
    EXPECT_EQ(edge, it->second) << from << " -> " << to;
  };
  for (uint32_t from = 1; from <= 300; ++from) {
    for (uint32_t to = 1; to <= 300; to += from % 7 + 1) add(from, to);
  }
  add(UINT32_MAX, 1);
  add(1, UINT32_MAX);
  add(UINT32_MAX, UINT32_MAX);
  EXPECT_EQ(index.size(), expected.size());
  for (const auto& [pair, edge] : expected) {
    index.Prefetch(pair.first, pair.second);
    EXPECT_EQ(index.TryEmplace(pair.first, pair.second, 0), std::make_pair(edge, false));
  }
  EXPECT_EQ(index.size(), expected.size());
}

TEST(EdgeIndex, ReserveKeepsWhatItHolds) {
  EdgeIndex index;
  index.Prefetch(1, 2);  // nothing to ask for yet
  EXPECT_EQ(index.TryEmplace(1, 2, 5), std::make_pair(5u, true));
  index.Reserve(100000);
  EXPECT_EQ(index.TryEmplace(1, 2, 6), std::make_pair(5u, false));
  EXPECT_EQ(index.TryEmplace(2, 1, 6), std::make_pair(6u, true));
  index.Reserve(1);  // never shrinks
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.TryEmplace(2, 1, 7), std::make_pair(6u, false));
}

}  // namespace

// ChunkedVector: the blocks that hold the model's dependencies and locks.
#include "analyzer/model/chunked_vector.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::ChunkedVector;

struct Item {
  uint32_t a = 7;  // a default that construction would write: elements are copies only
  uint64_t b = 0;
};

TEST(ChunkedVector, ElementsKeepTheirValuesAndPlacesAcrossBlocks) {
  ChunkedVector<Item, 4> items;  // blocks of 16
  std::vector<const Item*> places;
  for (uint32_t i = 0; i < 100; ++i) {
    items.push_back({i, uint64_t{i} * 3});
    places.push_back(&items[i]);
  }
  ASSERT_EQ(items.size(), 100u);
  uint32_t i = 0;
  for (const Item& item : items) {
    EXPECT_EQ(item.a, i);
    EXPECT_EQ(item.b, uint64_t{i} * 3);
    EXPECT_EQ(&item, places[i]) << "an element never moves";
    ++i;
  }
  EXPECT_EQ(i, 100u);
  EXPECT_EQ(items.back().a, 99u);
}

TEST(ChunkedVector, TruncateKeepsTheFirstAndPushesAfterThem) {
  ChunkedVector<Item, 4> items;
  for (uint32_t i = 0; i < 40; ++i) items.push_back({i, 0});
  const Item* tenth = &items[9];
  items.truncate(10);
  ASSERT_EQ(items.size(), 10u);
  EXPECT_EQ(&items[9], tenth);
  for (uint32_t i = 10; i < 50; ++i) items.push_back({i + 1000, 0});
  ASSERT_EQ(items.size(), 50u);
  for (uint32_t i = 0; i < 10; ++i) EXPECT_EQ(items[i].a, i);
  for (uint32_t i = 10; i < 50; ++i) EXPECT_EQ(items[i].a, i + 1000);
}

TEST(ChunkedVector, CopiesFillIt) {
  ChunkedVector<Item, 4> items(20, Item{5, 6});
  ASSERT_EQ(items.size(), 20u);
  EXPECT_EQ(items[19].a, 5u);
  EXPECT_EQ(items[19].b, 6u);
  items.truncate(0);
  EXPECT_TRUE(items.empty());
  EXPECT_EQ(items.begin(), items.end());
  items.push_back({1, 2});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].a, 1u);
  ChunkedVector<Item, 4> placeholder(1);
  EXPECT_EQ(placeholder[0].a, 7u) << "a default element";
}

}  // namespace

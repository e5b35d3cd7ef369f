// HeldPool: the blocks that hold the model's dependencies' held lists.
#include "analyzer/model/model.h"

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::HeldPool;
using ::lockgraph::analyzer::HeldRef;

TEST(HeldPool, NothingHeldNeedsNoBlockEvenFirst) {
  HeldPool pool;
  EXPECT_TRUE(pool.Allocate(0).empty()) << "before any block exists";
  ASSERT_EQ(pool.Allocate(2).size(), 2u);
  EXPECT_TRUE(pool.Allocate(0).empty()) << "after one";
}

TEST(HeldPool, ListsAreContiguousAndKeepTheirValuesAsThePoolGrows) {
  HeldPool pool;
  std::vector<std::span<HeldRef>> lists;
  // Enough lists to fill several blocks, one longer than a block among them.
  for (uint32_t i = 0; i < 100000; ++i) {
    const size_t n = i == 500 ? 200000 : 1 + i % 3;
    std::span<HeldRef> list = pool.Allocate(n);
    ASSERT_EQ(list.size(), n);
    for (size_t k = 0; k < n; ++k) list[k].lock = i;
    lists.push_back(list);
  }
  for (uint32_t i = 0; i < lists.size(); ++i) {
    for (const HeldRef& held : lists[i]) ASSERT_EQ(held.lock, i) << "list " << i;
  }
}

TEST(HeldPool, KeptListsMoveDownOverTheDroppedInPlaceAndLaterListsComeAfterThem) {
  HeldPool pool;
  // A trace before, whose lists stay; then one of many lists, a list longer than a block
  // among them, of which every third is kept (and the long one).
  std::vector<std::span<HeldRef>> before;
  for (uint32_t i = 0; i < 1000; ++i) {
    before.push_back(pool.Allocate(1 + i % 2));
    for (HeldRef& h : before.back()) h.lock = i;
  }
  HeldPool::Position to = pool.end();
  std::vector<std::span<HeldRef>> lists;
  for (uint32_t i = 0; i < 90000; ++i) {
    const size_t n = i == 40000 ? 70000 : i % 4;  // none held, at times
    lists.push_back(pool.Allocate(n));
    for (size_t k = 0; k < n; ++k) lists.back()[k] = {.lock = i, .flags = uint8_t(k)};
  }
  std::vector<std::pair<uint32_t, std::span<HeldRef>>> kept;
  for (uint32_t i = 0; i < lists.size(); ++i) {
    if (i % 3 != 0 && i != 40000) continue;
    const std::span<HeldRef> moved = pool.MoveDown(lists[i], to);
    ASSERT_EQ(moved.size(), lists[i].size());
    kept.emplace_back(i, moved);
  }
  pool.Truncate(to);
  // Lists allocated now come after the kept ones: writing them changes none of those.
  for (uint32_t i = 0; i < 50000; ++i) {
    for (HeldRef& h : pool.Allocate(3)) h.lock = UINT32_MAX;
  }
  for (uint32_t i = 0; i < before.size(); ++i) {
    ASSERT_EQ(before[i].size(), 1 + i % 2u);
    for (const HeldRef& h : before[i]) ASSERT_EQ(h.lock, i) << "a list before, " << i;
  }
  // Each moved over dropped lists only: every kept one has its own values.
  for (const auto& [i, list] : kept) {
    ASSERT_EQ(list.size(), i == 40000 ? 70000u : i % 4);
    for (size_t k = 0; k < list.size(); ++k) {
      ASSERT_EQ(list[k].lock, i) << "kept list " << i;
      ASSERT_EQ(list[k].flags, uint8_t(k)) << "kept list " << i;
    }
  }
}

TEST(HeldPool, AListMovedDownLessThanItsLengthKeepsItsValues) {
  HeldPool pool;
  HeldPool::Position to = pool.end();
  pool.Allocate(1);  // dropped
  const std::span<HeldRef> list = pool.Allocate(4);
  for (uint32_t k = 0; k < 4; ++k) list[k].lock = 10 + k;
  const std::span<HeldRef> moved = pool.MoveDown(list, to);  // over itself, one place down
  pool.Truncate(to);
  ASSERT_EQ(moved.size(), 4u);
  for (uint32_t k = 0; k < 4; ++k) EXPECT_EQ(moved[k].lock, 10 + k);
}

TEST(HeldPool, NothingKeptLeavesTheListsBeforeAndTakesTheirBlockNext) {
  HeldPool pool;
  const std::span<HeldRef> first = pool.Allocate(2);
  first[0].lock = 1;
  first[1].lock = 2;
  HeldPool::Position to = pool.end();
  const std::span<HeldRef> dropped = pool.Allocate(5);
  pool.Truncate(to);
  const std::span<HeldRef> next = pool.Allocate(5);
  EXPECT_EQ(next.data(), dropped.data()) << "right after the lists before";
  for (HeldRef& h : next) h.lock = 9;
  EXPECT_EQ(first[0].lock, 1u);
  EXPECT_EQ(first[1].lock, 2u);
}

}  // namespace

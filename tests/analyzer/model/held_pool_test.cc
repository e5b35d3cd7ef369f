// HeldPool: the blocks that hold the model's dependencies' held lists.
#include "analyzer/model/model.h"

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

}  // namespace

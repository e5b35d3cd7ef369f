// IdTable: dense ids in the vector, stray large ids in the hash map, and the same answers
// either way.
#include "analyzer/input/id_table.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::IdTable;

TEST(IdTable, AbsentIdsAreZero) {
  IdTable<uint32_t> table;
  EXPECT_EQ(table.Get(0), 0u);
  EXPECT_EQ(table.Get(1), 0u);
  EXPECT_FALSE(table.contains(UINT64_MAX));
  EXPECT_EQ(table.size(), 0u);
}

TEST(IdTable, FirstValueOfAnIdIsKept) {
  IdTable<uint32_t> table;
  EXPECT_TRUE(table.Insert(3, 30));
  EXPECT_FALSE(table.Insert(3, 31));
  EXPECT_EQ(table.Get(3), 30u);
  EXPECT_TRUE(table.Insert(UINT64_MAX, 7));
  EXPECT_FALSE(table.Insert(UINT64_MAX, 8));
  EXPECT_EQ(table.Get(UINT64_MAX), 7u);
  EXPECT_EQ(table.size(), 2u);
}

TEST(IdTable, DenseAndSparseIdsMixed) {
  // Ids in increasing order with a far one early: it starts in the hash map and moves into the
  // vector once the dense ids reach it.
  IdTable<uint64_t> table;
  EXPECT_TRUE(table.Insert(5000, 1));
  for (uint64_t id = 1; id <= 20000; ++id) {
    EXPECT_EQ(table.Insert(id, id + 1), id != 5000) << id;
  }
  EXPECT_TRUE(table.Insert(uint64_t{1} << 40, 9));
  EXPECT_EQ(table.size(), 20001u);
  EXPECT_EQ(table.Get(5000), 1u);
  for (uint64_t id = 1; id <= 20000; ++id) {
    if (id != 5000) {
      EXPECT_EQ(table.Get(id), id + 1) << id;
    }
  }
  EXPECT_EQ(table.Get(uint64_t{1} << 40), 9u);
  EXPECT_EQ(table.Get(20001), 0u);
}

TEST(IdTable, SparseIdsStayOutOfTheVector) {
  // Ids a million apart: the vector would be huge; all of them go to the hash map and are found.
  IdTable<uint8_t> table;
  for (uint64_t i = 1; i <= 1000; ++i) EXPECT_TRUE(table.Insert(i * 1000000, 1));
  for (uint64_t i = 1; i <= 1000; ++i) {
    EXPECT_TRUE(table.contains(i * 1000000));
    EXPECT_FALSE(table.contains(i * 1000000 + 1));
  }
}

}  // namespace

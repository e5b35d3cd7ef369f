#include "analyzer/input/decoded_records.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/trace_records.h"
#include "common/varint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

namespace format = ::lockgraph::format;
using ::lockgraph::analyzer::DecodedRecords;
using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The payload of `record` as a trace holds it (after its type and length).
std::string Payload(const format::DependencyRecord& record) {
  std::string bytes;
  format::EncodeRecord(record, bytes);
  format::VarintReader reader(bytes);
  uint64_t type = 0, length = 0;
  EXPECT_TRUE(reader.Read(type) && reader.Read(length));
  return bytes.substr(reader.position(), length);
}

std::vector<uint64_t> HeldInstances(const DecodedRecords& records, size_t i) {
  std::vector<uint64_t> instances;
  for (const format::HeldLock& h : records.held_of(i)) instances.push_back(h.instance);
  return instances;
}

TEST(DecodedRecords, DecodesADependencyInPlaceWithItsHeldLocksAfterThoseBefore) {
  DecodedRecords records;
  ASSERT_TRUE(records.DecodeDependency(Payload({.id = 1, .tid = 2, .acquired = 3})).ok());
  ASSERT_TRUE(records
                  .DecodeDependency(Payload({.id = 7,
                                             .tid = 4,
                                             .segment = 5,
                                             .acquired = 6,
                                             .flags = 1,
                                             .held = {{.instance = 8, .flags = 2, .stack_id = 9},
                                                      {.instance = 10, .stack_id = 11}},
                                             .stack_id = 12,
                                             .time_ns = 1'000'000'000'000}))
                  .ok());
  ASSERT_EQ(records.dependency_count(), 2u);
  EXPECT_EQ(records.size(), 2u);
  const format::DependencyHead& second = records.dependency(1);
  EXPECT_THAT(second, FieldsAre(7, 6, 12, 1'000'000'000'000, 4, 5, 1));
  EXPECT_THAT(records.held_of(0), IsEmpty());
  EXPECT_THAT(records.held_of(1), ElementsAre(FieldsAre(8, 2, 9), FieldsAre(10, 0, 11)));
}

TEST(DecodedRecords, ACutPayloadAddsNothing) {
  DecodedRecords records;
  ASSERT_TRUE(records.DecodeDependency(Payload({.id = 1, .acquired = 3, .held = {{.instance = 4}}}))
                  .ok());
  const std::string whole = Payload({.id = 2, .acquired = 3, .held = {{.instance = 5}}});
  // Cut inside its held list: the held lock decoded before the cut is not kept either.
  const absl::Status cut = records.DecodeDependency(whole.substr(0, whole.size() - 3));
  EXPECT_FALSE(cut.ok());
  EXPECT_EQ(records.dependency_count(), 1u);
  EXPECT_EQ(records.size(), 1u);
  EXPECT_THAT(HeldInstances(records, 0), ElementsAre(4));
  ASSERT_TRUE(records.DecodeDependency(whole).ok());
  EXPECT_THAT(HeldInstances(records, 1), ElementsAre(5));
}

TEST(DecodedRecords, DropsTheLastDependencyAndItsHeldLocks) {
  // As the reader does with one it turns down (an undefined lock, say).
  DecodedRecords records;
  ASSERT_TRUE(records.DecodeDependency(Payload({.id = 1, .held = {{.instance = 4}}})).ok());
  records.AddCount(format::DependencyCountRecord{.id = 1, .count = 5}, 0);
  ASSERT_TRUE(
      records.DecodeDependency(Payload({.id = 2, .held = {{.instance = 6}, {.instance = 7}}}))
          .ok());
  records.DropLastDependency();
  EXPECT_EQ(records.dependency_count(), 1u);
  EXPECT_EQ(records.size(), 2u);
  EXPECT_THAT(records.counts(), SizeIs(1));
  ASSERT_TRUE(records.DecodeDependency(Payload({.id = 3, .held = {{.instance = 8}}})).ok());
  EXPECT_THAT(HeldInstances(records, 0), ElementsAre(4));
  EXPECT_THAT(HeldInstances(records, 1), ElementsAre(8));
  std::vector<uint64_t> order;  // ids of dependencies, count of counts, in order
  records.ForEach([&](const format::DependencyHead& d, auto) { order.push_back(d.id); },
                  [&](const auto& c) { order.push_back(100 + c.count); },
                  [](const format::Record&) {});
  EXPECT_THAT(order, ElementsAre(1, 105, 3));
}

}  // namespace

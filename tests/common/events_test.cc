#include "common/events.h"

#include <string>
#include <vector>

#include "common/trace_format.h"
#include "gtest/gtest.h"

namespace lockgraph::format {
namespace {

std::string Encode(const std::vector<Event>& events) {
  std::string out;
  uint64_t last = 0;
  for (const Event& e : events) {
    uint8_t buffer[kMaxEventBytes];
    const uint8_t* end = AppendEvent(buffer, e.op, e.time - last, e.operands);
    last = e.time;
    out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(end - buffer));
  }
  return out;
}

std::vector<Event> Decode(const std::string& bytes, std::string* error = nullptr) {
  std::vector<Event> events;
  EventDecoder decoder(bytes);
  Event e;
  while (decoder.Next(e)) events.push_back(e);
  if (error != nullptr) *error = decoder.error();
  return events;
}

TEST(Events, EveryOpRoundTripsWithItsOperands) {
  const uint64_t big = ~uint64_t{0};
  const std::vector<Event> events = {
      {EventOp::kAcquire, 0, {.object = 1, .seq = 1}},
      {EventOp::kAcquireFlags, 5, {.object = big, .seq = big, .flags = kAcquireShared}},
      {EventOp::kRelease, 5, {.object = 1}},
      {EventOp::kWait, 1000000, {.object = 2, .size = 12345}},
      {EventOp::kTimeout, 1000001, {.object = 2}},
      {EventOp::kSend, 1000002, {.object = 3, .seq = 7}},
      {EventOp::kReceive, 1000003, {.object = 3, .seq = 7}},
      {EventOp::kRead, 1000004, {.object = 4, .site = 9}},
      {EventOp::kWrite, 1000005, {.object = 4, .site = 10}},
      {EventOp::kReadRaw, 1000006, {.object = 0x7fff0000, .size = 8, .site = 11}},
      {EventOp::kWriteRaw, 1000007, {.object = 0x7fff0000, .size = 4, .site = 12}},
      {EventOp::kSpawn, 1000008, {}},
      {EventOp::kJoin, 1ull << 50, {.object = 5}},
      {EventOp::kJoinProcess, (1ull << 50) + 1, {.object = 4194304}},
  };
  std::string error;
  const std::vector<Event> decoded = Decode(Encode(events), &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(decoded.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(EventOpName(events[i].op));
    EXPECT_EQ(decoded[i].op, events[i].op);
    EXPECT_EQ(decoded[i].time, events[i].time);
    EXPECT_EQ(decoded[i].operands.object, events[i].operands.object);
    EXPECT_EQ(decoded[i].operands.seq, events[i].operands.seq);
    EXPECT_EQ(decoded[i].operands.flags, events[i].operands.flags);
    EXPECT_EQ(decoded[i].operands.size, events[i].operands.size);
    EXPECT_EQ(decoded[i].operands.site, events[i].operands.site);
  }
}

// The common event, a quick re-acquisition of a lock with a small id, fits in three bytes.
TEST(Events, ARepeatedAcquireTakesThreeBytes) {
  uint8_t buffer[kMaxEventBytes];
  EXPECT_EQ(AppendEvent(buffer, EventOp::kAcquire, 7, {.object = 12, .seq = 100}) - buffer, 3);
  EXPECT_EQ(AppendEvent(buffer, EventOp::kRelease, 3, {.object = 12}) - buffer, 2);
}

TEST(Events, TheLargestEventFitsTheBound) {
  const uint64_t big = ~uint64_t{0};
  uint8_t buffer[kMaxEventBytes];
  EXPECT_LE(AppendEvent(buffer, EventOp::kWriteRaw, big >> 4, {.object = big, .size = big,
                                                               .site = big}) - buffer,
            static_cast<ptrdiff_t>(kMaxEventBytes));
}

TEST(Events, ATruncatedEventIsAnErrorNamingTheByte) {
  std::string bytes = Encode({{EventOp::kAcquire, 1, {.object = 300, .seq = 2}}});
  bytes.pop_back();
  std::string error;
  EXPECT_TRUE(Decode(bytes, &error).empty());
  EXPECT_EQ(error, "truncated acquire event at byte 3 of 3");
}

TEST(Events, AnUnknownOpIsAnError) {
  std::string error;
  const std::vector<Event> decoded =
      Decode(Encode({{EventOp::kRelease, 0, {.object = 1}}}) + "\x0f\x01", &error);
  EXPECT_EQ(decoded.size(), 1u);
  EXPECT_EQ(error, "unknown event op 15 at byte 3 of 4");
}

TEST(Events, AProcessJoinNamesThePid) {
  EXPECT_STREQ(EventOpName(EventOp::kJoinProcess), "join-process");
  uint8_t buffer[kMaxEventBytes];
  // A one-byte header, then the pid as a varint (4194304 = 2^22: four bytes).
  EXPECT_EQ(AppendEvent(buffer, EventOp::kJoinProcess, 0, {.object = 4194304}) - buffer, 5);
  EXPECT_EQ(buffer[0], 13);
}

TEST(Events, SignalsAndThreadEventsOpenSegments) {
  EXPECT_TRUE(OpensSegment(EventOp::kSend));
  EXPECT_TRUE(OpensSegment(EventOp::kReceive));
  EXPECT_TRUE(OpensSegment(EventOp::kSpawn));
  EXPECT_TRUE(OpensSegment(EventOp::kJoin));
  EXPECT_TRUE(OpensSegment(EventOp::kJoinProcess));
  EXPECT_FALSE(OpensSegment(EventOp::kAcquire));
  EXPECT_FALSE(OpensSegment(EventOp::kRelease));
  EXPECT_FALSE(OpensSegment(EventOp::kWrite));
}

}  // namespace
}  // namespace lockgraph::format

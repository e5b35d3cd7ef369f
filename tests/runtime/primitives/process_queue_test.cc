// Tests of lockgraph::ProcessQueue<T>: values handed between processes in order, both ways,
// through a queue smaller than the hand-off (so put() and get() block); timeouts, sizes, and
// items without a default constructor.
#include "lockgraph/process_queue.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include "gtest/gtest.h"
#include "lockgraph/process.h"

namespace {

using namespace std::chrono_literals;
using ::lockgraph::Process;
using ::lockgraph::ProcessQueue;

constexpr int kItems = 5000;

struct Reading {
  Reading(int32_t seq, double value) : seq(seq), value(value) {}  // no default constructor
  int32_t seq;
  double value;
  char source[12];
};
static_assert(std::is_trivially_copyable_v<Reading>);
static_assert(!std::is_default_constructible_v<Reading>);

TEST(ProcessQueue, HandsValuesFromParentToChildInOrder) {
  ProcessQueue<int64_t> queue(/*maxsize=*/8);
  Process consumer([&] {
    for (int64_t i = 0; i < kItems; ++i) {
      const std::optional<int64_t> value = queue.get();
      if (value != i * i) _exit(2);
    }
    _exit(queue.empty() ? 0 : 3);
  });
  consumer.start();
  for (int64_t i = 0; i < kItems; ++i) ASSERT_TRUE(queue.put(i * i));
  ASSERT_TRUE(consumer.join());
  EXPECT_EQ(consumer.exitcode(), 0);
  EXPECT_TRUE(queue.empty());
}

TEST(ProcessQueue, HandsValuesFromChildToParentInOrder) {
  ProcessQueue<Reading> queue(/*maxsize=*/16);
  Process producer([&] {
    for (int32_t i = 0; i < kItems; ++i) {
      Reading reading(i, i / 4.0);
      std::snprintf(reading.source, sizeof(reading.source), "pid %d", static_cast<int>(getpid()));
      if (!queue.put(reading)) _exit(2);
    }
  });
  producer.start();
  const std::string source = "pid " + std::to_string(producer.pid());
  for (int32_t i = 0; i < kItems; ++i) {
    const std::optional<Reading> reading = queue.get(60s);
    ASSERT_TRUE(reading.has_value()) << i;
    ASSERT_EQ(reading->seq, i);
    ASSERT_EQ(reading->value, i / 4.0);
    ASSERT_EQ(std::string(reading->source), source);
  }
  ASSERT_TRUE(producer.join());
  EXPECT_EQ(producer.exitcode(), 0);
  EXPECT_TRUE(queue.empty());
}

TEST(ProcessQueue, GetTimesOutOnAnEmptyQueue) {
  ProcessQueue<int> queue(4);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.qsize(), 0u);
  EXPECT_EQ(queue.get(0ns), std::nullopt);
  EXPECT_EQ(queue.get(10ms), std::nullopt);
  ASSERT_TRUE(queue.put(3));
  EXPECT_EQ(queue.get(0ns), 3);
}

TEST(ProcessQueue, PutTimesOutOnAFullQueue) {
  ProcessQueue<int> queue(2);
  EXPECT_EQ(queue.maxsize(), 2u);
  EXPECT_TRUE(queue.put(1));
  EXPECT_TRUE(queue.put(2, 0ns));
  EXPECT_TRUE(queue.full());
  EXPECT_EQ(queue.qsize(), 2u);
  EXPECT_FALSE(queue.put(3, 0ns));
  EXPECT_FALSE(queue.put(3, 10ms));
  EXPECT_EQ(queue.get(), 1);
  EXPECT_TRUE(queue.put(3, 0ns));  // the ring wraps
  EXPECT_EQ(queue.get(), 2);
  EXPECT_EQ(queue.get(), 3);
  EXPECT_TRUE(queue.empty());
}

TEST(ProcessQueue, AGetWaitsForAPutOfAnotherThread) {
  ProcessQueue<int> queue(1);
  std::thread producer([&] { EXPECT_TRUE(queue.put(42)); });
  EXPECT_EQ(queue.get(60s), 42);
  producer.join();
}

TEST(ProcessQueue, SiblingProcessesShareTheQueueOfTheirParent) {
  ProcessQueue<int> queue(4);
  Process producer([&] {
    for (int i = 0; i < kItems; ++i) queue.put(i);
  });
  Process consumer([&] {
    for (int i = 0; i < kItems; ++i) {
      if (queue.get() != i) _exit(2);
    }
  });
  producer.start();
  consumer.start();
  ASSERT_TRUE(producer.join());
  ASSERT_TRUE(consumer.join());
  EXPECT_EQ(producer.exitcode(), 0);
  EXPECT_EQ(consumer.exitcode(), 0);
}

TEST(ProcessQueue, ZeroMaxsizeIsRejected) {
  EXPECT_THROW(ProcessQueue<int>(0), std::invalid_argument);
  EXPECT_THROW(ProcessQueue<char>(SIZE_MAX), std::invalid_argument);
}

}  // namespace

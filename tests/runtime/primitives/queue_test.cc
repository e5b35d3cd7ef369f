// Tests of lockgraph::Queue<T>: Python's queue.Queue semantics, with std::nullopt and false
// where Python raises Empty and Full, for copyable and move-only items.
#include "lockgraph/queue.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "lockgraph/event.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using IntPtr = std::unique_ptr<int>;

static_assert(!std::is_copy_constructible_v<lockgraph::Queue<int>>);

TEST(Queue, IsFifo) {
  lockgraph::Queue<int> queue;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.put(i));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(queue.get(), i);
  EXPECT_TRUE(queue.empty());
}

TEST(Queue, MoveOnlyItemsAreFifo) {
  lockgraph::Queue<IntPtr> queue;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.put(std::make_unique<int>(i)));
  for (int i = 0; i < 5; ++i) {
    IntPtr item = queue.get();
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(*item, i);
  }
  EXPECT_TRUE(queue.empty());
}

TEST(Queue, PutOfAnLvalueCopiesIt) {
  lockgraph::Queue<std::string> queue;
  const std::string text = "hello";
  ASSERT_TRUE(queue.put(text));
  ASSERT_TRUE(queue.put_nowait(text));
  EXPECT_EQ(text, "hello");
  EXPECT_EQ(queue.get(), "hello");
  EXPECT_EQ(queue.get(), "hello");
}

TEST(Queue, PutOfAnRvalueMovesIt) {
  lockgraph::Queue<IntPtr> queue;
  IntPtr item = std::make_unique<int>(7);
  ASSERT_TRUE(queue.put(std::move(item)));
  EXPECT_EQ(item, nullptr);
  IntPtr got = queue.get();
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, 7);
}

TEST(Queue, ReportsSizeEmptyFullAndMaxsize) {
  lockgraph::Queue<int> queue(2);
  EXPECT_EQ(queue.maxsize(), 2u);
  EXPECT_EQ(queue.qsize(), 0u);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.full());
  ASSERT_TRUE(queue.put(1));
  EXPECT_EQ(queue.qsize(), 1u);
  EXPECT_FALSE(queue.empty());
  EXPECT_FALSE(queue.full());
  ASSERT_TRUE(queue.put(2));
  EXPECT_EQ(queue.qsize(), 2u);
  EXPECT_TRUE(queue.full());
  EXPECT_EQ(queue.get(), 1);
  EXPECT_EQ(queue.qsize(), 1u);
  EXPECT_FALSE(queue.full());
}

TEST(Queue, UnboundedQueueIsNeverFull) {
  lockgraph::Queue<int> queue;
  EXPECT_EQ(queue.maxsize(), 0u);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(queue.put_nowait(i));
  EXPECT_EQ(queue.qsize(), 1000u);
  EXPECT_FALSE(queue.full());
}

TEST(Queue, PutOnAFullQueueFailsWithoutBlocking) {
  lockgraph::Queue<int> queue(1, "jobs");
  ASSERT_TRUE(queue.put(1));
  EXPECT_FALSE(queue.put(2, false));
  EXPECT_FALSE(queue.put_nowait(3));
  const int four = 4;
  EXPECT_FALSE(queue.put(four, false));
  EXPECT_EQ(queue.qsize(), 1u);
  EXPECT_EQ(queue.get(), 1);
  EXPECT_TRUE(queue.empty());
}

TEST(Queue, TimedPutOnAFullQueueTimesOut) {
  lockgraph::Queue<int> queue(1);
  ASSERT_TRUE(queue.put(1));
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(queue.put(2, true, 20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
  EXPECT_EQ(queue.qsize(), 1u);
  EXPECT_EQ(queue.get(), 1);
}

TEST(Queue, FailedPutLeavesAMoveOnlyItemUntouched) {
  lockgraph::Queue<IntPtr> queue(1);
  ASSERT_TRUE(queue.put(std::make_unique<int>(1)));
  IntPtr item = std::make_unique<int>(2);
  EXPECT_FALSE(queue.put(std::move(item), false));
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(*item, 2);
  EXPECT_FALSE(queue.put(std::move(item), true, 10ms));
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(*item, 2);
  EXPECT_FALSE(queue.put_nowait(std::move(item)));
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(*item, 2);
  EXPECT_EQ(queue.qsize(), 1u);

  IntPtr first = queue.get();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(*first, 1);
  ASSERT_TRUE(queue.put_nowait(std::move(item)));  // now there is room
  EXPECT_EQ(item, nullptr);
  IntPtr second = queue.get();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*second, 2);
}

TEST(Queue, FailedPutLeavesACopyableItemUntouched) {
  lockgraph::Queue<std::string> queue(1);
  ASSERT_TRUE(queue.put(std::string("first")));
  std::string item = "a string long enough to live on the heap, not in the SSO buffer";
  const std::string copy = item;
  EXPECT_FALSE(queue.put(std::move(item), false));
  EXPECT_EQ(item, copy);
  EXPECT_FALSE(queue.put(std::move(item), true, 10ms));
  EXPECT_EQ(item, copy);
}

TEST(Queue, GetOnAnEmptyQueueReturnsNulloptWithoutBlocking) {
  lockgraph::Queue<int> queue;
  EXPECT_EQ(queue.get(false), std::nullopt);
  EXPECT_EQ(queue.get_nowait(), std::nullopt);
  EXPECT_EQ(queue.get(true, 0ns), std::nullopt);
  EXPECT_TRUE(queue.empty());
}

TEST(Queue, TimedGetOnAnEmptyQueueTimesOut) {
  lockgraph::Queue<IntPtr> queue;
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(queue.get(true, 10ms), std::nullopt);
  EXPECT_GE(Clock::now() - start, 10ms);
}

TEST(Queue, NonBlockingFormsWorkWhenPossible) {
  lockgraph::Queue<int> queue(2);
  EXPECT_TRUE(queue.put_nowait(1));
  EXPECT_TRUE(queue.put(2, false));
  EXPECT_FALSE(queue.put_nowait(3));
  EXPECT_EQ(queue.get_nowait(), 1);
  EXPECT_EQ(queue.get(false), 2);
  EXPECT_EQ(queue.get_nowait(), std::nullopt);
  EXPECT_TRUE(queue.put(4, true, 10ms));
  EXPECT_EQ(queue.get(true, 10ms), 4);
}

TEST(Queue, BlockingGetIsWokenByAPut) {
  lockgraph::Queue<int> queue;
  lockgraph::Event getting;
  int got = 0;
  std::thread consumer([&] {
    getting.set();
    got = queue.get();
  });
  getting.wait();
  ASSERT_TRUE(queue.put(7));
  consumer.join();
  EXPECT_EQ(got, 7);
  EXPECT_TRUE(queue.empty());
}

TEST(Queue, TimedGetIsWokenByAPut) {
  lockgraph::Queue<IntPtr> queue;
  lockgraph::Event getting;
  std::optional<IntPtr> got;
  std::thread consumer([&] {
    getting.set();
    got = queue.get(true, 60s);
  });
  getting.wait();
  ASSERT_TRUE(queue.put(std::make_unique<int>(9)));
  consumer.join();
  ASSERT_TRUE(got.has_value());
  ASSERT_NE(*got, nullptr);
  EXPECT_EQ(**got, 9);
}

TEST(Queue, BlockingPutIsWokenByAGet) {
  lockgraph::Queue<int> queue(1);
  ASSERT_TRUE(queue.put(1));
  lockgraph::Event putting;
  bool put = false;
  std::thread producer([&] {
    putting.set();
    put = queue.put(2);
  });
  putting.wait();
  EXPECT_EQ(queue.get(), 1);
  producer.join();
  EXPECT_TRUE(put);
  EXPECT_EQ(queue.get_nowait(), 2);
}

TEST(Queue, JoinReturnsOnlyAfterEveryItemIsDone) {
  constexpr int kItems = 100;
  lockgraph::Queue<int> queue;
  std::atomic<int> processed{0};
  std::atomic<long> sum{0};
  std::thread worker([&] {
    for (int i = 0; i < kItems; ++i) {
      const int item = queue.get();
      sum.fetch_add(item);
      processed.fetch_add(1);
      queue.task_done();  // after the processing it marks
    }
  });
  for (int i = 1; i <= kItems; ++i) ASSERT_TRUE(queue.put(i));
  queue.join();
  EXPECT_EQ(processed.load(), kItems);
  EXPECT_EQ(sum.load(), kItems * (kItems + 1) / 2);
  worker.join();
}

TEST(Queue, JoinBlocksWhileAnItemIsNotDone) {
  lockgraph::Queue<int> queue;
  ASSERT_TRUE(queue.put(1));
  ASSERT_TRUE(queue.put(2));
  EXPECT_EQ(queue.get(), 1);
  EXPECT_EQ(queue.get(), 2);
  queue.task_done();  // one of two
  lockgraph::Event joined;
  std::thread joiner([&] {
    queue.join();
    joined.set();
  });
  // Only this thread calls task_done(), so the join cannot end during this wait.
  EXPECT_FALSE(joined.wait(20ms));
  queue.task_done();
  joiner.join();
  EXPECT_TRUE(joined.is_set());
}

TEST(Queue, JoinOnAFreshQueueReturnsAtOnce) {
  lockgraph::Queue<int> queue;
  queue.join();
  EXPECT_TRUE(queue.empty());
}

TEST(Queue, TooManyTaskDonesDoNotUnderflow) {
  lockgraph::Queue<int> queue;
  queue.task_done();  // misuse: reported, ignored
  queue.join();       // returns at once
  ASSERT_TRUE(queue.put(1));
  EXPECT_EQ(queue.get(), 1);
  queue.task_done();
  queue.task_done();  // misuse again
  queue.join();       // returns at once

  // One new item is one unfinished task, not zero (nor a wrapped-around count).
  ASSERT_TRUE(queue.put(2));
  lockgraph::Event joined;
  std::thread joiner([&] {
    queue.join();
    joined.set();
  });
  EXPECT_FALSE(joined.wait(20ms));
  EXPECT_EQ(queue.get(), 2);
  queue.task_done();
  joiner.join();
  EXPECT_TRUE(joined.is_set());
}

TEST(Queue, ManyProducersAndConsumersLoseNothing) {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  constexpr int kPerProducer = 1000;
  lockgraph::Queue<int> queue(8);
  std::atomic<long> sum{0};
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) ASSERT_TRUE(queue.put(p * kPerProducer + i));
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerProducer * kProducers / kConsumers; ++i) {
        sum.fetch_add(queue.get());
        count.fetch_add(1);
        queue.task_done();
      }
    });
  }
  queue.join();
  for (std::thread& thread : threads) thread.join();
  constexpr long kTotal = kProducers * kPerProducer;
  EXPECT_EQ(count.load(), kTotal);
  EXPECT_EQ(sum.load(), kTotal * (kTotal - 1) / 2);
  EXPECT_TRUE(queue.empty());
}

}  // namespace

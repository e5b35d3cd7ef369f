// The runtime's own mutexes: mutual exclusion, and readers that share while writers exclude.
// Run under ThreadSanitizer too (scripts/sanitize.sh), which checks the plain counters.
#include "runtime/base/runtime_mutex.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace {

using ::lockgraph::runtime::RuntimeMutex;
using ::lockgraph::runtime::RuntimeMutexLock;
using ::lockgraph::runtime::RuntimeReaderLock;
using ::lockgraph::runtime::RuntimeSharedMutex;

constexpr int kThreads = 4;
constexpr int kRounds = 20000;

TEST(RuntimeMutex, ExcludesEveryOtherHolder) {
  RuntimeMutex mu;
  long counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        RuntimeMutexLock hold(mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, long{kThreads} * kRounds);
}

TEST(RuntimeSharedMutex, ReadersShareAndAWriterExcludesThem) {
  RuntimeSharedMutex mu;
  // A reader that holds the lock does not keep another reader out.
  mu.ReaderLock();
  std::thread([&] { RuntimeReaderLock second(mu); }).join();
  mu.ReaderUnlock();

  // Writers keep a == b; readers never see them differ.
  long a = 0, b = 0;
  int torn = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, writer = t % 2 == 0] {
      for (int i = 0; i < kRounds; ++i) {
        if (writer) {
          mu.Lock();
          ++a;
          ++b;
          mu.Unlock();
        } else {
          RuntimeReaderLock hold(mu);
          if (a != b) __atomic_fetch_add(&torn, 1, __ATOMIC_RELAXED);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(a, long{kThreads / 2} * kRounds);
  EXPECT_EQ(b, a);
}

}  // namespace

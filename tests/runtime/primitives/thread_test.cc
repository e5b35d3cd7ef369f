// Tests of lockgraph::Thread: Python's threading.Thread semantics (a target or an overridden
// run(), start/join/is_alive/ident/name, exceptions ending only the thread, misuse ignored).
#include "lockgraph/thread.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "lockgraph/event.h"

namespace {

using namespace std::chrono_literals;

static_assert(!std::is_copy_constructible_v<lockgraph::Thread>);
static_assert(std::has_virtual_destructor_v<lockgraph::Thread>);

// A subclass that overrides run(); it joins in its own destructor, as thread.h asks.
class Summer : public lockgraph::Thread {
 public:
  explicit Summer(int n, std::string name = {}) : Thread(std::move(name)), n_(n) {}
  ~Summer() override {
    if (is_alive()) join();
  }
  void run() override {
    for (int i = 1; i <= n_; ++i) sum_ += i;
    thread_id_ = std::this_thread::get_id();
  }
  long sum() const { return sum_; }
  std::thread::id thread_id() const { return thread_id_; }

 private:
  const int n_;
  long sum_ = 0;
  std::thread::id thread_id_;
};

// The N of a "Thread-N" name, or -1.
int DefaultNameNumber(const std::string& name) {
  std::smatch match;
  if (!std::regex_match(name, match, std::regex("Thread-([0-9]+)"))) return -1;
  return std::stoi(match[1].str());
}

TEST(Thread, RunsTheCallable) {
  int value = 0;
  std::thread::id ran_in;
  lockgraph::Thread thread([&] {
    value = 42;
    ran_in = std::this_thread::get_id();
  });
  thread.start();
  thread.join();
  EXPECT_EQ(value, 42);
  EXPECT_NE(ran_in, std::thread::id());
  EXPECT_NE(ran_in, std::this_thread::get_id());
}

TEST(Thread, RunsAnOverriddenRun) {
  Summer summer(100);
  summer.start();
  summer.join();
  EXPECT_EQ(summer.sum(), 5050);
  EXPECT_NE(summer.thread_id(), std::this_thread::get_id());
}

TEST(Thread, RunCalledDirectlyExecutesInTheCaller) {
  std::thread::id ran_in;
  int runs = 0;
  lockgraph::Thread thread([&] {
    ran_in = std::this_thread::get_id();
    ++runs;
  });
  thread.run();
  EXPECT_EQ(ran_in, std::this_thread::get_id());
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(thread.is_alive());
  EXPECT_EQ(thread.ident(), 0u);
  // A thread whose run() was called directly can still be started, as in Python.
  thread.start();
  thread.join();
  EXPECT_EQ(runs, 2);
  EXPECT_NE(ran_in, std::this_thread::get_id());
}

TEST(Thread, SubclassRunCalledDirectlyExecutesInTheCaller) {
  Summer summer(10);
  summer.run();
  EXPECT_EQ(summer.sum(), 55);
  EXPECT_EQ(summer.thread_id(), std::this_thread::get_id());
}

TEST(Thread, RunWithoutATargetDoesNothing) {
  lockgraph::Thread thread;
  thread.start();
  thread.join();
  EXPECT_FALSE(thread.is_alive());
  EXPECT_NE(thread.ident(), 0u);
}

TEST(Thread, IdentIsZeroBeforeStartAndSetAfter) {
  lockgraph::Event release;
  lockgraph::Thread thread([&] { release.wait(); });
  EXPECT_EQ(thread.ident(), 0u);
  thread.start();
  const uint32_t ident = thread.ident();  // start() returns once the thread runs
  EXPECT_NE(ident, 0u);
  release.set();
  thread.join();
  EXPECT_EQ(thread.ident(), ident);  // kept after the thread ended
}

TEST(Thread, IdentDiffersFromTheStartingThreadsAndOtherThreads) {
  uint32_t inner_ident = 0;
  uint32_t outer_ident_seen_inside = 0;
  lockgraph::Thread* outer_self = nullptr;
  lockgraph::Thread outer([&] {
    outer_ident_seen_inside = outer_self->ident();
    lockgraph::Thread inner([] {});
    inner.start();
    inner_ident = inner.ident();
    inner.join();
  });
  outer_self = &outer;
  outer.start();
  outer.join();
  EXPECT_NE(outer.ident(), 0u);
  EXPECT_EQ(outer_ident_seen_inside, outer.ident());
  EXPECT_NE(inner_ident, 0u);
  EXPECT_NE(inner_ident, outer.ident());  // differs from the thread that started it

  constexpr int kThreads = 8;
  lockgraph::Event release;
  std::vector<std::unique_ptr<lockgraph::Thread>> threads;
  std::set<uint32_t> idents;
  for (int i = 0; i < kThreads; ++i) {
    threads.push_back(std::make_unique<lockgraph::Thread>([&] { release.wait(); }));
    threads.back()->start();
    idents.insert(threads.back()->ident());
  }
  release.set();
  for (auto& thread : threads) thread->join();
  EXPECT_EQ(idents.size(), static_cast<size_t>(kThreads));  // all alive at once: all distinct
  EXPECT_EQ(idents.count(0u), 0u);
}

TEST(Thread, IsAliveWhileBlockedAndNotAfterJoin) {
  lockgraph::Event release;
  lockgraph::Thread thread([&] { release.wait(); });
  EXPECT_FALSE(thread.is_alive());
  thread.start();
  EXPECT_TRUE(thread.is_alive());
  release.set();
  thread.join();
  EXPECT_FALSE(thread.is_alive());
}

TEST(Thread, TimedJoinFailsWhileBlockedAndSucceedsAfterRelease) {
  lockgraph::Event release;
  lockgraph::Thread thread([&] { release.wait(); });
  thread.start();
  EXPECT_FALSE(thread.join(20ms));
  EXPECT_TRUE(thread.is_alive());
  EXPECT_FALSE(thread.join(0ns));
  release.set();
  EXPECT_TRUE(thread.join(60s));
  EXPECT_FALSE(thread.is_alive());
  EXPECT_TRUE(thread.join(0ns));  // already ended
  thread.join();                  // joining again returns at once
}

TEST(Thread, DefaultNamesAreThreadN) {
  lockgraph::Thread first([] {});
  lockgraph::Thread second([] {});
  Summer third(1);
  const int n = DefaultNameNumber(first.name());
  ASSERT_GT(n, 0) << first.name();
  EXPECT_EQ(DefaultNameNumber(second.name()), n + 1) << second.name();
  EXPECT_EQ(DefaultNameNumber(third.name()), n + 2) << third.name();
}

TEST(Thread, GivenNameIsKept) {
  lockgraph::Thread thread([] {}, "cruncher");
  EXPECT_EQ(thread.name(), "cruncher");
  thread.start();
  thread.join();
  EXPECT_EQ(thread.name(), "cruncher");
  Summer summer(1, "poller");
  EXPECT_EQ(summer.name(), "poller");
}

TEST(Thread, NamedThreadsDoNotUseDefaultNumbers) {
  lockgraph::Thread first([] {});
  lockgraph::Thread named([] {}, "named");
  lockgraph::Thread second([] {});
  EXPECT_EQ(DefaultNameNumber(second.name()), DefaultNameNumber(first.name()) + 1);
}

TEST(Thread, ExceptionFromRunEndsOnlyTheThread) {
  bool after_throw = false;
  lockgraph::Thread thread(
      [&] {
        throw std::runtime_error("boom");
        after_throw = true;
      },
      "thrower");
  testing::internal::CaptureStderr();
  thread.start();
  thread.join();  // returns: the thread ended
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(thread.is_alive());
  EXPECT_FALSE(after_throw);
  EXPECT_NE(err.find("thrower"), std::string::npos) << err;
  EXPECT_NE(err.find("boom"), std::string::npos) << err;
}

TEST(Thread, NonStandardExceptionFromRunEndsOnlyTheThread) {
  lockgraph::Thread thread([] { throw 42; });
  thread.start();
  EXPECT_TRUE(thread.join(60s));
  EXPECT_FALSE(thread.is_alive());
  // The process goes on: another thread still runs.
  int value = 0;
  lockgraph::Thread next([&] { value = 1; });
  next.start();
  next.join();
  EXPECT_EQ(value, 1);
}

TEST(Thread, StartingTwiceRunsOnce) {
  std::atomic<int> runs{0};
  lockgraph::Event release;
  lockgraph::Thread thread([&] {
    runs.fetch_add(1);
    release.wait();
  });
  thread.start();
  const uint32_t ident = thread.ident();
  thread.start();  // misuse while running: reported, ignored
  EXPECT_TRUE(thread.is_alive());
  EXPECT_EQ(thread.ident(), ident);
  release.set();
  thread.join();
  thread.start();  // misuse after the end: reported, ignored
  EXPECT_FALSE(thread.is_alive());
  thread.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(thread.ident(), ident);
}

TEST(Thread, JoiningANeverStartedThreadReturnsAtOnce) {
  bool ran = false;
  lockgraph::Thread thread([&] { ran = true; });
  thread.join();  // misuse: reported, returns
  EXPECT_FALSE(thread.join(60s));  // not started: returns false at once
  EXPECT_FALSE(thread.is_alive());
  EXPECT_EQ(thread.ident(), 0u);
  EXPECT_FALSE(ran);
}

TEST(Thread, JoiningItselfReturnsAtOnce) {
  lockgraph::Thread* self = nullptr;
  bool timed_join = true;
  bool returned = false;
  lockgraph::Thread thread([&] {
    self->join();  // misuse: reported, returns instead of waiting forever
    timed_join = self->join(60s);
    returned = true;
  });
  self = &thread;
  thread.start();
  thread.join();
  EXPECT_TRUE(returned);
  EXPECT_FALSE(timed_join);
}

TEST(Thread, NeverStartedThreadIsDestroyedQuietly) {
  bool ran = false;
  { lockgraph::Thread thread([&] { ran = true; }); }
  EXPECT_FALSE(ran);
}

TEST(Thread, DestructorJoinsARunningThread) {
  std::atomic<bool> finished{false};
  lockgraph::Event destroying, release;
  std::thread releaser([&] {
    destroying.wait();
    release.set();
  });
  {
    lockgraph::Thread thread([&] {
      release.wait();
      finished.store(true);
    });
    thread.start();
    EXPECT_TRUE(thread.is_alive());
    destroying.set();  // the thread is released from elsewhere, after this point
  }
  EXPECT_TRUE(finished.load());
  releaser.join();
}

TEST(Thread, DestructorJoinsAThreadReleasedBeforeDestruction) {
  std::atomic<bool> finished{false};
  lockgraph::Event release;
  {
    lockgraph::Thread thread([&] {
      release.wait();
      finished.store(true);
    });
    thread.start();
    release.set();
  }
  EXPECT_TRUE(finished.load());
}

TEST(Thread, JoinMakesTheThreadsWritesVisible) {
  constexpr int kThreads = 8;
  std::vector<int> results(kThreads, 0);
  std::vector<std::unique_ptr<lockgraph::Thread>> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.push_back(std::make_unique<lockgraph::Thread>([&results, i] { results[i] = i * i; }));
  }
  for (auto& thread : threads) thread->start();
  for (auto& thread : threads) thread->join();
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(results[i], i * i);
}

}  // namespace

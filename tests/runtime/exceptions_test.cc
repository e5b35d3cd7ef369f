// C++ exceptions thrown through lock scopes still work with LLVM's libunwind linked into the
// runtime (DESIGN.md, field notes: linked wrongly, every throw aborts), also when they cross
// lockgraph's own frames (a Condition predicate, a Queue item's constructor). Built twice:
// against the static runtime and against liblockgraph_runtime.so.
#include <mutex>
#include <stdexcept>
#include <string>

#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"

namespace {

using ::lockgraph::Lock;
using ::lockgraph::RLock;

// Takes `outer` then `inner` (a new dependency: the runtime unwinds the stack to record it)
// and throws while both are held.
[[noreturn]] void ThrowWhileHolding(Lock& outer, RLock& inner, int round) {
  std::lock_guard hold_outer(outer);
  std::lock_guard hold_inner(inner);
  throw std::runtime_error("round " + std::to_string(round));
}

TEST(Exceptions, ThrownThroughLockScopesAreCaughtAndReleaseTheLocks) {
  Lock outer("Exceptions.outer");
  RLock inner("Exceptions.inner");
  for (int round = 0; round < 100; ++round) {
    try {
      ThrowWhileHolding(outer, inner, round);
      FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(e.what(), "round " + std::to_string(round));
    }
    EXPECT_FALSE(outer.locked());
    EXPECT_FALSE(inner.is_owned());
  }
  // The held stack was unwound too: a new nested pair records and releases normally.
  Lock third("Exceptions.third");
  std::scoped_lock all(outer, inner, third);
}

TEST(Exceptions, EscapingAThreadEndsOnlyThatThread) {
  Lock guard("Exceptions.thread_guard");
  lockgraph::Thread thrower(
      [&] {
        std::lock_guard hold(guard);
        throw std::logic_error("from a lockgraph::Thread");
      },
      "thrower");
  ::testing::internal::CaptureStderr();
  thrower.start();
  thrower.join();
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("exception in thread \"thrower\": from a lockgraph::Thread"),
            std::string::npos)
      << printed;
  EXPECT_FALSE(guard.locked());
}

TEST(Exceptions, RethrownAcrossThreadsWithExceptionPtr) {
  Lock l("Exceptions.ptr");
  std::exception_ptr error;
  lockgraph::Thread worker(
      [&] {
        try {
          std::lock_guard hold(l);
          throw std::out_of_range("worker failed");
        } catch (...) {
          error = std::current_exception();
        }
      },
      "worker");
  worker.start();
  worker.join();
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), std::out_of_range);
}

// Fails to copy or to move while its flag says so: a Queue<Fragile> throws from inside put()
// and get(), under the queue's own lock.
struct Fragile {
  static inline thread_local bool fail_copy = false;
  static inline thread_local bool fail_move = false;
  explicit Fragile(int v) : value(v) {}
  Fragile(const Fragile& other) : value(other.value) {
    if (fail_copy) throw std::runtime_error("copy");
  }
  Fragile(Fragile&& other) : value(other.value) {
    if (fail_move) throw std::runtime_error("move");
  }
  Fragile& operator=(const Fragile&) = default;
  int value;
};

TEST(Exceptions, ThrownByAQueueItemLeaveTheQueueUsable) {
  lockgraph::Queue<Fragile> queue(/*maxsize=*/4);
  Fragile item(1);
  Fragile::fail_copy = true;
  EXPECT_THROW(queue.put(item), std::runtime_error);  // thrown inside put, queue lock held
  Fragile::fail_copy = false;
  EXPECT_EQ(queue.qsize(), 0u);
  queue.put(item);
  Fragile::fail_move = true;
  EXPECT_THROW(queue.get(), std::runtime_error);  // thrown inside get: the item stays
  Fragile::fail_move = false;
  EXPECT_EQ(queue.qsize(), 1u);
  EXPECT_EQ(queue.get().value, 1);
  // Another thread can still use the queue: its lock was released by the unwinding.
  lockgraph::Thread producer([&] { queue.put(Fragile(2)); }, "producer");
  producer.start();
  EXPECT_EQ(queue.get().value, 2);
  producer.join();
}

TEST(Exceptions, ThrownByAConditionPredicateAfterAWaitReleaseTheLock) {
  lockgraph::Lock lock("Exceptions.condition");
  lockgraph::Condition cond(lock);
  lockgraph::Lock after("Exceptions.after_condition");
  bool ready = false;
  int calls = 0;
  lockgraph::Thread notifier(
      [&] {
        std::lock_guard hold(cond);
        ready = true;
        cond.notify_all();
      },
      "notifier");
  ::testing::internal::CaptureStderr();
  try {
    std::unique_lock hold(cond);
    notifier.start();
    // The first call (before waiting) says "not yet"; the call after the wake-up throws, with
    // the lock taken again inside wait_for.
    cond.wait_for(std::chrono::seconds(60), [&] {
      if (calls++ == 0) return false;
      if (ready) throw std::runtime_error("predicate");
      return false;
    });
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "predicate");
  }
  notifier.join();
  EXPECT_FALSE(lock.locked());
  {
    // The held stack is consistent: nested again, with no misuse reported.
    std::lock_guard hold(cond);
    std::lock_guard hold_after(after);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_GE(calls, 2);
}

}  // namespace

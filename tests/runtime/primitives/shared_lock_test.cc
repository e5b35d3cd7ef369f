// Tests of lockgraph::SharedLock: std::shared_timed_mutex's semantics (readers together,
// writers alone; try and timed forms), use through std::shared_lock, std::unique_lock and
// std::scoped_lock, the waiting policy (a waiting writer goes before readers that hold
// nothing, never before readers that hold locks), what is recorded (the shared flag), and
// misuse. Threads meet on Events and atomics; a loop that waits for a state gives up after a
// minute only so that a broken lock fails instead of hanging.
#include "lockgraph/shared_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/event.h"
#include "lockgraph/lock.h"
#include "lockgraph/options.h"
#include "lockgraph/thread.h"
#include "tests/runtime/primitives/lock_test_support.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::lockgraph::SharedLock;
using ::lockgraph::testing::InOtherThread;
using ::lockgraph::testing::Lockable;
using ::lockgraph::testing::SharedLockable;
using ::lockgraph::testing::SharedTimedLockable;
using ::lockgraph::testing::TimedLockable;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

static_assert(Lockable<SharedLock>);
static_assert(TimedLockable<SharedLock>);
static_assert(SharedLockable<SharedLock>);
static_assert(SharedTimedLockable<SharedLock>);
static_assert(requires(SharedLock& m, std::chrono::system_clock::time_point s) {
  { m.try_lock_shared_until(s) } -> std::same_as<bool>;
  { m.try_lock_until(s) } -> std::same_as<bool>;
});
static_assert(std::is_default_constructible_v<SharedLock>);
static_assert(!std::is_copy_constructible_v<SharedLock>);
static_assert(!std::is_copy_assignable_v<SharedLock>);

enum class Mode { kShared, kExclusive };

// Holds `lock` in another thread, in `mode`, from construction until Release().
class HeldInMode {
 public:
  HeldInMode(SharedLock& lock, Mode mode)
      : thread_([this, &lock, mode] {
          mode == Mode::kShared ? lock.lock_shared() : lock.lock();
          held_.set();
          release_.wait();
          mode == Mode::kShared ? lock.unlock_shared() : lock.unlock();
        }) {
    held_.wait();
  }
  ~HeldInMode() { Release(); }
  void Release() {
    release_.set();
    if (thread_.joinable()) thread_.join();
  }

 private:
  lockgraph::Event held_;
  lockgraph::Event release_;
  std::thread thread_;
};

// A try in another thread that holds no lock; a lock it gets is released before it returns.
bool TryElsewhere(SharedLock& lock, Mode mode) {
  return InOtherThread([&] {
    if (mode == Mode::kShared) {
      const bool taken = lock.try_lock_shared();
      if (taken) lock.unlock_shared();
      return taken;
    }
    const bool taken = lock.try_lock();
    if (taken) lock.unlock();
    return taken;
  });
}

// Calls `done` until it returns true; false if that takes a minute (the lock is broken).
bool Eventually(const std::function<bool()>& done) {
  const Clock::time_point give_up = Clock::now() + 60s;
  while (!done()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// True once a writer waits for `lock`: from then on a reader that holds nothing is refused.
bool WriterWaits(SharedLock& lock) {
  return InOtherThread([&] {
    return Eventually([&] {
      if (!lock.try_lock_shared()) return true;
      lock.unlock_shared();
      return false;
    });
  });
}

// ---- The interface ----

TEST(SharedLock, ExclusiveLockAndUnlock) {
  SharedLock lock;
  EXPECT_FALSE(lock.locked());
  lock.lock();
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));
  EXPECT_FALSE(TryElsewhere(lock, Mode::kShared));
  lock.unlock();
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(TryElsewhere(lock, Mode::kExclusive));
}

TEST(SharedLock, SharedLockAndUnlock) {
  SharedLock lock("SharedLock.named");
  lock.lock_shared();
  EXPECT_TRUE(lock.locked());
  EXPECT_TRUE(TryElsewhere(lock, Mode::kShared));  // readers do not block readers
  EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));
  lock.unlock_shared();
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(TryElsewhere(lock, Mode::kExclusive));
}

TEST(SharedLock, WorksWithStdSharedLock) {
  SharedLock lock;
  {
    std::shared_lock read(lock);
    EXPECT_TRUE(read.owns_lock());
    EXPECT_TRUE(TryElsewhere(lock, Mode::kShared));
    EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));
    read.unlock();
    EXPECT_FALSE(lock.locked());
    ASSERT_TRUE(read.try_lock());
    EXPECT_TRUE(lock.locked());
  }
  EXPECT_FALSE(lock.locked());
  {
    std::shared_lock timed(lock, 10ms);  // try_lock_shared_for
    EXPECT_TRUE(timed.owns_lock());
    std::shared_lock until(lock, Clock::now() + 10ms);  // try_lock_shared_until
    EXPECT_TRUE(until.owns_lock());
    std::shared_lock tried(lock, std::try_to_lock);
    EXPECT_TRUE(tried.owns_lock());
  }
  EXPECT_FALSE(lock.locked());
}

TEST(SharedLock, StdSharedLockTriesFailWhileHeldExclusivelyElsewhere) {
  SharedLock lock;
  HeldInMode writer(lock, Mode::kExclusive);
  std::shared_lock tried(lock, std::try_to_lock);
  EXPECT_FALSE(tried.owns_lock());
  std::shared_lock timed(lock, 10ms);
  EXPECT_FALSE(timed.owns_lock());
  std::shared_lock until(lock, Clock::now() + 10ms);
  EXPECT_FALSE(until.owns_lock());
}

TEST(SharedLock, WorksWithUniqueLock) {
  SharedLock lock;
  std::unique_lock write(lock);
  EXPECT_TRUE(write.owns_lock());
  EXPECT_FALSE(TryElsewhere(lock, Mode::kShared));
  write.unlock();
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(write.try_lock_for(10ms));
  EXPECT_TRUE(lock.locked());
  write.unlock();
  ASSERT_TRUE(write.try_lock_until(Clock::now() + 10ms));
  write.release()->unlock();
  EXPECT_FALSE(lock.locked());
}

TEST(SharedLock, WorksWithScopedLockBesideOtherLocks) {
  SharedLock a("ScopedShared.a"), b("ScopedShared.b");
  lockgraph::Lock c("ScopedShared.c");
  {
    std::scoped_lock all(a, b, c);
    EXPECT_FALSE(TryElsewhere(a, Mode::kShared));
    EXPECT_FALSE(TryElsewhere(b, Mode::kShared));
    EXPECT_TRUE(c.locked());
  }
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
  EXPECT_FALSE(c.locked());
}

TEST(SharedLock, ScopedLockWaitsForAReaderElsewhere) {
  SharedLock a, b;
  lockgraph::Event held, waiting;
  std::thread reader([&] {
    b.lock_shared();
    held.set();
    waiting.wait();
    b.unlock_shared();
  });
  held.wait();
  waiting.set();
  {
    std::scoped_lock both(a, b);  // std::lock's back-off: takes both once the reader is gone
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
  }
  reader.join();
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
}

TEST(SharedLock, ConditionVariableAnyWaitsWithASharedLock) {
  SharedLock lock;
  std::condition_variable_any cv;
  bool ready = false;
  std::thread setter([&] {
    {
      std::unique_lock write(lock);
      ready = true;
    }
    cv.notify_all();
  });
  {
    std::shared_lock read(lock);
    cv.wait(read, [&] { return ready; });
    EXPECT_TRUE(read.owns_lock());
  }
  setter.join();
  EXPECT_FALSE(lock.locked());
}

// ---- Readers together, writers alone ----

TEST(SharedLock, ManyReadersHoldItAtOnce) {
  constexpr int kReaders = 6;
  SharedLock lock("ManyReaders.l");
  std::atomic<int> inside{0};
  bool all_met[kReaders] = {};  // one byte each: the readers write their own
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      std::shared_lock read(lock);
      inside.fetch_add(1);
      // Every reader is inside at once before any leaves: they never exclude each other.
      all_met[i] = Eventually([&] { return inside.load() == kReaders; });
    });
  }
  for (std::thread& t : readers) t.join();
  for (int i = 0; i < kReaders; ++i) EXPECT_TRUE(all_met[i]) << "reader " << i;
  EXPECT_FALSE(lock.locked());
}

TEST(SharedLock, AWriterWaitsForTheReaderAndSeesItsWork) {
  SharedLock lock;
  int value = 0;
  lockgraph::Event held, waiting;
  std::thread reader([&] {
    lock.lock_shared();
    held.set();
    waiting.wait();
    value = 1;  // a reader may write what only readers share here: the writer sees it
    lock.unlock_shared();
  });
  held.wait();
  waiting.set();
  lock.lock();
  EXPECT_EQ(value, 1);
  lock.unlock();
  reader.join();
}

TEST(SharedLock, AReaderWaitsForTheWriterAndSeesItsWrite) {
  SharedLock lock;
  int value = 0;
  lockgraph::Event held, waiting;
  std::thread writer([&] {
    lock.lock();
    held.set();
    waiting.wait();
    value = 1;
    lock.unlock();
  });
  held.wait();
  waiting.set();
  lock.lock_shared();
  EXPECT_EQ(value, 1);
  lock.unlock_shared();
  writer.join();
}

TEST(SharedLock, WritersExcludeEveryoneAndReadersSeeWholeUpdates) {
  constexpr int kWriters = 2;
  constexpr int kReaders = 2;
  constexpr int kIncrements = 5000;
  SharedLock lock;
  long first = 0, second = 0;  // deliberately not atomic: only the lock protects them
  std::atomic<int> writers_left{kWriters};
  std::atomic<long> torn{0};
  lockgraph::Event go;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&] {
      go.wait();
      for (int i = 0; i < kIncrements; ++i) {
        std::unique_lock write(lock);
        first = first + 1;
        second = second + 1;
      }
      writers_left.fetch_sub(1);
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      go.wait();
      while (writers_left.load() > 0) {
        std::shared_lock read(lock);
        if (first != second) torn.fetch_add(1);
      }
    });
  }
  go.set();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(first, kWriters * kIncrements);
  EXPECT_EQ(second, kWriters * kIncrements);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_FALSE(lock.locked());
}

// ---- Try and timed forms ----

TEST(SharedLock, TriesFollowTheModes) {
  SharedLock lock;
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(TryElsewhere(lock, Mode::kShared));
  EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));
  lock.unlock();
  ASSERT_TRUE(lock.try_lock_shared());
  EXPECT_TRUE(TryElsewhere(lock, Mode::kShared));
  EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));
  EXPECT_FALSE(lock.try_lock());  // this thread's own reader blocks its writer
  lock.unlock_shared();
  EXPECT_FALSE(lock.locked());
}

TEST(SharedLock, TimedFormsSucceedWhenFreeOrShared) {
  SharedLock lock;
  ASSERT_TRUE(lock.try_lock_for(10ms));
  lock.unlock();
  ASSERT_TRUE(lock.try_lock_until(Clock::now() + 10ms));
  lock.unlock();
  HeldInMode reader(lock, Mode::kShared);
  ASSERT_TRUE(lock.try_lock_shared_for(10ms));
  lock.unlock_shared();
  ASSERT_TRUE(lock.try_lock_shared_until(std::chrono::system_clock::now() + 10ms));
  lock.unlock_shared();
}

TEST(SharedLock, TimedSharedFormsTimeOutWhileHeldExclusivelyElsewhere) {
  SharedLock lock;
  HeldInMode writer(lock, Mode::kExclusive);
  Clock::time_point start = Clock::now();
  EXPECT_FALSE(lock.try_lock_shared_for(20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
  const Clock::time_point deadline = Clock::now() + 20ms;
  EXPECT_FALSE(lock.try_lock_shared_until(deadline));
  EXPECT_GE(Clock::now(), deadline);
  EXPECT_FALSE(lock.try_lock_shared_for(0ns));  // zero or negative: one attempt
  EXPECT_FALSE(lock.try_lock_shared_for(-1s));
  EXPECT_FALSE(lock.try_lock_shared_until(Clock::now() - 1s));
}

TEST(SharedLock, TimedExclusiveFormsTimeOutWhileReadElsewhere) {
  SharedLock lock;
  HeldInMode reader(lock, Mode::kShared);
  Clock::time_point start = Clock::now();
  EXPECT_FALSE(lock.try_lock_for(20ms));
  EXPECT_GE(Clock::now() - start, 20ms);
  const Clock::time_point deadline = Clock::now() + 20ms;
  EXPECT_FALSE(lock.try_lock_until(deadline));
  EXPECT_GE(Clock::now(), deadline);
  EXPECT_FALSE(lock.try_lock_for(-1s));
  // The writer that gave up does not hold readers back.
  EXPECT_TRUE(TryElsewhere(lock, Mode::kShared));
}

TEST(SharedLock, TimedSharedLockSucceedsOnceTheWriterReleases) {
  SharedLock lock;
  lockgraph::Event held, waiting;
  std::thread writer([&] {
    lock.lock();
    held.set();
    waiting.wait();
    lock.unlock();
  });
  held.wait();
  waiting.set();
  EXPECT_TRUE(lock.try_lock_shared_for(60s));
  lock.unlock_shared();
  writer.join();
}

// ---- Who waits for whom ----

TEST(SharedLock, AWaitingWriterGoesBeforeReadersThatHoldNothing) {
  SharedLock lock("Preference.l");
  lockgraph::Lock other("Preference.other");
  lock.lock_shared();
  std::atomic<bool> written{false};
  std::thread writer([&] {
    lock.lock();  // waits for the main thread's shared hold
    written = true;
    lock.unlock();
  });
  // Before the writer waits, a reader that holds nothing gets in beside this one; once it
  // waits, such a reader is refused: a stream of them cannot starve the writer.
  ASSERT_TRUE(WriterWaits(lock));
  EXPECT_FALSE(written.load());
  // Readers that hold locks still get in, or two readers could deadlock through a writer:
  // this thread reading again, and another thread that holds a Lock.
  ASSERT_TRUE(lock.try_lock_shared());
  EXPECT_TRUE(InOtherThread([&] {
    std::lock_guard hold(other);
    lock.lock_shared();  // does not wait
    lock.unlock_shared();
    return true;
  }));
  lock.unlock_shared();
  EXPECT_FALSE(written.load());
  lock.unlock_shared();
  writer.join();
  EXPECT_TRUE(written.load());
}

TEST(SharedLock, ReadersInOppositeOrdersPassWritersWaitingBetweenThem) {
  // Reader 1 holds A and wants B, reader 2 holds B and wants A, and a writer waits for each.
  // A lock that queued every reader behind a waiting writer would deadlock these four
  // threads; readers that hold locks do not queue, so it cannot (and the lock graph's rule,
  // readers do not block readers, holds).
  SharedLock a("Opposite.a"), b("Opposite.b");
  lockgraph::Event a_held, b_held, go;
  std::thread first([&] {
    std::shared_lock hold_a(a);
    a_held.set();
    go.wait();
    std::shared_lock then_b(b);
  });
  std::thread second([&] {
    std::shared_lock hold_b(b);
    b_held.set();
    go.wait();
    std::shared_lock then_a(a);
  });
  a_held.wait();
  b_held.wait();
  std::thread writer_a([&] { std::unique_lock write(a); });
  std::thread writer_b([&] { std::unique_lock write(b); });
  ASSERT_TRUE(WriterWaits(a));
  ASSERT_TRUE(WriterWaits(b));
  go.set();
  first.join();
  second.join();
  writer_a.join();
  writer_b.join();
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
}

TEST(SharedLock, AReaderMayTakeItAgainWhileAWriterWaits) {
  SharedLock lock;
  lock.lock_shared();
  std::thread writer([&] { std::unique_lock write(lock); });
  ASSERT_TRUE(WriterWaits(lock));
  lock.lock_shared();  // does not wait: this thread holds it
  lock.unlock_shared();
  lock.unlock_shared();
  writer.join();
  EXPECT_FALSE(lock.locked());
}

TEST(SharedLock, AChildForkedWhileAWriterWaitsDoesNotWaitForThatWriter) {
  // The child inherits the lock's word, but not the waiting writer: its readers must not
  // yield to a writer that will never come.
  SharedLock lock;
  HeldInMode reader(lock, Mode::kShared);
  std::thread writer([&] { std::unique_lock write(lock); });
  ASSERT_TRUE(WriterWaits(lock));
  const pid_t child = fork();
  if (child == 0) _exit(lock.try_lock_shared() ? 0 : 1);  // the child's thread holds nothing
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(TryElsewhere(lock, Mode::kShared));  // in this process the writer still waits
  reader.Release();
  writer.join();
  EXPECT_FALSE(lock.locked());
}

// ---- What is recorded ----

class SharedLockTrace : public lockgraph::testing::TraceTest {
 protected:
  // "HELD(flags) -> ACQUIRED(flags) xCOUNT" for each dependency between locks whose class
  // starts with `prefix` (stripped); flags as "shared", "try", "timed" joined by "+".
  std::vector<std::string> ModeDependencies(const lockgraph::analyzer::Trace& trace,
                                            const std::string& prefix) {
    using lockgraph::testing::LockName;
    using lockgraph::testing::RecordsOf;
    std::vector<std::string> out;
    for (const auto& dep : RecordsOf<lockgraph::format::DependencyRecord>(trace)) {
      std::string line;
      bool mine = LockName(trace, dep.acquired).rfind(prefix, 0) == 0;
      for (const lockgraph::format::HeldLock& h : dep.held) {
        mine &= LockName(trace, h.instance).rfind(prefix, 0) == 0;
        absl::StrAppend(&line, Named(trace, h.instance, h.flags, prefix), " -> ");
      }
      if (!mine) continue;
      uint64_t count = 1;
      for (const auto& c : RecordsOf<lockgraph::format::DependencyCountRecord>(trace)) {
        if (c.id == dep.id) count += c.count;
      }
      absl::StrAppend(&line, Named(trace, dep.acquired, dep.flags, prefix), " x", count);
      out.push_back(line);
    }
    return out;
  }

  // The trace's misuse records of locks named `prefix`..., as "KIND NAME".
  std::vector<std::string> Misuses(const lockgraph::analyzer::Trace& trace,
                                   const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& m : lockgraph::testing::RecordsOf<lockgraph::format::MisuseRecord>(trace)) {
      const std::string name = lockgraph::testing::LockName(trace, m.instance);
      if (name.rfind(prefix, 0) != 0) continue;
      out.push_back(absl::StrCat(lockgraph::format::MisuseKindName(m.kind), " ",
                                 name.substr(prefix.size())));
    }
    return out;
  }

 private:
  static std::string Named(const lockgraph::analyzer::Trace& trace, uint64_t instance,
                           uint8_t flags, const std::string& prefix) {
    std::vector<std::string> how;
    if (flags & lockgraph::format::kAcquireShared) how.push_back("shared");
    if (flags & lockgraph::format::kAcquireTry) how.push_back("try");
    if (flags & lockgraph::format::kAcquireTimed) how.push_back("timed");
    std::string name = lockgraph::testing::LockName(trace, instance).substr(prefix.size());
    if (!how.empty()) absl::StrAppend(&name, "(", absl::StrJoin(how, "+"), ")");
    return name;
  }
};

TEST_F(SharedLockTrace, IsASharedLockInTheTrace) {
  SharedLock lock("Kind.l");
  lockgraph::Lock outer("Kind.outer");  // a lock is in the trace once a dependency names it
  {
    std::lock_guard hold(outer);
    std::shared_lock read(lock);
  }
  const lockgraph::analyzer::Trace& trace = ReadBack();
  int found = 0;
  for (const auto& [id, instance] : trace.instances) {
    if (lockgraph::testing::LockName(trace, id) != "Kind.l") continue;
    ++found;
    EXPECT_EQ(instance.kind, lockgraph::format::SyncKind::kSharedLock);
    EXPECT_EQ(trace.classes.at(instance.class_id).kind, lockgraph::format::SyncKind::kSharedLock);
  }
  EXPECT_EQ(found, 1);
}

TEST_F(SharedLockTrace, DependenciesCarryTheMode) {
  SharedLock a("Modes.a");
  lockgraph::Lock b("Modes.b");
  for (int i = 0; i < 3; ++i) {
    std::shared_lock read(a);
    std::lock_guard then(b);
  }
  {
    std::lock_guard hold(b);
    std::unique_lock write(a);
  }
  {
    std::lock_guard hold(b);
    std::shared_lock read(a);
  }
  {
    std::lock_guard hold(b);
    std::shared_lock tried(a, std::try_to_lock);
    ASSERT_TRUE(tried.owns_lock());
  }
  {
    std::lock_guard hold(b);
    std::shared_lock timed(a, 1min);
    ASSERT_TRUE(timed.owns_lock());
  }
  {
    std::unique_lock write(a);
    std::lock_guard then(b);
  }
  EXPECT_THAT(ModeDependencies(ReadBack(), "Modes."),
              UnorderedElementsAre("a(shared) -> b x3", "b -> a x1", "b -> a(shared) x1",
                                   "b -> a(shared+try) x1", "b -> a(shared+timed) x1",
                                   "a -> b x1"));
}

TEST_F(SharedLockTrace, AContendedReaderIsRecordedBeforeItWaits) {
  SharedLock lock("Contended.l");
  lockgraph::Lock outer("Contended.outer");
  HeldInMode writer(lock, Mode::kExclusive);
  std::atomic<bool> read{false};
  std::thread reader([&] {
    std::lock_guard hold(outer);
    std::shared_lock wait(lock);
    read = true;
  });
  // The dependency is in the trace while the reader still waits. The file is read while the
  // reader may be appending to it: a read that meets a record half written just tries again.
  ASSERT_TRUE(Eventually([&] {
    lockgraph::Flush();
    absl::StatusOr<lockgraph::analyzer::Trace> trace =
        lockgraph::analyzer::ReadTraceFile(options().trace);
    return trace.ok() && !ModeDependencies(*trace, "Contended.").empty();
  }));
  EXPECT_FALSE(read.load());
  writer.Release();
  reader.join();
  EXPECT_THAT(ModeDependencies(ReadBack(), "Contended."), ElementsAre("outer -> l(shared) x1"));
}

TEST_F(SharedLockTrace, FullModeLogsSharedAcquisitionsAndTheirReleases) {
  lockgraph::Options options = this->options();
  options.mode = lockgraph::Mode::kFull;
  SetOptions(options);
  SharedLock lock("Events.l");
  // Full mode applies to threads made from now on.
  std::thread([&] {
    { std::shared_lock read(lock); }
    { std::unique_lock write(lock); }
    {
      std::shared_lock tried(lock, std::try_to_lock);
      std::shared_lock again(lock);  // a second shared hold of the same thread
    }
  }).join();
  const lockgraph::analyzer::Trace& trace = ReadBack();
  std::vector<std::string> events;
  for (const auto& block :
       lockgraph::testing::RecordsOf<lockgraph::format::EventBlockRecord>(trace)) {
    lockgraph::format::EventDecoder decoder(block.events);
    lockgraph::format::Event e;
    while (decoder.Next(e)) {
      if (lockgraph::testing::LockName(trace, e.operands.object) != "Events.l") continue;
      switch (e.op) {
        case lockgraph::format::EventOp::kAcquire:
          events.push_back(absl::StrCat("acquire ", e.operands.seq));
          break;
        case lockgraph::format::EventOp::kAcquireFlags:
          events.push_back(absl::StrCat("acquire ", e.operands.seq, " flags ",
                                        static_cast<int>(e.operands.flags)));
          break;
        case lockgraph::format::EventOp::kRelease:
          events.push_back("release");
          break;
        default:
          break;
      }
    }
  }
  const int shared = lockgraph::format::kAcquireShared;
  const int shared_try = shared | lockgraph::format::kAcquireTry;
  EXPECT_THAT(events, ElementsAre(absl::StrCat("acquire 1 flags ", shared), "release",
                                  "acquire 2", "release",
                                  absl::StrCat("acquire 3 flags ", shared_try),
                                  absl::StrCat("acquire 4 flags ", shared), "release",
                                  "release"));
}

// ---- Misuse ----

TEST_F(SharedLockTrace, UnlockInTheModeNotHeldIsReportedAndReleasesNothing) {
  SharedLock lock("WrongMode.l");
  ::testing::internal::CaptureStderr();
  lock.lock();
  lock.unlock_shared();  // misuse: held exclusively
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(TryElsewhere(lock, Mode::kShared));
  lock.unlock();
  lock.lock_shared();
  lock.unlock();  // misuse: held shared
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));
  lock.unlock_shared();
  EXPECT_FALSE(lock.locked());
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, HasSubstr("misuse (release-wrong-mode): thread "));
  EXPECT_THAT(report, HasSubstr("with unlock_shared(), but holds it exclusively"));
  EXPECT_THAT(report, HasSubstr("with unlock(), but holds it shared"));
  EXPECT_THAT(Misuses(ReadBack(), "WrongMode."),
              ElementsAre("release-wrong-mode l", "release-wrong-mode l"));
}

TEST_F(SharedLockTrace, UnlockOfAnUnheldLockIsReportedAndIgnored) {
  SharedLock lock("Unheld.l");
  ::testing::internal::CaptureStderr();
  lock.unlock_shared();
  lock.unlock();
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, HasSubstr("misuse (release-unheld)"));
  EXPECT_FALSE(lock.locked());
  ASSERT_TRUE(lock.try_lock());  // still usable
  lock.unlock();
  EXPECT_THAT(Misuses(ReadBack(), "Unheld."),
              ElementsAre("release-unheld l", "release-unheld l"));
}

TEST_F(SharedLockTrace, UnlockSharedByANonReaderReleasesNothing) {
  SharedLock lock("NotReader.l");
  HeldInMode reader(lock, Mode::kShared);
  ::testing::internal::CaptureStderr();
  lock.unlock_shared();  // misuse: another thread's hold; which one would end?
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("but only other threads hold it shared"));
  EXPECT_FALSE(TryElsewhere(lock, Mode::kExclusive));  // the reader still holds it
  reader.Release();
  EXPECT_FALSE(lock.locked());
  EXPECT_THAT(Misuses(ReadBack(), "NotReader."), ElementsAre("release-by-non-owner l"));
}

TEST_F(SharedLockTrace, UnlockByANonOwnerReleasesTheWriterAsLockDoes) {
  SharedLock lock("NonOwner.l");
  lock.lock();
  ::testing::internal::CaptureStderr();
  std::thread([&] { lock.unlock(); }).join();
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("misuse (release-by-non-owner)"));
  EXPECT_FALSE(lock.locked());
  lock.lock_shared();  // the main thread no longer counts it as held: no self-deadlock
  lock.unlock_shared();
  EXPECT_THAT(Misuses(ReadBack(), "NonOwner."), ElementsAre("release-by-non-owner l"));
}

TEST_F(SharedLockTrace, TimedSelfDeadlocksAreReportedAndTimeOut) {
  SharedLock lock("SelfTimed.l");
  ::testing::internal::CaptureStderr();
  lock.lock_shared();
  EXPECT_FALSE(lock.try_lock_for(5ms));  // a writer waits for every reader: itself too
  lock.unlock_shared();
  lock.lock();
  EXPECT_FALSE(lock.try_lock_shared_for(5ms));  // a reader waits for the writer: itself
  EXPECT_FALSE(lock.try_lock_for(5ms));         // not recursive
  lock.unlock();
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, HasSubstr("exclusively while it holds it shared"));
  EXPECT_THAT(report, HasSubstr("shared while it holds it exclusively"));
  EXPECT_THAT(report, HasSubstr("which it already holds"));
  EXPECT_THAT(Misuses(ReadBack(), "SelfTimed."),
              ElementsAre("self-deadlock l", "self-deadlock l", "self-deadlock l"));
  EXPECT_FALSE(lock.locked());
}

TEST_F(SharedLockTrace, ReadingAgainIsNotMisuse) {
  SharedLock lock("ReadAgain.l");
  lock.lock_shared();
  lock.lock_shared();
  EXPECT_TRUE(lock.try_lock_shared());
  lock.unlock_shared();
  lock.unlock_shared();
  lock.unlock_shared();
  EXPECT_FALSE(lock.locked());
  EXPECT_THAT(Misuses(ReadBack(), "ReadAgain."), IsEmpty());
}

TEST_F(SharedLockTrace, DestroyingAHeldLockIsReported) {
  auto* lock = new SharedLock("Destroyed.l");
  lock->lock_shared();
  ::testing::internal::CaptureStderr();
  delete lock;
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(report, HasSubstr("destroys SharedLock \"Destroyed.l\""));
  EXPECT_THAT(report, HasSubstr("while holding it"));
  EXPECT_THAT(Misuses(ReadBack(), "Destroyed."), ElementsAre("destroy-held l"));
}

void UseOnMisuse(lockgraph::OnMisuse on_misuse) {
  lockgraph::Options options = lockgraph::CurrentOptions();
  options.on_misuse = on_misuse;
  lockgraph::Configure(options);
}

TEST(SharedLockDeathTest, OnMisuseAbortAbortsOnUnlockSharedOfAnUnheldLock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOnMisuse(lockgraph::OnMisuse::kAbort);
        SharedLock lock("AbortUnheld.l");
        lock.unlock_shared();
      },
      "misuse \\(release-unheld\\)(.|\n)*AbortUnheld.l(.|\n)*aborting \\(on_misuse=abort\\)");
}

TEST(SharedLockDeathTest, OnMisuseAbortAbortsOnUnlockInTheWrongMode) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOnMisuse(lockgraph::OnMisuse::kAbort);
        SharedLock lock("AbortMode.l");
        lock.lock_shared();
        lock.unlock();
      },
      "misuse \\(release-wrong-mode\\)(.|\n)*AbortMode.l(.|\n)*aborting \\(on_misuse=abort\\)");
}

TEST(SharedLockDeathTest, OnMisuseAbortAbortsOnATimedUpgrade) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        UseOnMisuse(lockgraph::OnMisuse::kAbort);
        SharedLock lock("AbortUpgrade.l");
        lock.lock_shared();
        (void)lock.try_lock_for(std::chrono::hours(1));
      },
      "misuse \\(self-deadlock\\)(.|\n)*AbortUpgrade.l(.|\n)*aborting \\(on_misuse=abort\\)");
}

}  // namespace

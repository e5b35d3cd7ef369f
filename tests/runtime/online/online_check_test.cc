// The online cycle check: what is reported on stderr the moment a cycle closes, and the
// false alarms it must not raise (the "bar to beat" of DESIGN.md).
#include <functional>
#include <memory>
#include <vector>
#include <mutex>
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using ::lockgraph::Event;
using ::lockgraph::Lock;
using ::lockgraph::Thread;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

using OnlineCheckTest = ::lockgraph::testing::TraceTest;

// Runs each body in a thread of its own, one after the other, with no start/join order
// between them: all threads start first, and Events order this run only. The threads are
// named "first", "second", "third", ...
void RunInTurn(const std::vector<std::function<void()>>& bodies) {
  static const char* const kNames[] = {"first", "second", "third", "fourth"};
  std::vector<std::unique_ptr<Event>> done;
  std::vector<std::unique_ptr<Thread>> threads;
  for (size_t i = 0; i < bodies.size(); ++i) done.push_back(std::make_unique<Event>());
  for (size_t i = 0; i < bodies.size(); ++i) {
    threads.push_back(std::make_unique<Thread>(
        [&, i] {
          if (i > 0) done[i - 1]->wait();
          bodies[i]();
          done[i]->set();
        },
        kNames[i]));
  }
  for (auto& t : threads) t->start();
  for (auto& t : threads) t->join();
}

void RunInTurn(const std::function<void()>& first, const std::function<void()>& second) {
  RunInTurn({first, second});
}

std::string CaptureReports(const std::function<void()>& body) {
  ::testing::internal::CaptureStderr();
  body();
  return ::testing::internal::GetCapturedStderr();
}

void Nest(Lock& outer, Lock& inner) {
  std::lock_guard a(outer);
  std::lock_guard b(inner);
}

TEST_F(OnlineCheckTest, ReportsAbbaWithBothLocksAndTheirLines) {
  Lock a("Abba.a"), b("Abba.b");
  const std::string report = CaptureReports([&] {
    RunInTurn([&] { Nest(a, b); }, [&] { Nest(b, a); });
  });
  EXPECT_THAT(report, AllOf(HasSubstr("lock-order cycle"), HasSubstr("Lock \"Abba.a\""),
                            HasSubstr("Lock \"Abba.b\""), HasSubstr("thread "),
                            HasSubstr("\"first\" holds \"Abba.a\""),
                            HasSubstr("\"second\" holds \"Abba.b\""),
                            HasSubstr("online_check_test.cc"), HasSubstr("std::scoped_lock")));
}

TEST_F(OnlineCheckTest, ReportsAThreeLockCycleOverThreeThreads) {
  Lock a("Three.a"), b("Three.b"), c("Three.c");
  const std::string report = CaptureReports([&] {
    RunInTurn({[&] { Nest(a, b); }, [&] { Nest(b, c); }, [&] { Nest(c, a); }});
  });
  EXPECT_THAT(report, AllOf(HasSubstr("between 3 locks"), HasSubstr("\"Three.a\""),
                            HasSubstr("\"Three.b\""), HasSubstr("\"Three.c\"")));
}

TEST_F(OnlineCheckTest, ReportsEachCycleOnce) {
  Lock a("Once.a"), b("Once.b");
  const std::string report = CaptureReports([&] {
    for (int i = 0; i < 3; ++i) RunInTurn([&] { Nest(a, b); }, [&] { Nest(b, a); });
  });
  size_t count = 0;
  for (size_t pos = report.find("lock-order cycle"); pos != std::string::npos;
       pos = report.find("lock-order cycle", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 1u);
}

TEST_F(OnlineCheckTest, GateLockHeldAroundBothOrdersIsSilent) {
  Lock gate("Gate.g"), a("Gate.a"), b("Gate.b");
  const std::string report = CaptureReports([&] {
    RunInTurn(
        [&] {
          std::lock_guard g(gate);
          Nest(a, b);
        },
        [&] {
          std::lock_guard g(gate);
          Nest(b, a);
        });
  });
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

TEST_F(OnlineCheckTest, OneThreadTakingBothOrdersIsSilent) {
  Lock a("Single.a"), b("Single.b");
  const std::string report = CaptureReports([&] {
    Nest(a, b);
    Nest(b, a);
  });
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

TEST_F(OnlineCheckTest, OrdersSeparatedByJoinThenStartAreSilent) {
  Lock a("Joined.a"), b("Joined.b");
  const std::string report = CaptureReports([&] {
    Thread first([&] { Nest(a, b); }, "first");
    first.start();
    first.join();
    Thread second([&] { Nest(b, a); }, "second");
    second.start();
    second.join();
  });
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

TEST_F(OnlineCheckTest, ParentOrderBeforeStartingTheChildIsSilent) {
  Lock a("Parent.a"), b("Parent.b");
  const std::string report = CaptureReports([&] {
    Nest(a, b);
    Thread child([&] { Nest(b, a); }, "child");
    child.start();
    child.join();
  });
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

TEST_F(OnlineCheckTest, ParentOrderWhileTheChildRunsIsReported) {
  Lock a("Concurrent.a"), b("Concurrent.b");
  Event child_done;
  const std::string report = CaptureReports([&] {
    Thread child([&] { Nest(b, a); child_done.set(); }, "child");
    child.start();
    child_done.wait();
    Nest(a, b);  // after start, before join: can overlap the child's b -> a
    child.join();
  });
  EXPECT_THAT(report, HasSubstr("lock-order cycle"));
}

TEST_F(OnlineCheckTest, TryLockBackOffIsSilent) {
  Lock a("Backoff.a"), b("Backoff.b");
  const std::string report = CaptureReports([&] {
    RunInTurn([&] { Nest(a, b); },
              [&] {
                std::lock_guard hb(b);
                if (a.try_lock()) a.unlock();  // cannot block: backs off instead
              });
  });
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

TEST_F(OnlineCheckTest, LockFreedAndAnotherBuiltInItsPlaceIsANewNode) {
  Lock b("Reuse.b");
  alignas(Lock) unsigned char storage[sizeof(Lock)];
  Lock* a = new (storage) Lock("Reuse.a");
  const std::string report = CaptureReports([&] {
    RunInTurn(
        [&] {
          Nest(*a, b);
          a->~Lock();
          a = new (storage) Lock("Reuse.a");  // same address, another lock
        },
        [&] { Nest(b, *a); });
  });
  a->~Lock();
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

TEST_F(OnlineCheckTest, IgnoreModePrintsNothing) {
  lockgraph::Options options = this->options();
  options.on_cycle = lockgraph::OnCycle::kIgnore;
  SetOptions(options);
  Lock a("Ignore.a"), b("Ignore.b");
  const std::string report = CaptureReports([&] {
    RunInTurn([&] { Nest(a, b); }, [&] { Nest(b, a); });
  });
  EXPECT_THAT(report, Not(HasSubstr("lock-order cycle")));
}

}  // namespace

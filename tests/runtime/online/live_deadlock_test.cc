// Deadlocks that happen (runtime/online/live_deadlock.h), with lockgraph's own locks: each
// test's program really deadlocks in a child process (a gtest exit or death test), which must
// be ended with the report and leave the deadlock in its trace, read back here; a lock that
// is only held long must not be taken for one.
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "common/llvm_symbolizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/lockgraph.h"
#include "tests/e2e/e2e_support.h"
#include "tests/runtime/trace_fixture.h"

namespace {

using ::lockgraph::Event;
using ::lockgraph::Lock;
using ::lockgraph::Thread;
using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::format::DeadlockRecord;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::LockName;
using ::lockgraph::testing::RecordsOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kSource[] = __FILE__;

// The line of this file that holds `marker`.
int Line(const std::string& marker) { return LineOf(kSource, marker); }

class LiveDeadlockTest : public ::testing::Test {
 protected:
  // A death test's child runs the test again from the start (style "threadsafe"), so the
  // trace path is the test's name, the same in both processes.
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    saved_ = lockgraph::CurrentOptions();
    unlink(trace_path().c_str());
  }
  void TearDown() override {
    lockgraph::Configure(saved_);
    unlink(trace_path().c_str());
  }

  // Options for the child: its trace in this test's directory, a short check.
  void Configure(lockgraph::OnDeadlock on_deadlock, std::chrono::milliseconds check) const {
    lockgraph::Options options = lockgraph::CurrentOptions();
    options.trace = trace_path();
    options.on_deadlock = on_deadlock;
    options.deadlock_check = check;
    options.on_cycle = lockgraph::OnCycle::kIgnore;  // the prediction is not under test here
    lockgraph::Configure(options);
  }

  std::string trace_path() const {
    return absl::StrCat(::testing::TempDir(), "/live_deadlock.",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                        ".lgtrace");
  }

  // The deadlock records of the trace, as "THREAD holds LOCK waits LOCK@LINE" per thread.
  std::vector<std::vector<std::string>> Deadlocks() const {
    lockgraph::Flush();
    absl::StatusOr<Trace> trace = ReadTraceFile(trace_path());
    EXPECT_TRUE(trace.ok()) << trace.status();
    if (!trace.ok()) return {};
    std::vector<std::vector<std::string>> out;
    for (const DeadlockRecord& d : RecordsOf<DeadlockRecord>(*trace)) {
      std::vector<std::string>& threads = out.emplace_back();
      for (const auto& t : d.threads) {
        threads.push_back(absl::StrCat(ThreadName(*trace, t.tid), " holds ",
                                       LockName(*trace, t.held), " waits ",
                                       LockName(*trace, t.waits_for), "@",
                                       FirstLine(*trace, t.wait_stack)));
      }
    }
    return out;
  }

 private:
  static std::string ThreadName(const Trace& trace, uint32_t tid) {
    for (const auto& t : RecordsOf<lockgraph::format::ThreadStartRecord>(trace)) {
      if (t.tid == tid) return trace.String(t.name_sid);
    }
    return "?";
  }
  // The source line of a stack's first frame in this file, found by symbolizing the test
  // binary's own return addresses: the child is this binary.
  static int FirstLine(const Trace& trace, uint64_t stack_id);

  lockgraph::Options saved_;
};

int LiveDeadlockTest::FirstLine(const Trace& trace, uint64_t stack_id) {
  auto stack = trace.stacks.find(stack_id);
  if (stack == trace.stacks.end()) return 0;
  lockgraph::analyzer::StackSymbolizer symbolizer({&trace},
                                                  lockgraph::LlvmSymbolizer::Find(""));
  for (const lockgraph::SourceFrame& frame : symbolizer.Frames({0, stack_id})) {
    if (frame.file == kSource) return static_cast<int>(frame.line);
  }
  return 0;
}

// Two threads, each holding one lock and waiting for the other's: a real deadlock.
void Abba() {
  Lock a("Abba.a"), b("Abba.b");
  Event a_held, b_held;
  Thread first(
      [&] {
        std::lock_guard hold_a(a);
        a_held.set();
        b_held.wait();
        std::lock_guard wait_for_b(b);  // waits: first
      },
      "first");
  Thread second(
      [&] {
        std::lock_guard hold_b(b);
        b_held.set();
        a_held.wait();
        std::lock_guard wait_for_a(a);  // waits: second
      },
      "second");
  first.start();
  second.start();
  first.join();  // never returns
}

TEST_F(LiveDeadlockTest, AbbaIsEndedWithItsReportAndExitStatus) {
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::milliseconds(50));
        Abba();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "deadlock now: 2 threads each wait for a lock the next one holds(.|\n)*"
      "thread 2 \"first\" holds Lock \"Abba.a\"(.|\n)*and waits for Lock \"Abba.b\"(.|\n)*"
      "thread 3 \"second\" holds Lock \"Abba.b\"(.|\n)*and waits for Lock \"Abba.a\"(.|\n)*"
      "ending the program: exit status 86 \\(on_deadlock=exit\\)");
  EXPECT_THAT(Deadlocks(),
              ElementsAre(ElementsAre(
                  absl::StrCat("first holds Abba.a waits Abba.b@", Line("// waits: first")),
                  absl::StrCat("second holds Abba.b waits Abba.a@", Line("// waits: second")))));
}

// Three threads in a ring: each holds its lock and waits for the next one's.
void Ring() {
  Lock locks[3] = {Lock("Ring.0"), Lock("Ring.1"), Lock("Ring.2")};
  Event held[3];
  std::vector<std::unique_ptr<Thread>> threads;
  for (int i = 0; i < 3; ++i) {
    threads.push_back(std::make_unique<Thread>(
        [&, i] {
          std::lock_guard mine(locks[i]);
          held[i].set();
          held[(i + 1) % 3].wait();
          std::lock_guard next(locks[(i + 1) % 3]);  // waits: ring
        },
        absl::StrCat("ring-", i)));
  }
  for (auto& t : threads) t->start();
  threads[0]->join();  // never returns
}

TEST_F(LiveDeadlockTest, AThreeThreadRingIsOneDeadlock) {
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::milliseconds(50));
        Ring();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "deadlock now: 3 threads each wait for a lock the next one holds");
  const int line = Line("// waits: ring");
  EXPECT_THAT(Deadlocks(),
              ElementsAre(ElementsAre(
                  absl::StrCat("ring-0 holds Ring.0 waits Ring.1@", line),
                  absl::StrCat("ring-1 holds Ring.1 waits Ring.2@", line),
                  absl::StrCat("ring-2 holds Ring.2 waits Ring.0@", line))));
}

void TakeTwice() {
  Lock lock("Self.l");
  lock.lock();
  lock.lock();  // waits: self
}

TEST_F(LiveDeadlockTest, ALockTakenTwiceByItsHolderIsADeadlockOfOneThreadAtOnce) {
  // No check period needed: the thread is known to wait for itself before it blocks.
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::hours(1));
        TakeTwice();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "deadlock now: thread 1 \"main\" waits for Lock \"Self.l\"(.|\n)*which it holds itself"
      "(.|\n)*ending the program");
  EXPECT_THAT(Deadlocks(), ElementsAre(ElementsAre(absl::StrCat(
                               "main holds Self.l waits Self.l@", Line("// waits: self")))));
}

// A SharedLock held shared and wanted exclusively by the same thread: the writer waits for
// every reader, the thread itself among them.
void UpgradeShared() {
  lockgraph::SharedLock lock("Upgrade.l");
  lock.lock_shared();
  lock.lock();  // waits: upgrade
}

TEST_F(LiveDeadlockTest, TakingASharedLockExclusivelyWhileReadingItIsADeadlockAtOnce) {
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::hours(1));
        UpgradeShared();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "deadlock now: thread 1 \"main\" waits for SharedLock \"Upgrade.l\"[^\n]*, which it "
      "holds itself as a reader [^\n]*: a writer waits for every reader, so the thread waits "
      "forever");
  EXPECT_THAT(Deadlocks(), ElementsAre(ElementsAre(absl::StrCat(
                               "main holds Upgrade.l waits Upgrade.l@", Line("// waits: upgrade")))));
}

void ReadWhileWriting() {
  lockgraph::SharedLock lock("ReadOwn.l");
  lock.lock();
  lock.lock_shared();  // waits: reads its own
}

TEST_F(LiveDeadlockTest, ReadingASharedLockItHoldsExclusivelyIsADeadlockAtOnce) {
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::hours(1));
        ReadWhileWriting();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "deadlock now: thread 1 \"main\" waits as a reader for SharedLock \"ReadOwn.l\"[^\n]*, "
      "which it holds itself \\(taken[^\n]*: a reader waits for the writer");
  std::vector<std::vector<std::string>> deadlocks = Deadlocks();
  EXPECT_THAT(deadlocks, ElementsAre(ElementsAre(absl::StrCat(
                             "main holds ReadOwn.l waits ReadOwn.l@",
                             Line("// waits: reads its own")))));
}

// A reader and a writer of two SharedLocks: "reader" holds A shared and waits to read B,
// which "writer" holds exclusively while it waits to write A.
void ReaderAndWriter() {
  lockgraph::SharedLock a("RW.a"), b("RW.b");
  Event a_held, b_held;
  Thread reader(
      [&] {
        std::shared_lock hold_a(a);
        a_held.set();
        b_held.wait();
        std::shared_lock wait_for_b(b);  // waits: reader
      },
      "reader");
  Thread writer(
      [&] {
        std::unique_lock hold_b(b);
        b_held.set();
        a_held.wait();
        std::unique_lock wait_for_a(a);  // waits: writer
      },
      "writer");
  reader.start();
  writer.start();
  reader.join();  // never returns
}

TEST_F(LiveDeadlockTest, AReaderAndAWriterOfSharedLocksWaitingForEachOtherAreADeadlock) {
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::milliseconds(50));
        ReaderAndWriter();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "deadlock now: 2 threads each wait for a lock the next one holds(.|\n)*"
      "thread 2 \"reader\" holds SharedLock \"RW.a\"[^\n]* as a reader \\(taken[^\n]*\n"
      "  and waits as a reader for SharedLock \"RW.b\"(.|\n)*"
      "thread 3 \"writer\" holds SharedLock \"RW.b\" \\(created [^\n]*\\) \\(taken[^\n]*\n"
      "  and waits for SharedLock \"RW.a\"");
  EXPECT_THAT(Deadlocks(),
              ElementsAre(ElementsAre(
                  absl::StrCat("reader holds RW.a waits RW.b@", Line("// waits: reader")),
                  absl::StrCat("writer holds RW.b waits RW.a@", Line("// waits: writer")))));
}

TEST_F(LiveDeadlockTest, WithoutSymbolsTheReportNamesModulesNotTheCxxLibrary) {
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kExit, std::chrono::hours(1));
        lockgraph::Options options = lockgraph::CurrentOptions();
        options.symbolizer = "none";
        lockgraph::Configure(options);
        TakeTwice();
      },
      ::testing::ExitedWithCode(lockgraph::kDeadlockExitStatus),
      "which it holds itself \\(taken at \\?\\? \\([^ ]*recorder_test\\+0x[0-9a-f]+\\)\\)");
}

TEST_F(LiveDeadlockTest, OnDeadlockAbortAborts) {
  EXPECT_DEATH(
      {
        Configure(lockgraph::OnDeadlock::kAbort, std::chrono::milliseconds(50));
        Abba();
      },
      "deadlock now(.|\n)*aborting \\(on_deadlock=abort\\)");
  EXPECT_THAT(Deadlocks(), SizeIs(1));
}

TEST_F(LiveDeadlockTest, OnDeadlockReportLetsTheThreadsWaitOn) {
  // The child's main thread waits until the deadlock is in the trace, then ends the child:
  // its two threads would wait for ever.
  EXPECT_EXIT(
      {
        Configure(lockgraph::OnDeadlock::kReport, std::chrono::milliseconds(50));
        std::thread([] { Abba(); }).detach();
        const std::string path = trace_path();
        for (int i = 0; i < 6000; ++i) {
          absl::StatusOr<Trace> trace = ReadTraceFile(path);
          if (trace.ok() && !RecordsOf<DeadlockRecord>(*trace).empty()) _exit(0);
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        _exit(1);
      },
      ::testing::ExitedWithCode(0),
      "deadlock now(.|\n)*the threads wait on \\(on_deadlock=report\\)");
  EXPECT_THAT(Deadlocks(), SizeIs(1));
}

TEST_F(LiveDeadlockTest, ALockHeldLongIsNotADeadlock) {
  // The holder keeps the lock through several checks of the waiter, then lets go: the waiter
  // gets it, and nothing is reported. (The hold's length decides only how many checks run.)
  Configure(lockgraph::OnDeadlock::kAbort, std::chrono::milliseconds(10));
  Lock slow("Slow.l");
  Event held;
  ::testing::internal::CaptureStderr();
  Thread holder(
      [&] {
        std::lock_guard hold(slow);
        held.set();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      },
      "holder");
  Thread waiter(
      [&] {
        held.wait();
        std::lock_guard wait(slow);
      },
      "waiter");
  holder.start();
  waiter.start();
  holder.join();
  waiter.join();
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), ::testing::Not(HasSubstr("deadlock")));
  EXPECT_THAT(Deadlocks(), SizeIs(0));
}

TEST_F(LiveDeadlockTest, ATimedWaitIsNeverPartOfADeadlock) {
  // Each thread holds one lock and waits for the other's with a timeout: they would give up,
  // so it is no deadlock, whatever the check period.
  Configure(lockgraph::OnDeadlock::kAbort, std::chrono::milliseconds(10));
  Lock a("Timed.a"), b("Timed.b");
  Event a_held, b_held;
  bool first_got_b = true, second_got_a = true;
  Thread first(
      [&] {
        std::lock_guard hold_a(a);
        a_held.set();
        b_held.wait();
        first_got_b = b.try_lock_for(std::chrono::milliseconds(100));
        if (first_got_b) b.unlock();
      },
      "first");
  Thread second(
      [&] {
        std::lock_guard hold_b(b);
        b_held.set();
        a_held.wait();
        second_got_a = a.try_lock_for(std::chrono::milliseconds(100));
        if (second_got_a) a.unlock();
      },
      "second");
  first.start();
  second.start();
  first.join();
  second.join();
  // At least one timed out (both hold theirs until their own wait ends).
  EXPECT_FALSE(first_got_b && second_got_a);
  EXPECT_THAT(Deadlocks(), SizeIs(0));
}

}  // namespace

// The program's signal handlers behind the runtime's sigaction: a signal that arrives inside a
// runtime section runs its handler when the section ends, with its siginfo, once; outside,
// at once; and the program reads back its own actions. (The fault tests show the same with
// timers firing into threads that take locks: tests/faults/signal_test.cc.)
#include "runtime/base/signal_deferral.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "gtest/gtest.h"

namespace {

using ::lockgraph::runtime::g_signals_deferrable;
using ::lockgraph::runtime::SignalDeferral;

std::atomic<int> g_runs{0};
std::atomic<int> g_value{0};
std::atomic<int> g_code{0};

void CountingHandler(int) { g_runs.fetch_add(1); }

void InfoHandler(int, siginfo_t* info, void*) {
  g_runs.fetch_add(1);
  g_value.store(info->si_value.sival_int);
  g_code.store(info->si_code);
}

class SignalDeferralTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "ThreadSanitizer defers signals itself; the sections block them";
#endif
    g_runs = 0;
    g_value = 0;
    g_code = 0;
  }
  void TearDown() override {
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
  }

  static void Install(int sig, void (*handler)(int, siginfo_t*, void*), int flags) {
    struct sigaction act = {};
    act.sa_sigaction = handler;
    act.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&act.sa_mask);
    ASSERT_EQ(sigaction(sig, &act, nullptr), 0);
  }

  static bool Blocked(int sig) {
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    return sigismember(&mask, sig) == 1;
  }
};

TEST_F(SignalDeferralTest, TheRuntimesSigactionIsTheProcesss) {
  // Linked statically, the runtime's sigaction is exported (CMakeLists.txt): without it the
  // sections would fall back to blocking signals with two system calls each.
  EXPECT_TRUE(g_signals_deferrable.load());
}

TEST_F(SignalDeferralTest, ASignalInsideASectionRunsItsHandlerAtTheEndWithItsInfo) {
  Install(SIGUSR1, InfoHandler, 0);
  {
    SignalDeferral section;
    sigval value;
    value.sival_int = 42;
    ASSERT_EQ(pthread_sigqueue(pthread_self(), SIGUSR1, value), 0);
    EXPECT_EQ(g_runs.load(), 0) << "the handler ran inside the section";
    EXPECT_TRUE(Blocked(SIGUSR1)) << "the deferred signal waits blocked";
  }
  EXPECT_EQ(g_runs.load(), 1);
  EXPECT_EQ(g_value.load(), 42);
  EXPECT_EQ(g_code.load(), SI_QUEUE);
  EXPECT_FALSE(Blocked(SIGUSR1)) << "the section leaves the mask as it found it";
}

TEST_F(SignalDeferralTest, OutsideASectionTheHandlerRunsAtOnce) {
  Install(SIGUSR1, InfoHandler, 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(g_runs.load(), 1);
  EXPECT_EQ(g_code.load(), SI_TKILL);
}

TEST_F(SignalDeferralTest, NestedSectionsDeferUntilTheOutermostEnds) {
  ASSERT_NE(signal(SIGUSR2, CountingHandler), SIG_ERR);
  {
    SignalDeferral outer;
    {
      SignalDeferral inner;
      ASSERT_EQ(raise(SIGUSR2), 0);
    }
    EXPECT_EQ(g_runs.load(), 0);
  }
  EXPECT_EQ(g_runs.load(), 1);
}

TEST_F(SignalDeferralTest, AnUndeferredHandlerIsTakenOnceAndNotLoopedOn) {
  // SA_NODEFER: the kernel does not block the signal in its handler, so the deferring
  // handler must, or the queued copy would interrupt it at once, for ever.
  Install(SIGUSR1, InfoHandler, SA_NODEFER);
  {
    SignalDeferral section;
    ASSERT_EQ(raise(SIGUSR1), 0);
    ASSERT_EQ(raise(SIGUSR1), 0);  // a standard signal: merged with the pending one
  }
  EXPECT_EQ(g_runs.load(), 1);
}

TEST_F(SignalDeferralTest, AOneShotHandlerRunsOnceAndLeavesTheDefault) {
  Install(SIGUSR1, InfoHandler, SA_RESETHAND);
  {
    SignalDeferral section;
    ASSERT_EQ(raise(SIGUSR1), 0);
  }
  EXPECT_EQ(g_runs.load(), 1);
  struct sigaction now = {};
  ASSERT_EQ(sigaction(SIGUSR1, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST_F(SignalDeferralTest, TheProgramReadsBackItsOwnActions) {
  struct sigaction act = {};
  act.sa_handler = CountingHandler;
  act.sa_flags = SA_RESTART;
  sigemptyset(&act.sa_mask);
  sigaddset(&act.sa_mask, SIGTERM);
  ASSERT_EQ(sigaction(SIGUSR2, &act, nullptr), 0);

  struct sigaction read = {};
  ASSERT_EQ(sigaction(SIGUSR2, nullptr, &read), 0);
  EXPECT_EQ(read.sa_handler, CountingHandler);
  EXPECT_EQ(read.sa_flags & (SA_SIGINFO | SA_RESTART | SA_RESETHAND), SA_RESTART);
  EXPECT_EQ(sigismember(&read.sa_mask, SIGTERM), 1);

  // signal() and sigaction() agree on what was there.
  EXPECT_EQ(signal(SIGUSR2, SIG_IGN), CountingHandler);
  struct sigaction old = {};
  ASSERT_EQ(sigaction(SIGUSR2, &act, &old), 0);
  EXPECT_EQ(old.sa_handler, SIG_IGN);
  ASSERT_EQ(raise(SIGUSR2), 0);
  EXPECT_EQ(g_runs.load(), 1);
}

TEST_F(SignalDeferralTest, IgnoredWithSigInfoIsIgnoredNotCalled) {
  struct sigaction act = {};
  act.sa_handler = SIG_IGN;
  act.sa_flags = SA_SIGINFO;
  sigemptyset(&act.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &act, nullptr), 0);
  {
    SignalDeferral section;
    ASSERT_EQ(raise(SIGUSR1), 0);
  }
  ASSERT_EQ(raise(SIGUSR1), 0);  // ignored: the test goes on
  struct sigaction now = {};
  ASSERT_EQ(sigaction(SIGUSR1, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_IGN);
}

TEST_F(SignalDeferralTest, TheRuntimesHandlerSetAgainKeepsTheProgramsBehindIt) {
  ASSERT_NE(signal(SIGUSR2, CountingHandler), SIG_ERR);
  // What the kernel holds (x86-64's struct kernel_sigaction), read behind the interposer.
  struct {
    void* handler;
    unsigned long flags;
    void* restorer;
    uint64_t mask;
  } kernel_action = {};
  ASSERT_EQ(syscall(SYS_rt_sigaction, SIGUSR2, nullptr, &kernel_action, sizeof(uint64_t)), 0);
  struct sigaction again = {};
  again.sa_sigaction = reinterpret_cast<void (*)(int, siginfo_t*, void*)>(kernel_action.handler);
  again.sa_flags = SA_SIGINFO;
  sigemptyset(&again.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &again, nullptr), 0);
  ASSERT_EQ(raise(SIGUSR2), 0);
  EXPECT_EQ(g_runs.load(), 1);
  EXPECT_EQ(signal(SIGUSR2, SIG_DFL), CountingHandler);
}

TEST_F(SignalDeferralTest, BadSignalsAreRefusedAsGlibcRefusesThem) {
  struct sigaction act = {};
  act.sa_handler = CountingHandler;
  EXPECT_EQ(sigaction(0, &act, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(sigaction(SIGKILL, &act, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(signal(NSIG + 5, CountingHandler), SIG_ERR);
}

}  // namespace

#include "runtime/base/signal_deferral.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "runtime/base/saved_errno.h"

// glibc's own entry point, which its sigaction() is an alias of: the interposer below calls
// it, never itself, and never needs dlsym (not async-signal-safe) to find it.
extern "C" int __sigaction(int sig, const struct sigaction* act, struct sigaction* old);

namespace lockgraph::runtime {

constinit thread_local int t_signal_deferral ABSL_ATTRIBUTE_INITIAL_EXEC = 0;
constinit thread_local uint64_t t_deferred_signals ABSL_ATTRIBUTE_INITIAL_EXEC = 0;
constinit std::atomic<bool> g_signals_deferrable{false};

namespace {

uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }

// What the program asked for a signal whose handler the runtime fronts. `handler` 0: the
// program's disposition is the kernel's (a default, ignored, or not yet seen signal).
struct ProgramAction {
  std::atomic<uintptr_t> handler{0};
  std::atomic<int> flags{0};
  sigset_t mask{};
};
constinit ProgramAction g_actions[NSIG];

// Serializes the interposers (with the thread's signals blocked, so a handler calling
// sigaction cannot wait for its own thread).
constinit std::atomic<bool> g_actions_busy{false};

class ActionsLock {
 public:
  ActionsLock() {
    const sigset_t all = AsyncSignals();
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
    while (g_actions_busy.exchange(true, std::memory_order_acquire)) {
    }
  }
  ~ActionsLock() {
    g_actions_busy.store(false, std::memory_order_release);
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }

 private:
  sigset_t saved_;
};

// The signals a section defers: the asynchronous ones a program can handle. The synchronous
// ones (SIGSEGV, ...) and SIGABRT concern the interrupted instruction and run at once.
bool Deferrable(int sig) {
  if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP) return false;
  const sigset_t async = AsyncSignals();
  return sigismember(&async, sig) == 1;
}

// A function to call, not SIG_DFL or SIG_IGN (which glibc's union holds in either member,
// SA_SIGINFO or not).
bool IsHandler(const struct sigaction& act) {
  return act.sa_handler != SIG_DFL && act.sa_handler != SIG_IGN;
}

void RunProgramHandler(int sig, siginfo_t* info, void* context) {
  ProgramAction& action = g_actions[sig];
  const int flags = action.flags.load(std::memory_order_acquire);
  const uintptr_t handler = action.handler.load(std::memory_order_acquire);
  if (handler == 0) return;  // the program set the default meanwhile
  if ((flags & SA_RESETHAND) != 0) {
    // The kernel would have reset it on delivery; it delivered to the runtime's handler,
    // installed without the flag, so that a deferred signal still reaches this one.
    struct sigaction default_action = {};
    default_action.sa_handler = SIG_DFL;
    action.handler.store(0, std::memory_order_release);
    __sigaction(sig, &default_action, nullptr);
  }
  if ((flags & SA_SIGINFO) != 0) {
    reinterpret_cast<void (*)(int, siginfo_t*, void*)>(handler)(sig, info, context);
  } else {
    reinterpret_cast<void (*)(int)>(handler)(sig);
  }
}

// In front of every program handler of a deferrable signal.
void DeferringHandler(int sig, siginfo_t* info, void* context) {
  if (ABSL_PREDICT_TRUE(t_signal_deferral == 0)) return RunProgramHandler(sig, info, context);
  // Inside a section: keep the signal blocked after this handler returns (the kernel restores
  // the interrupted context's mask), blocked now too (an SA_NODEFER action would take it again
  // at once), and pending, with its siginfo, for the section's end to unblock.
  SavedErrno saved_errno;
  auto* interrupted = static_cast<ucontext_t*>(context);
  sigaddset(&interrupted->uc_sigmask, sig);
  sigset_t just_this;
  sigemptyset(&just_this);
  sigaddset(&just_this, sig);
  pthread_sigmask(SIG_BLOCK, &just_this, nullptr);
  t_deferred_signals |= Bit(sig);
  const pid_t pid = getpid();
  const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, info) != 0) syscall(SYS_tgkill, pid, tid, sig);
}

// The action the kernel is given for the program's `act`: the deferring handler in front.
struct sigaction Fronted(const struct sigaction& act) {
  struct sigaction fronted = act;
  fronted.sa_sigaction = DeferringHandler;
  fronted.sa_flags = (act.sa_flags | SA_SIGINFO) & ~SA_RESETHAND;
  return fronted;
}

// The action a program reads back: its own.
struct sigaction ProgramView(int sig) {
  const ProgramAction& action = g_actions[sig];
  struct sigaction view = {};
  view.sa_flags = action.flags.load(std::memory_order_relaxed);
  view.sa_mask = action.mask;
  // Either member of glibc's union (IsHandler).
  view.sa_handler =
      reinterpret_cast<void (*)(int)>(action.handler.load(std::memory_order_relaxed));
  return view;
}

int SetAction(int sig, const struct sigaction* act, struct sigaction* old) {
  if (!Deferrable(sig)) return __sigaction(sig, act, old);
  ActionsLock hold;
  ProgramAction& action = g_actions[sig];
  const bool fronted = action.handler.load(std::memory_order_relaxed) != 0;
  struct sigaction previous = {};
  if (fronted) previous = ProgramView(sig);
  int rc = 0;
  if (act == nullptr) {
    if (!fronted) rc = __sigaction(sig, nullptr, &previous);
  } else if (act->sa_sigaction == DeferringHandler) {
    // The runtime's own handler, read from the kernel behind the interposer's back and set
    // again: the program's stays.
    rc = __sigaction(sig, act, fronted ? nullptr : &previous);
  } else if (IsHandler(*act)) {
    const struct sigaction installed = Fronted(*act);
    rc = __sigaction(sig, &installed, fronted ? nullptr : &previous);
    if (rc == 0) {
      action.mask = act->sa_mask;
      action.flags.store(act->sa_flags, std::memory_order_release);
      action.handler.store(reinterpret_cast<uintptr_t>(act->sa_handler),
                           std::memory_order_release);
    }
  } else {
    rc = __sigaction(sig, act, fronted ? nullptr : &previous);
    if (rc == 0) action.handler.store(0, std::memory_order_release);
  }
  if (rc == 0 && old != nullptr) *old = previous;
  return rc;
}

using SignalHandler = void (*)(int);

SignalHandler SetHandler(int sig, SignalHandler handler, int flags, bool mask_itself) {
  struct sigaction act = {};
  act.sa_handler = handler;
  sigemptyset(&act.sa_mask);
  if (mask_itself && sig > 0 && sig < NSIG) sigaddset(&act.sa_mask, sig);
  act.sa_flags = flags;
  struct sigaction old = {};
  if (SetAction(sig, &act, &old) != 0) return SIG_ERR;
  return old.sa_handler;
}

// At load, before the program's constructors: fronts the handlers installed so far (by
// libraries loaded earlier), and finds out whether every later sigaction of the process is
// the runtime's. ThreadSanitizer defers signals itself, with handlers in front of the
// program's that this interposer would bypass: there the sections keep blocking.
__attribute__((constructor)) void FrontHandlersAtLoad() {
#if !defined(__SANITIZE_THREAD__)
  for (int sig = 1; sig < NSIG; ++sig) {
    if (!Deferrable(sig)) continue;
    struct sigaction current = {};
    if (__sigaction(sig, nullptr, &current) != 0 || !IsHandler(current)) continue;
    SetAction(sig, &current, nullptr);  // the runtime's own handler stays as it is
  }
  using Sigaction = int (*)(int, const struct sigaction*, struct sigaction*);
  const auto process_sigaction = reinterpret_cast<Sigaction>(dlsym(RTLD_DEFAULT, "sigaction"));
  g_signals_deferrable.store(process_sigaction == &::sigaction, std::memory_order_relaxed);
#endif
}

}  // namespace

void ReleaseDeferredSignals() {
  const uint64_t deferred = t_deferred_signals;
  t_deferred_signals = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  sigset_t set;
  sigemptyset(&set);
  for (int sig = 1; sig < NSIG; ++sig) {
    if ((deferred & Bit(sig)) != 0) sigaddset(&set, sig);
  }
  SavedErrno saved_errno;
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);  // the pending handlers run here
}

}  // namespace lockgraph::runtime

#if !defined(__SANITIZE_THREAD__)
extern "C" {

int sigaction(int sig, const struct sigaction* act, struct sigaction* old) noexcept {
  return lockgraph::runtime::SetAction(sig, act, old);
}

// glibc's signal() and its aliases set their actions through its internal __sigaction, which
// the interposer above does not see: each is redone over it, with glibc's flags.
lockgraph::runtime::SignalHandler signal(int sig, lockgraph::runtime::SignalHandler handler) noexcept {
  return lockgraph::runtime::SetHandler(sig, handler, SA_RESTART, /*mask_itself=*/true);
}
lockgraph::runtime::SignalHandler bsd_signal(int sig,
                                             lockgraph::runtime::SignalHandler handler) noexcept {
  return lockgraph::runtime::SetHandler(sig, handler, SA_RESTART, /*mask_itself=*/true);
}
lockgraph::runtime::SignalHandler sysv_signal(int sig,
                                              lockgraph::runtime::SignalHandler handler) noexcept {
  return lockgraph::runtime::SetHandler(sig, handler, SA_RESETHAND | SA_NODEFER,
                                        /*mask_itself=*/false);
}
// What signal() is in a program built for strict ISO C (no _DEFAULT_SOURCE).
lockgraph::runtime::SignalHandler __sysv_signal(int sig,
                                                lockgraph::runtime::SignalHandler handler) noexcept {
  return sysv_signal(sig, handler);
}

}  // extern "C"
#endif

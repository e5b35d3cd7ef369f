// SignalDeferral: no program signal handler runs while its thread is inside one of the
// runtime's critical sections (a ColdPath: runtime mutexes held, the dependency cache half
// grown, the allocator entered). A handler that takes a lock would otherwise wait for a
// runtime mutex its own thread holds, or for a lock held by another thread's handler that
// waits for that mutex (tests/faults/signal_test.cc).
//
// Without system calls: the runtime interposes sigaction() and signal() and installs its own
// handler in front of each of the program's. A signal that arrives inside a section is left
// pending and blocked (the interrupted context's mask gains it, the signal is queued again
// with its siginfo), and the section's end unblocks it: the program's handler then runs
// there, as it did when the sections blocked every signal with two rt_sigprocmask calls. That
// is what the sections still do when the runtime cannot be sure every handler is its own: the
// runtime's sigaction is not the process's (a library loaded by dlopen, ThreadSanitizer's
// interceptors).
//
//   { SignalDeferral defer; ... take runtime mutexes, allocate ... }  // handlers run here
#ifndef LOCKGRAPH_RUNTIME_BASE_SIGNAL_DEFERRAL_H_
#define LOCKGRAPH_RUNTIME_BASE_SIGNAL_DEFERRAL_H_

#include <signal.h>

#include <atomic>
#include <cstdint>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "runtime/base/signal_block.h"

namespace lockgraph::runtime {

// > 0 while the thread is inside a section: its signals wait.
extern constinit thread_local int t_signal_deferral ABSL_ATTRIBUTE_INITIAL_EXEC;
// Signals (bit sig - 1) that arrived inside the thread's section and wait, blocked.
extern constinit thread_local uint64_t t_deferred_signals ABSL_ATTRIBUTE_INITIAL_EXEC;

// True once the load-time check found that the process's sigaction is the runtime's, so that
// every handler of the program is behind the deferring one. Hidden: each copy of the runtime
// (the preload, the shared library) answers for itself.
extern std::atomic<bool> g_signals_deferrable __attribute__((visibility("hidden")));

// Unblocks the signals deferred in the section the thread just left; their handlers run.
void ReleaseDeferredSignals();

class SignalDeferral {
 public:
  SignalDeferral() {
    if (ABSL_PREDICT_FALSE(!g_signals_deferrable.load(std::memory_order_relaxed))) {
      const sigset_t blocked = AsyncSignals();
      pthread_sigmask(SIG_BLOCK, &blocked, &saved_);
      blocked_ = true;
    }
    ++t_signal_deferral;
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
  ~SignalDeferral() {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    --t_signal_deferral;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (ABSL_PREDICT_FALSE(t_deferred_signals != 0) && t_signal_deferral == 0) {
      ReleaseDeferredSignals();
    }
    if (ABSL_PREDICT_FALSE(blocked_)) pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  SignalDeferral(const SignalDeferral&) = delete;
  SignalDeferral& operator=(const SignalDeferral&) = delete;

 private:
  bool blocked_ = false;
  sigset_t saved_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_SIGNAL_DEFERRAL_H_

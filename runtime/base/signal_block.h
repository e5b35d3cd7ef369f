// SignalBlock: blocks the calling thread's asynchronous signals for the scope's life, and
// restores its mask after. Used around the recorder's cold paths and fork(), where the thread
// holds runtime mutexes that a lock taken in a signal handler would need
// (tests/faults/signal_test.cc). Cost: two rt_sigprocmask system calls.
#ifndef LOCKGRAPH_RUNTIME_BASE_SIGNAL_BLOCK_H_
#define LOCKGRAPH_RUNTIME_BASE_SIGNAL_BLOCK_H_

#include <signal.h>

namespace lockgraph::runtime {

// The mask SignalBlock sets: every signal but the synchronous ones (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGTRAP: blocked, the kernel would kill the process for them, bypassing the
// program's handlers and the sanitizers') and SIGABRT, which abort() raises. Built each time
// (a few stores): no function-local static, whose guard the preload would see.
inline sigset_t AsyncSignals() {
  sigset_t set;
  sigfillset(&set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&set, sig);
  return set;
}

class SignalBlock {
 public:
  SignalBlock() {
    const sigset_t blocked = AsyncSignals();
    pthread_sigmask(SIG_BLOCK, &blocked, &saved_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_SIGNAL_BLOCK_H_

// SignalBlock: blocks the calling thread's asynchronous signals for the scope's life, and
// restores its mask after. Synchronous ones (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) stay
// unblocked: the kernel would kill the process for them, bypassing the program's handlers
// and the sanitizers'; so does SIGABRT, which abort() raises. Used around the recorder's cold paths and fork(), where the thread
// holds runtime mutexes that a lock taken in a signal handler would need
// (tests/faults/signal_test.cc).
#ifndef LOCKGRAPH_RUNTIME_SIGNAL_BLOCK_H_
#define LOCKGRAPH_RUNTIME_SIGNAL_BLOCK_H_

#include <signal.h>

namespace lockgraph::runtime {

// The mask SignalBlock sets: every signal but the synchronous ones.
inline sigset_t AsyncSignals() {
  sigset_t set;
  sigfillset(&set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&set, sig);
  return set;
}

class SignalBlock {
 public:
  SignalBlock() {
    static const sigset_t kBlocked = AsyncSignals();
    pthread_sigmask(SIG_BLOCK, &kBlocked, &saved_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_SIGNAL_BLOCK_H_

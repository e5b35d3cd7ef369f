// ColdPath: held by every recorder entry point that takes a runtime mutex. fork() takes the
// same mutex exclusively, so the child never inherits a runtime mutex that a thread — which
// does not exist in the child — was holding. Never nest two ColdPath scopes in one thread.
// The program's signal handlers wait meanwhile (SignalDeferral).
#ifndef LOCKGRAPH_RUNTIME_RECORDER_COLD_PATH_H_
#define LOCKGRAPH_RUNTIME_RECORDER_COLD_PATH_H_

#include "runtime/base/saved_errno.h"
#include "runtime/base/signal_deferral.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::runtime {

class ColdPath {
 public:
  ColdPath()
      : signals_(),
        errno_(),
        depth_(),
        recorder_(ProcessRecorder::Get()),
        hold_(recorder_.fork_mu()) {}
  ProcessRecorder& recorder() { return recorder_; }

 private:
  // The program's signal handlers wait until the thread leaves (constructed first, destroyed
  // last): a handler that takes a lock would otherwise run while this thread holds a runtime
  // mutex, and wait for itself (the mutexes are not recursive), or for another thread whose
  // handler holds the lock it wants and waits for the runtime mutex; or it would see the
  // thread's dependency cache half grown. No system call unless a signal arrives.
  SignalDeferral signals_;
  // The program's errno survives the runtime's system calls (restored before the signal mask,
  // so a handler that runs at the unmasking sees the program's errno too).
  SavedErrno errno_;
  // Marks the thread as inside the runtime from before the fork lock is taken until after it
  // is released, so the interposer never records the runtime's own pthread calls.
  // The thread's state, if it has one, carries the mark too, where the interposer's hot
  // path reads it (one thread-local load instead of two).
  struct Depth {
    Depth() : state(t_thread) {
      ++t_runtime_depth;
      if (state != nullptr) ++state->runtime_depth;
    }
    ~Depth() {
      --t_runtime_depth;
      if (state != nullptr) --state->runtime_depth;
    }
    ThreadState* const state;
  };
  Depth depth_;
  ProcessRecorder& recorder_;
  RuntimeReaderLock hold_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_COLD_PATH_H_

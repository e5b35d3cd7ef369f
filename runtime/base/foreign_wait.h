// ForeignWait: marks a span in which a primitive waits for another thread or process, so a
// hosted language can let its other threads run meanwhile (Python releases its interpreter
// lock: lockgraph/internal/foreign_frames.h). Nothing happens when no language is installed,
// or when the waiting code is the recorder's own (its waits are short, and a thread must not
// take the interpreter lock back while it holds a recorder mutex).
//
//   { ForeignWait wait; syscall(SYS_futex, ...); }
#ifndef LOCKGRAPH_RUNTIME_BASE_FOREIGN_WAIT_H_
#define LOCKGRAPH_RUNTIME_BASE_FOREIGN_WAIT_H_

#include "lockgraph/internal/foreign_frames.h"

namespace lockgraph::runtime {

class ForeignWait {
 public:
  ForeignWait() {
    const internal::ForeignRuntime* foreign = internal::InstalledForeignRuntime();
    if (foreign != nullptr && foreign->before_wait != nullptr && !internal::InsideRecorder()) {
      foreign_ = foreign;
      token_ = foreign->before_wait();
    }
  }
  ~ForeignWait() {
    if (foreign_ != nullptr) foreign_->after_wait(token_);
  }
  ForeignWait(const ForeignWait&) = delete;
  ForeignWait& operator=(const ForeignWait&) = delete;

 private:
  const internal::ForeignRuntime* foreign_ = nullptr;
  void* token_ = nullptr;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_FOREIGN_WAIT_H_

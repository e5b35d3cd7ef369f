// SavedErrno: restores the calling thread's errno when the scope ends. The runtime's system
// calls (a futex wait that finds the word changed, a trace write) set errno; a lock taken in a
// signal handler, or between a failing call and the program's read of errno, must leave it as
// it was, as pthread_mutex_lock does.
#ifndef LOCKGRAPH_RUNTIME_BASE_SAVED_ERRNO_H_
#define LOCKGRAPH_RUNTIME_BASE_SAVED_ERRNO_H_

#include <errno.h>

namespace lockgraph::runtime {

class SavedErrno {
 public:
  SavedErrno() : saved_(errno) {}
  ~SavedErrno() { errno = saved_; }
  SavedErrno(const SavedErrno&) = delete;
  SavedErrno& operator=(const SavedErrno&) = delete;

 private:
  const int saved_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_SAVED_ERRNO_H_

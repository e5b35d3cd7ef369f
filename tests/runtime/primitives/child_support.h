// Helpers of the tests that fork (Process, ProcessLock, ProcessQueue): memory shared with the
// children, and a pipe to hold a child back or let it go without sleeping. A child reports
// through them and its exit code: a failed EXPECT in a child would not be seen.
#ifndef LOCKGRAPH_TESTS_RUNTIME_PRIMITIVES_CHILD_SUPPORT_H_
#define LOCKGRAPH_TESTS_RUNTIME_PRIMITIVES_CHILD_SUPPORT_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <new>

namespace lockgraph::testing {

// A T in memory shared with the children forked after it.
template <class T>
class Shared {
 public:
  Shared() : value_(new (Map()) T()) {}
  ~Shared() {
    value_->~T();
    munmap(value_, sizeof(T));
  }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;
  T* operator->() { return value_; }
  T& operator*() { return *value_; }

 private:
  static void* Map() {
    void* memory =
        mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) std::abort();
    return memory;
  }
  T* value_;
};

// One byte through a pipe: how a child is held back, with no sleep.
class Pipe {
 public:
  Pipe() {
    if (pipe(fds_) != 0) std::abort();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close(fds_[0]);
    close(fds_[1]);
  }
  void Send() const {
    const char byte = 1;
    if (write(fds_[1], &byte, 1) != 1) std::abort();
  }
  void Receive() const {
    char byte;
    if (read(fds_[0], &byte, 1) != 1) std::abort();
  }

 private:
  int fds_[2];
};

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_RUNTIME_PRIMITIVES_CHILD_SUPPORT_H_

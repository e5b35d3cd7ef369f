#include "runtime/base/futex.h"
#include "runtime/base/futex_lock.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>

#include "runtime/base/foreign_wait.h"
#include "runtime/base/saved_errno.h"

namespace lockgraph::runtime {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));

bool FutexWait(const std::atomic<uint32_t>& word, uint32_t expected,
               internal::Deadline deadline) {
  auto* address = const_cast<uint32_t*>(reinterpret_cast<const uint32_t*>(&word));
  timespec ts;
  timespec* timeout = nullptr;
  if (!deadline.never()) {
    ts.tv_sec = deadline.monotonic_ns() / 1000000000;
    ts.tv_nsec = deadline.monotonic_ns() % 1000000000;
    timeout = &ts;
  }
  const SavedErrno saved;  // EAGAIN (the word changed), EINTR
  bool timed_out;
  {
    ForeignWait wait;
    const long rc = syscall(SYS_futex, address, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
                            expected, timeout, nullptr, FUTEX_BITSET_MATCH_ANY);
    timed_out = rc == -1 && errno == ETIMEDOUT;
  }
  return !timed_out;
}

void FutexWake(const std::atomic<uint32_t>& word, int count) {
  auto* address = const_cast<uint32_t*>(reinterpret_cast<const uint32_t*>(&word));
  const SavedErrno saved;
  syscall(SYS_futex, address, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, count, nullptr, nullptr, 0);
}

bool LockWordSlow(std::atomic<uint32_t>& word, internal::Deadline deadline) {
  // Mark the word contended (2) before sleeping, so that the unlocker wakes someone.
  for (;;) {
    if (word.exchange(2, std::memory_order_acquire) == 0) return true;
    if (deadline.Passed()) return false;
    FutexWait(word, 2, deadline);
  }
}

}  // namespace lockgraph::runtime

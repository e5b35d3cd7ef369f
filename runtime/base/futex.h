// Thin wrappers over the Linux futex system call, the only way the primitives block.
//
//   while (word.load() == kBusy) FutexWait(word, kBusy, deadline);
//   ... word.store(kFree); FutexWake(word, 1);
//
// Process-private futexes (FUTEX_PRIVATE_FLAG); deadlines are absolute CLOCK_MONOTONIC times
// (FUTEX_WAIT_BITSET), so a wait restarted after EINTR or a spurious wakeup keeps its deadline.
#ifndef LOCKGRAPH_RUNTIME_BASE_FUTEX_H_
#define LOCKGRAPH_RUNTIME_BASE_FUTEX_H_

#include <atomic>
#include <cstdint>

#include "lockgraph/internal/raw_sync.h"

namespace lockgraph::runtime {

// Sleeps while `word` holds `expected`, until woken or `deadline`. Returns false only if the
// deadline has passed; true may be a spurious wakeup, so callers re-check `word`.
bool FutexWait(const std::atomic<uint32_t>& word, uint32_t expected,
               internal::Deadline deadline);

// Wakes at most `count` threads sleeping on `word`.
void FutexWake(const std::atomic<uint32_t>& word, int count);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_FUTEX_H_

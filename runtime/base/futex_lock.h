// The lock word shared by Lock, RLock and RawMutex: 0 free, 1 held, 2 held and maybe waited
// for (Drepper, "Futexes Are Tricky", mutex3). Only the holder's unlock of a word in state 2
// makes a system call.
#ifndef LOCKGRAPH_RUNTIME_BASE_FUTEX_LOCK_H_
#define LOCKGRAPH_RUNTIME_BASE_FUTEX_LOCK_H_

#include <atomic>
#include <cstdint>

#include "lockgraph/internal/raw_sync.h"
#include "runtime/base/futex.h"

namespace lockgraph::runtime {

inline bool TryLockWord(std::atomic<uint32_t>& word) {
  uint32_t expected = 0;
  return word.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                      std::memory_order_relaxed);
}

// Waits for the word until `deadline`; true if it was taken.
bool LockWordSlow(std::atomic<uint32_t>& word, internal::Deadline deadline);

inline void UnlockWord(std::atomic<uint32_t>& word) {
  if (word.exchange(0, std::memory_order_release) == 2) FutexWake(word, 1);
}

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_FUTEX_LOCK_H_

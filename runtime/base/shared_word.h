// The lock word of SharedLock: a reader-writer lock in one 32-bit futex word.
//
//   bit 31    kSharedWriter         held exclusively
//   bit 30    kSharedWriterWaiting  a writer waits; readers that hold no other lock wait too
//   bit 29    kSharedSleepers       a thread sleeps (or is about to) on the word
//   bits 0-28                       the number of shared holders
//
// Policy: writers first, except for readers that may be part of a deadlock. A reader waits
// while the word is held exclusively; a reader that holds no other lock (one that `yields`)
// also waits while a writer waits, so a stream of readers cannot starve a writer. A reader
// that holds locks never waits behind a waiting writer: with that rule a reader blocks only
// on a writer that holds the lock, the rule the lock graph, the live deadlock check and the
// analyzer assume (readers do not block readers), so two threads reading in opposite orders,
// or one thread reading the lock again, never hang. A writer waits for every holder. Writers
// among themselves, and readers among themselves, are not queued: whoever gets the word
// first goes (no FIFO).
//
// Waiting: a waiter sets kSharedSleepers and sleeps on the word's value. Whoever clears the
// bit wakes every sleeper (they re-check and go back to sleep if they still cannot enter),
// which is only done by a release that may let one in: a writer's release, the last reader's,
// and the last waiting writer giving up. A crowd of waiters is woken at once, a thundering
// herd that a tool for finding deadlocks can afford. Uncontended, a lock or unlock in either
// mode is one compare-and-swap or one atomic subtract, and no system call.
//
// Who waits as a writer is counted outside the word (`writers`: the process id and the count
// of waiting writers), so that the last one to stop waiting clears kSharedWriterWaiting, and
// so that a child forked while a writer waited, which inherits the bit but not the writer,
// does not hold its readers back for a writer that will never come: readers yield only to
// writers of their own process.
#ifndef LOCKGRAPH_RUNTIME_BASE_SHARED_WORD_H_
#define LOCKGRAPH_RUNTIME_BASE_SHARED_WORD_H_

#include <atomic>
#include <cstdint>

#include "absl/base/optimization.h"
#include "lockgraph/internal/raw_sync.h"

namespace lockgraph::runtime {

inline constexpr uint32_t kSharedWriter = 1u << 31;
inline constexpr uint32_t kSharedWriterWaiting = 1u << 30;
inline constexpr uint32_t kSharedSleepers = 1u << 29;
inline constexpr uint32_t kSharedReaders = kSharedSleepers - 1;  // mask, and the most readers

// The hot path of a shared lock: enters while no writer holds or waits (retrying while other
// readers come and go). False sends the reader to TryLockSharedWordSlow.
inline bool TryLockSharedWord(std::atomic<uint32_t>& word) {
  uint32_t v = word.load(std::memory_order_relaxed);
  while (v < kSharedReaders) {  // no writer, none waiting, no sleeper, room for a reader
    if (word.compare_exchange_weak(v, v + 1, std::memory_order_acquire,
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

// Takes the word shared if a reader may enter now. A reader that `yields` (it holds no lock)
// does not enter while a writer of this process waits.
bool TryLockSharedWordSlow(std::atomic<uint32_t>& word, const std::atomic<uint64_t>& writers,
                           bool yields);

// Takes the word exclusively if nobody holds it (a waiting writer does not stop this one).
inline bool TryLockExclusiveWord(std::atomic<uint32_t>& word) {
  uint32_t v = word.load(std::memory_order_relaxed);
  while ((v & (kSharedWriter | kSharedReaders)) == 0) {
    if (word.compare_exchange_weak(v, v | kSharedWriter, std::memory_order_acquire,
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

// The hot path of an exclusive lock: free, nobody waiting.
inline bool TryLockFreeWord(std::atomic<uint32_t>& word) {
  uint32_t expected = 0;
  return word.compare_exchange_strong(expected, kSharedWriter, std::memory_order_acquire,
                                      std::memory_order_relaxed);
}

// Waits until the word is taken shared (true) or `deadline` passes (false).
bool LockSharedWordSlow(std::atomic<uint32_t>& word, const std::atomic<uint64_t>& writers,
                        bool yields, internal::Deadline deadline);

// A writer's wait: BeginExclusiveWait, then LockExclusiveWordSlow until it returns true or
// the caller gives up, then EndExclusiveWait with the outcome.
void BeginExclusiveWait(std::atomic<uint32_t>& word, std::atomic<uint64_t>& writers);
bool LockExclusiveWordSlow(std::atomic<uint32_t>& word, internal::Deadline deadline);
void EndExclusiveWait(std::atomic<uint32_t>& word, std::atomic<uint64_t>& writers,
                      bool acquired);

void WakeSharedWord(std::atomic<uint32_t>& word);

// Releases an exclusive hold.
inline void UnlockExclusiveWord(std::atomic<uint32_t>& word) {
  uint32_t expected = kSharedWriter;
  if (ABSL_PREDICT_TRUE(word.compare_exchange_strong(expected, 0, std::memory_order_release,
                                                     std::memory_order_relaxed))) {
    return;
  }
  // Keeps kSharedWriterWaiting: its writers still wait.
  const uint32_t old =
      word.fetch_and(~(kSharedWriter | kSharedSleepers), std::memory_order_release);
  if ((old & kSharedSleepers) != 0) WakeSharedWord(word);
}

// Releases one shared hold.
inline void UnlockSharedWord(std::atomic<uint32_t>& word) {
  const uint32_t old = word.fetch_sub(1, std::memory_order_release);
  // The last reader lets the sleepers (writers, and readers yielding to them) re-check.
  if (ABSL_PREDICT_FALSE((old & kSharedReaders) == 1 && (old & kSharedSleepers) != 0)) {
    word.fetch_and(~kSharedSleepers, std::memory_order_relaxed);
    WakeSharedWord(word);
  }
}

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_SHARED_WORD_H_

#include "runtime/base/shared_word.h"

#include <climits>

#include "runtime/base/futex.h"

namespace lockgraph::runtime {

void WakeSharedWord(std::atomic<uint32_t>& word) { FutexWake(word, INT_MAX); }

bool LockSharedWordSlow(std::atomic<uint32_t>& word, bool yield_to_writers,
                        internal::Deadline deadline) {
  for (;;) {
    uint32_t v = word.load(std::memory_order_relaxed);
    if (ReaderMayEnter(v, yield_to_writers)) {
      if (word.compare_exchange_weak(v, v + 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
        return true;
      }
      continue;
    }
    if (deadline.Passed()) return false;
    // Announce the sleep in the value slept on: a release that clears the bit changes the
    // value (so a wait that has not begun returns at once) and wakes those already asleep.
    const uint32_t sleeping = v | kSharedSleepers;
    if (v != sleeping && !word.compare_exchange_strong(v, sleeping, std::memory_order_relaxed)) {
      continue;
    }
    FutexWait(word, sleeping, deadline);
  }
}

void BeginExclusiveWait(std::atomic<uint32_t>& word, std::atomic<uint32_t>& writers_waiting) {
  writers_waiting.fetch_add(1, std::memory_order_seq_cst);
  word.fetch_or(kSharedWriterWaiting, std::memory_order_seq_cst);
}

bool LockExclusiveWordSlow(std::atomic<uint32_t>& word, internal::Deadline deadline) {
  for (;;) {
    uint32_t v = word.load(std::memory_order_relaxed);
    if ((v & (kSharedWriter | kSharedReaders)) == 0) {
      if (word.compare_exchange_weak(v, v | kSharedWriter, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
        return true;
      }
      continue;
    }
    if (deadline.Passed()) return false;
    // kSharedWriterWaiting again: the last writer to stop waiting may have just cleared it.
    const uint32_t sleeping = v | kSharedSleepers | kSharedWriterWaiting;
    if (v != sleeping && !word.compare_exchange_strong(v, sleeping, std::memory_order_relaxed)) {
      continue;
    }
    FutexWait(word, sleeping, deadline);
  }
}

void EndExclusiveWait(std::atomic<uint32_t>& word, std::atomic<uint32_t>& writers_waiting,
                      bool acquired) {
  if (writers_waiting.fetch_sub(1, std::memory_order_seq_cst) != 1) return;  // others wait
  // The last waiting writer: readers need not yield any more. If it gave up, those that
  // yielded may enter now, so they are woken; if it took the lock, its release wakes them.
  const uint32_t clear = acquired ? kSharedWriterWaiting : kSharedWriterWaiting | kSharedSleepers;
  const uint32_t old = word.fetch_and(~clear, std::memory_order_seq_cst);
  if (!acquired && (old & kSharedSleepers) != 0) WakeSharedWord(word);
  // A writer that began waiting between the decrement and the clear set the bit before it
  // was cleared: set it again. (One that began after this load set it after the clear.)
  if (writers_waiting.load(std::memory_order_seq_cst) != 0) {
    word.fetch_or(kSharedWriterWaiting, std::memory_order_seq_cst);
  }
}

}  // namespace lockgraph::runtime

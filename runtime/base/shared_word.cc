#include "runtime/base/shared_word.h"

#include <unistd.h>

#include <climits>

#include "runtime/base/futex.h"

namespace lockgraph::runtime {
namespace {

// `writers`: the process id of the waiting writers above, their number below.
constexpr uint64_t kWriterCountMask = 0xffffffff;

uint64_t ThisProcess() { return static_cast<uint32_t>(getpid()); }

// The number of writers of this process that wait: 0 if those counted were another process's
// (this one was forked from it while they waited).
uint64_t WritersWaitingHere(const std::atomic<uint64_t>& writers) {
  const uint64_t w = writers.load(std::memory_order_seq_cst);
  return (w >> 32) == ThisProcess() ? (w & kWriterCountMask) : 0;
}

// May a reader enter the word in state `v`? Only a reader that sees kSharedWriterWaiting asks
// whose writers wait (a system call, on a path that is about to wait anyway).
bool ReaderMayEnter(uint32_t v, const std::atomic<uint64_t>& writers, bool yields) {
  if ((v & kSharedWriter) != 0 || (v & kSharedReaders) == kSharedReaders) return false;
  return !yields || (v & kSharedWriterWaiting) == 0 || WritersWaitingHere(writers) == 0;
}

}  // namespace

void WakeSharedWord(std::atomic<uint32_t>& word) { FutexWake(word, INT_MAX); }

bool TryLockSharedWordSlow(std::atomic<uint32_t>& word, const std::atomic<uint64_t>& writers,
                           bool yields) {
  uint32_t v = word.load(std::memory_order_relaxed);
  while (ReaderMayEnter(v, writers, yields)) {
    if (word.compare_exchange_weak(v, v + 1, std::memory_order_acquire,
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

bool LockSharedWordSlow(std::atomic<uint32_t>& word, const std::atomic<uint64_t>& writers,
                        bool yields, internal::Deadline deadline) {
  for (;;) {
    uint32_t v = word.load(std::memory_order_relaxed);
    if (ReaderMayEnter(v, writers, yields)) {
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

void BeginExclusiveWait(std::atomic<uint32_t>& word, std::atomic<uint64_t>& writers) {
  const uint64_t here = ThisProcess();
  uint64_t w = writers.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    // Writers counted by the process this one was forked from do not wait here: start over.
    next = (w >> 32) == here ? w + 1 : (here << 32) | 1;
  } while (!writers.compare_exchange_weak(w, next, std::memory_order_seq_cst));
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

void EndExclusiveWait(std::atomic<uint32_t>& word, std::atomic<uint64_t>& writers,
                      bool acquired) {
  const uint64_t here = ThisProcess();
  uint64_t w = writers.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = (w >> 32) == here && (w & kWriterCountMask) > 0 ? w - 1 : w;
  } while (!writers.compare_exchange_weak(w, next, std::memory_order_seq_cst));
  if ((next >> 32) == here && (next & kWriterCountMask) != 0) return;  // others wait
  // The last waiting writer: readers need not yield any more. If it gave up, those that
  // yielded may enter now, so they are woken; if it took the lock, its release wakes them.
  const uint32_t clear = acquired ? kSharedWriterWaiting : kSharedWriterWaiting | kSharedSleepers;
  const uint32_t old = word.fetch_and(~clear, std::memory_order_seq_cst);
  if (!acquired && (old & kSharedSleepers) != 0) WakeSharedWord(word);
  // A writer that began waiting between the decrement and the clear set the bit before it
  // was cleared: set it again. (One that began after this load set it after the clear.)
  if (WritersWaitingHere(writers) != 0) {
    word.fetch_or(kSharedWriterWaiting, std::memory_order_seq_cst);
  }
}

}  // namespace lockgraph::runtime

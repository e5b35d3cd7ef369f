#include "lockgraph/event.h"

#include <climits>

#include "runtime/base/futex.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

Event::Event(std::string_view name, std::source_location site) {
  internal::RegisterSync(handle_, static_cast<uint8_t>(format::SyncKind::kEvent), name, site);
}

Event::~Event() { internal::UnregisterSync(handle_); }

// sets_ counts before the flag is stored, so a waiter that sees the flag also sees the count
// of the set() that stored it: the signal it received (full mode).
void Event::set() {
  const uint32_t seq = sets_.fetch_add(1, std::memory_order_seq_cst) + 1;
  flag_.store(1, std::memory_order_seq_cst);
  wakes_.fetch_add(1, std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) > 0) runtime::FutexWake(wakes_, INT_MAX);
  runtime::ThreadState* ts = runtime::CurrentThread();
  runtime::LogSignal(ts, format::EventOp::kSend, handle_, seq);
}

void Event::Received() {
  runtime::ThreadState* ts = runtime::CurrentThread();
  if (ts == nullptr || ts->events == nullptr) return;
  const uint32_t seq = sets_.load(std::memory_order_acquire);
  if (seq != 0) runtime::LogSignal(ts, format::EventOp::kReceive, handle_, seq);
}

void Event::clear() { flag_.store(0, std::memory_order_seq_cst); }

bool Event::wait(std::chrono::nanoseconds timeout) {
  const uintptr_t caller_pc = LOCKGRAPH_CALLER_PC();
  if (flag_.load(std::memory_order_acquire) != 0) {
    Received();
    return true;
  }
  if (timeout.count() <= 0) return false;
  const int64_t start = internal::MonotonicNanos();
  const internal::Deadline deadline = internal::Deadline::After(timeout);
  // Announce the waiter, then read wakes_, then look at the flag: a set() whose flag store
  // that look misses bumps wakes_ after it, so the futex wait returns at once; one that
  // came before is seen. (Waiting on sets_, bumped before the flag, lost such a set(): the
  // waiter could read the new count, miss the flag and sleep through the wake.) A set()
  // during the wait counts even if clear() followed it.
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  const uint32_t sets_seen = sets_.load(std::memory_order_seq_cst);
  bool set = false;
  for (;;) {
    const uint32_t wakes_seen = wakes_.load(std::memory_order_seq_cst);
    set = flag_.load(std::memory_order_seq_cst) != 0 ||
          sets_.load(std::memory_order_acquire) != sets_seen;
    if (set || !runtime::FutexWait(wakes_, wakes_seen, deadline)) break;
  }
  set = set || flag_.load(std::memory_order_acquire) != 0;
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  runtime::RecordContention(runtime::CurrentThread(), handle_,
                            internal::MonotonicNanos() - start, 0, 0, !set, caller_pc);
  if (set) Received();
  return set;
}

}  // namespace lockgraph

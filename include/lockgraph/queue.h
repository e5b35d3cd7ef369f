// lockgraph::Queue<T> — a FIFO queue for handing work between threads (Python's queue.Queue).
//
//   lockgraph::Queue<Job> jobs(/*maxsize=*/16);
//   worker:  for (;;) { Job job = jobs.get(); run(job); jobs.task_done(); }
//   main:    for (Job& job : batch) jobs.put(std::move(job));  jobs.join();
//
// maxsize 0 means unbounded. put() blocks while the queue is full, get() while it is empty;
// the timed and non-blocking forms return false / std::nullopt instead (where Python raises
// queue.Full / queue.Empty), and a put that fails leaves its argument untouched. join()
// blocks until task_done() was called for every item put. Calling task_done() more often
// than items were put is misuse (Python raises ValueError): reported, and ignored.
//
// The queue's internal lock is not a lock-order node. Waits in put() and get() are timed and
// counted under the queue's class; each hand-off is numbered, so a full trace can order a put
// before the get that took its item.
#ifndef LOCKGRAPH_QUEUE_H_
#define LOCKGRAPH_QUEUE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <source_location>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/internal/template_hooks.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

template <class T>
class Queue {
 public:
  explicit Queue(size_t maxsize = 0, std::string_view name = {},
                 std::source_location site = std::source_location::current())
      : maxsize_(maxsize) {
    internal::RegisterSync(handle_, kQueueKind, name, site);
  }
  ~Queue() { internal::UnregisterSync(handle_); }
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Blocks while full (block=false: never; a timeout bounds the wait). Returns false, leaving
  // `item` as it was, if the queue stayed full.
  bool put(T&& item, bool block = true, std::chrono::nanoseconds timeout = kForever) {
    return Put([&]() -> T&& { return std::move(item); }, block, timeout);
  }
  bool put(const T& item, bool block = true, std::chrono::nanoseconds timeout = kForever) {
    return Put([&]() -> const T& { return item; }, block, timeout);
  }
  bool put_nowait(T&& item) { return put(std::move(item), false); }
  bool put_nowait(const T& item) { return put(item, false); }

  // Blocks until an item is there.
  T get() { return *get(true); }
  // block=false: never blocks; a timeout bounds the wait. std::nullopt if the queue stayed
  // empty.
  std::optional<T> get(bool block, std::chrono::nanoseconds timeout = kForever) {
    internal::RawMutexLock hold(mu_);
    if (!WaitWhile([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return items_.empty(); },
                   not_empty_, block, timeout)) {
      return std::nullopt;
    }
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    internal::RecordQueueGet(handle_, ++gets_);
    not_full_.NotifyOne();
    return item;
  }
  std::optional<T> get_nowait() { return get(false); }

  // Marks one item taken by get() as processed.
  void task_done() {
    internal::RawMutexLock hold(mu_);
    if (unfinished_ == 0) {
      internal::ReportMisuse(handle_, kTaskDoneTooMany,
                             "Queue::task_done() called more times than items were put");
      return;
    }
    if (--unfinished_ == 0) all_done_.NotifyAll();
  }

  // Blocks until every item put has been marked task_done().
  void join() {
    internal::RawMutexLock hold(mu_);
    WaitWhile([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return unfinished_ != 0; }, all_done_,
              true, kForever);
  }

  size_t qsize() const {
    internal::RawMutexLock hold(mu_);
    return items_.size();
  }
  bool empty() const { return qsize() == 0; }
  bool full() const { return maxsize_ != 0 && qsize() >= maxsize_; }
  size_t maxsize() const { return maxsize_; }

 private:
  static constexpr uint8_t kQueueKind = 7;        // format::SyncKind::kQueue
  static constexpr uint8_t kTaskDoneTooMany = 6;  // format::MisuseKind::kTaskDoneTooMany

  template <class Item>
  bool Put(Item&& item, bool block, std::chrono::nanoseconds timeout) {
    internal::RawMutexLock hold(mu_);
    if (!WaitWhile(
            [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
              return maxsize_ != 0 && items_.size() >= maxsize_;
            },
            not_full_, block, timeout)) {
      return false;
    }
    items_.emplace_back(item());
    ++unfinished_;
    internal::RecordQueuePut(handle_, ++puts_);
    not_empty_.NotifyOne();
    return true;
  }

  // Waits on `cv` while blocked() holds; false if it still holds when giving up. Time spent
  // blocked is recorded as a wait on the queue.
  template <class Blocked>
  bool WaitWhile(Blocked blocked, internal::RawCondVar& cv, bool block,
                 std::chrono::nanoseconds timeout) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!blocked()) return true;
    if (!block) return false;
    const int64_t start = internal::MonotonicNanos();
    const internal::Deadline deadline = internal::Deadline::After(timeout);
    bool in_time = true;
    while (blocked() && in_time) in_time = cv.Wait(mu_, deadline);
    const bool ok = !blocked();
    internal::RecordWait(handle_, internal::MonotonicNanos() - start, !ok);
    return ok;
  }

  const size_t maxsize_;
  mutable internal::RawMutex mu_;
  internal::RawCondVar not_empty_;
  internal::RawCondVar not_full_;
  internal::RawCondVar all_done_;
  std::deque<T> items_ ABSL_GUARDED_BY(mu_);
  size_t unfinished_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t puts_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t gets_ ABSL_GUARDED_BY(mu_) = 0;
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_QUEUE_H_

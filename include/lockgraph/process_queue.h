// lockgraph::ProcessQueue<T> — a bounded FIFO queue for handing values between processes
// (Python's multiprocessing.Queue, for trivially copyable values).
//
//   lockgraph::ProcessQueue<Job> jobs(/*maxsize=*/64);     // before forking the workers
//   worker:  while (std::optional<Job> job = jobs.get()) { if (job->last) break; run(*job); }
//   parent:  for (const Job& job : batch) jobs.put(job);
//
// The items live in an anonymous MAP_SHARED mapping made by the constructor, so the queue is
// shared with the processes forked after it (lockgraph::Process, or fork()), and with no other.
// Items are copied bytewise, hence T must be trivially copyable (no pointers into one
// process's memory make sense in another anyway). put() blocks while the queue is full, get()
// while it is empty, each at most `timeout` (0: one attempt); they return false / std::nullopt
// when it runs out (where Python raises queue.Full / queue.Empty).
//
// Waits in put() and get() are timed and counted under the queue's class; in full mode each
// put is a numbered signal and each get receives the signal of the put whose item it took, so
// the trace orders a put before the get of its item, across processes (docs/processes.md).
// The queue's identity in traces is a name made by the constructor, the same in the processes
// forked after it. The queue's internal lock (a robust, process-shared pthread mutex) is not a
// lock-order node.
#ifndef LOCKGRAPH_PROCESS_QUEUE_H_
#define LOCKGRAPH_PROCESS_QUEUE_H_

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <optional>
#include <source_location>
#include <string_view>
#include <type_traits>

#include "lockgraph/internal/process_queue_core.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

template <class T>
class ProcessQueue {
  static_assert(std::is_trivially_copyable_v<T>,
                "ProcessQueue<T> copies items bytewise between processes: T must be "
                "trivially copyable");

 public:
  // A queue of at most `maxsize` items (> 0). `name` is its class (empty: this site).
  // Throws std::invalid_argument for maxsize 0 or a ring too large to map, and
  // std::system_error if the shared mapping cannot be made.
  explicit ProcessQueue(size_t maxsize = 1024, std::string_view name = {},
                        std::source_location site = std::source_location::current())
      : core_(sizeof(T), maxsize, name, site) {}
  ProcessQueue(const ProcessQueue&) = delete;
  ProcessQueue& operator=(const ProcessQueue&) = delete;

  // Waits at most `timeout` for room; false if the queue stayed full.
  bool put(const T& item, std::chrono::nanoseconds timeout = kForever) {
    return core_.Put(&item, timeout);
  }
  // Waits at most `timeout` for an item; std::nullopt if the queue stayed empty.
  std::optional<T> get(std::chrono::nanoseconds timeout = kForever) {
    std::array<std::byte, sizeof(T)> bytes;
    if (!core_.Get(bytes.data(), timeout)) return std::nullopt;
    return std::bit_cast<T>(bytes);
  }

  // Snapshots: another process may put or get at any moment.
  size_t qsize() const { return core_.Size(); }
  bool empty() const { return qsize() == 0; }
  bool full() const { return qsize() >= maxsize(); }
  size_t maxsize() const { return core_.capacity(); }

 private:
  internal::ProcessQueueCore core_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_PROCESS_QUEUE_H_

// Not part of the API: the untyped core of ProcessQueue<T> (a template, compiled into the
// user's program), so that its shared memory, its pthread calls and its recording live in the
// runtime.
#ifndef LOCKGRAPH_INTERNAL_PROCESS_QUEUE_CORE_H_
#define LOCKGRAPH_INTERNAL_PROCESS_QUEUE_CORE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include "lockgraph/internal/sync_handle.h"

namespace lockgraph::internal {

struct ProcessQueueShared;  // the shared mapping (runtime/primitives/process_queue.cc)

// A bounded FIFO of `capacity` items of `item_size` bytes, copied in and out with memcpy, in
// an anonymous MAP_SHARED mapping: shared with the processes forked after it was made.
// Thread- and process-safe.
class ProcessQueueCore {
 public:
  // Throws std::invalid_argument if capacity is 0 or the ring would not fit in memory, and
  // std::system_error if the mapping cannot be made.
  ProcessQueueCore(size_t item_size, size_t capacity, std::string_view name,
                   const std::source_location& site);
  ~ProcessQueueCore();
  ProcessQueueCore(const ProcessQueueCore&) = delete;
  ProcessQueueCore& operator=(const ProcessQueueCore&) = delete;

  // Copies `item` in, waiting at most `timeout` for room; false if the queue stayed full.
  bool Put(const void* item, std::chrono::nanoseconds timeout);
  // Copies the oldest item out to `item`, waiting at most `timeout` for one; false if the
  // queue stayed empty.
  bool Get(void* item, std::chrono::nanoseconds timeout);
  size_t Size() const;
  size_t capacity() const { return capacity_; }
  // "pq:<creator pid>:<n>:<creation time>": names the queue in every process's trace.
  const std::string& global_name() const { return global_name_; }

 private:
  const size_t item_size_;
  const size_t capacity_;
  size_t bytes_ = 0;
  ProcessQueueShared* shared_ = nullptr;
  std::string global_name_;
  SyncHandle handle_;
};

}  // namespace lockgraph::internal

#endif  // LOCKGRAPH_INTERNAL_PROCESS_QUEUE_CORE_H_

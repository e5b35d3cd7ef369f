#include "analyzer/input/trace_prefetcher.h"

#include <sys/stat.h>

#include <utility>

namespace lockgraph::analyzer {

TracePrefetcher::TracePrefetcher(std::vector<std::string> paths, uint64_t max_file_bytes,
                                 size_t ahead)
    : paths_(std::move(paths)),
      max_file_bytes_(max_file_bytes),
      ahead_(ahead),
      thread_([this] { Run(); }) {}

TracePrefetcher::~TracePrefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  room_.notify_one();
  thread_.join();
}

void TracePrefetcher::Run() {
  struct Done {  // however Run returns
    TracePrefetcher& self;
    ~Done() {
      {
        std::lock_guard<std::mutex> lock(self.mutex_);
        self.done_ = true;
      }
      self.ready_.notify_one();
    }
  } done{*this};
  for (const std::string& path : paths_) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      room_.wait(lock, [&] { return stop_ || parsed_.size() < ahead_; });
      if (stop_) return;
    }
    std::optional<absl::StatusOr<DecodedTrace>> next;
    struct stat st;
    // A directory, or a file that cannot be looked at, is the caller's too: its reader
    // names the error.
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<uint64_t>(st.st_size) <= max_file_bytes_) {
      next = DecodeTraceFile(path);
    }
    const bool failed = next && !next->ok();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      parsed_.push_back(std::move(next));
    }
    ready_.notify_one();
    if (failed) return;  // the caller stops there
  }
}

std::optional<absl::StatusOr<DecodedTrace>> TracePrefetcher::Next() {
  std::optional<absl::StatusOr<DecodedTrace>> next;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !parsed_.empty() || done_; });
    if (parsed_.empty()) {
      return absl::FailedPreconditionError("no trace file left to read (after the last, or "
                                           "after an error)");
    }
    next = std::move(parsed_.front());
    parsed_.pop_front();
  }
  room_.notify_one();
  return next;
}

}  // namespace lockgraph::analyzer

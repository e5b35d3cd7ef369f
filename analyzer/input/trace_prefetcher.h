// Parses trace files ahead of their use, on a thread of its own, in order: on two cores,
// parsing the next file (about 40% of reading a CI run's thousand traces) overlaps filing and
// judging the one before.
//
//   TracePrefetcher prefetcher(files);
//   for (const std::string& file : files) {
//     RETURN_IF_ERROR(model.AddPrefetchedTrace(prefetcher, file));
//   }
//
// A file larger than `max_file_bytes` is left to the caller, whose model streams it through a
// small buffer: decoded, a dependency record takes about five times its bytes in the file, and
// up to `ahead` decoded files wait, plus the one being parsed and the one being filed. At the
// default 4 MiB that is at most about 80 MiB; a CI suite's traces are far smaller. After an
// error it parses no further. The result is the same as reading the files in turn: the same
// records, the same errors and warnings, in the same order.
#ifndef LOCKGRAPH_ANALYZER_INPUT_TRACE_PREFETCHER_H_
#define LOCKGRAPH_ANALYZER_INPUT_TRACE_PREFETCHER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzer/input/decoded_trace.h"

namespace lockgraph::analyzer {

class TracePrefetcher {
 public:
  static constexpr uint64_t kMaxFileBytes = 4 << 20;

  explicit TracePrefetcher(std::vector<std::string> paths,
                           uint64_t max_file_bytes = kMaxFileBytes, size_t ahead = 2);
  // Stops parsing; waits for the file being parsed.
  ~TracePrefetcher();
  TracePrefetcher(const TracePrefetcher&) = delete;
  TracePrefetcher& operator=(const TracePrefetcher&) = delete;

  // The next file, parsed, or its error; nullopt if it is the caller's to read (too large,
  // or it could not be looked at: reading it gives the error). Once per path, up to the first
  // error: a call after those is an error.
  std::optional<absl::StatusOr<DecodedTrace>> Next();

 private:
  void Run();

  const std::vector<std::string> paths_;
  const uint64_t max_file_bytes_;
  const size_t ahead_;
  std::mutex mutex_;
  std::condition_variable ready_;  // a file was parsed, or done_
  std::condition_variable room_;   // a parsed file was taken, or stop_
  std::deque<std::optional<absl::StatusOr<DecodedTrace>>> parsed_;  // guarded by mutex_
  bool stop_ = false;                                               // guarded by mutex_
  bool done_ = false;  // Run has returned; guarded by mutex_
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_TRACE_PREFETCHER_H_

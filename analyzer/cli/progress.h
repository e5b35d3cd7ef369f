// One line of progress on stderr while `lockgraph` reads large inputs: only when stderr is a
// terminal (a log or a CI job stays clean), only once the work has taken half a second (small
// inputs never flicker), at most ten updates a second (and each step's end), erased when done.
//
//   Progress progress;
//   model.AddTraceFile(file, progress.Reporter("reading " + file,
//                                               [&] { return model.record_count(); }));
//   progress.Clear();
//
// LOCKGRAPH_PROGRESS_DELAY_MS overrides the half second (tests use 0).
#ifndef LOCKGRAPH_ANALYZER_CLI_PROGRESS_H_
#define LOCKGRAPH_ANALYZER_CLI_PROGRESS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/time.h"
#include "analyzer/input/trace_reader.h"

namespace lockgraph::analyzer {

class Progress {
 public:
  Progress();
  ~Progress() { Clear(); }

  // A ReadProgress that shows "lockgraph: LABEL: N% of SIZE", and with `records` (how many
  // records have been read so far) ", R records/s" since the progress began.
  ReadProgress Reporter(std::string label, std::function<uint64_t()> records = {});
  void Clear();

 private:
  void Show(const std::string& label, uint64_t done, uint64_t total, uint64_t records);

  bool enabled_ = false;
  bool shown_ = false;
  absl::Time start_;
  absl::Time last_;
  absl::Duration delay_ = absl::Milliseconds(500);
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_CLI_PROGRESS_H_

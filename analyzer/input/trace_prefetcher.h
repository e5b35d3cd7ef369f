// Parses trace files ahead of their use, on a thread of its own, in order: on two cores,
// parsing overlaps filing and judging what was parsed before. A CI run's thousand small
// traces come a file at a time, each parsed while the one before is filed; a large file comes
// in pieces, each parsed while the one before is filed.
//
//   TracePrefetcher prefetcher(files);
//   for (const std::string& file : files) {
//     RETURN_IF_ERROR(model.AddPrefetchedTrace(prefetcher, file));
//   }
//
// A piece holds up to `piece_records` records or kPieceBytes of the file, whichever comes
// first; up to `ahead` pieces wait, plus the one being parsed and the one being filed. At the
// defaults that is some 6 MiB decoded at most: a dependency record takes about five times its
// bytes in the file. (Pieces of 1 MiB were no faster on the 10^6-record benchmark and took
// 23 MiB more at its peak.) Pieces given back once filed (Recycle) are parsed into again, so
// that memory is allocated once, not per piece. After an error it parses no further. The
// result is the same as reading the files in turn: the same records, the same errors and
// warnings, in the same order.
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
#include "analyzer/input/trace_reader.h"

namespace lockgraph::analyzer {

class TracePrefetcher {
 public:
  static constexpr size_t kPieceRecords = 1 << 14;
  static constexpr uint64_t kPieceBytes = 1 << 18;

  // Records of one file, in file order, following those of its pieces before.
  struct Piece {
    DecodedRecords records;
    uint64_t bytes_done = 0;   // of the file, up to the end of this piece
    uint64_t file_bytes = 0;   // the file's size
    // On the file's last piece, which is its only one if the file is small: the trace (its
    // definition tables and warnings; `Trace::records` is empty), or the file's error, which
    // comes after the records before it.
    std::optional<absl::StatusOr<Trace>> end;
  };

  explicit TracePrefetcher(std::vector<std::string> paths, size_t piece_records = kPieceRecords,
                           size_t ahead = 2);
  // Stops parsing; waits for the thread, which reads to the end of the file it is in
  // without keeping it.
  ~TracePrefetcher();
  TracePrefetcher(const TracePrefetcher&) = delete;
  TracePrefetcher& operator=(const TracePrefetcher&) = delete;

  // The next piece; nullopt if the next file is the caller's to read (a directory, or a
  // path that cannot be looked at: reading it gives the error). Called past the last file,
  // or past an error: a piece whose `end` is an error.
  std::optional<Piece> Next();
  // Gives back the records of a piece once they are filed: a piece parsed later reuses
  // their memory, where a new one would be allocated, and zeroed by the kernel, each time.
  void Recycle(DecodedRecords records);

 private:
  // Records to parse into: given back ones if there are, emptied, else new ones sized like
  // `like`.
  DecodedRecords Fresh(const DecodedRecords& like);
  void Run();
  // With `lock` on mutex_, waits until fewer than `ahead_` pieces wait; false if stopped.
  bool WaitForRoom(std::unique_lock<std::mutex>& lock);
  // Waits for room, then queues `piece`; false if stopped meanwhile.
  bool HandOver(std::optional<Piece> piece);

  const std::vector<std::string> paths_;
  const size_t piece_records_;
  const size_t ahead_;
  std::mutex mutex_;
  std::condition_variable ready_;  // a piece was parsed, or done_
  std::condition_variable room_;   // a parsed piece was taken, or stop_
  std::deque<std::optional<Piece>> parsed_;  // guarded by mutex_
  bool stop_ = false;                        // guarded by mutex_
  bool done_ = false;  // Run has returned; guarded by mutex_
  std::vector<DecodedRecords> spare_;  // given back; guarded by mutex_
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_TRACE_PREFETCHER_H_

#include "analyzer/input/trace_prefetcher.h"

#include <sys/stat.h>

#include <utility>

namespace lockgraph::analyzer {

TracePrefetcher::TracePrefetcher(std::vector<std::string> paths, size_t piece_records,
                                 size_t ahead)
    : paths_(std::move(paths)),
      piece_records_(piece_records),
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

bool TracePrefetcher::WaitForRoom(std::unique_lock<std::mutex>& lock) {
  room_.wait(lock, [&] { return stop_ || parsed_.size() < ahead_; });
  return !stop_;
}

bool TracePrefetcher::HandOver(std::optional<Piece> piece) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!WaitForRoom(lock)) return false;
    parsed_.push_back(std::move(piece));
  }
  ready_.notify_one();
  return true;
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
    {  // a file is begun only once there is room for it
      std::unique_lock<std::mutex> lock(mutex_);
      if (!WaitForRoom(lock)) return;
    }
    struct stat st;
    // A directory, or a file that cannot be looked at, is the caller's: its reader names
    // the error.
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      if (!HandOver(std::nullopt)) return;
      continue;
    }
    const uint64_t file_bytes = static_cast<uint64_t>(st.st_size);
    Piece piece;
    piece.records = Fresh(DecodedRecords());  // a new file: nothing to size it like
    piece.file_bytes = file_bytes;
    uint64_t piece_start = 0;  // the byte the piece begins at
    bool stopped = false;
    // Whether the record at `offset` goes into the piece: a full piece is handed over first.
    auto room = [&](uint64_t offset) {
      if (stopped) return false;
      if (piece.records.size() >= piece_records_ || offset - piece_start >= kPieceBytes) {
        piece.bytes_done = offset;
        piece_start = offset;
        Piece next;
        next.records = Fresh(piece.records);
        next.file_bytes = file_bytes;
        stopped = !HandOver(std::exchange(piece, std::move(next)));
      }
      return !stopped;
    };
    absl::StatusOr<Trace> trace = ReadTraceFile(
        path,
        [&](const Trace&, const TraceRecord& r) {
          if (room(r.offset)) piece.records.Add(r.record);
        },
        {},
        {.keep_instances = false,  // for a Model, which makes each lock at its record
         .dependencies_into = [&](uint64_t offset) -> DecodedRecords* {
           return room(offset) ? &piece.records : nullptr;
         },
         .dependency_counts =
             [&](const Trace&, uint64_t offset, const format::DependencyCountRecord& r,
                 uint32_t dependency) {
               if (room(offset)) piece.records.AddCount(r, dependency);
             }});
    if (stopped) return;
    const bool failed = !trace.ok();
    piece.bytes_done = file_bytes;
    piece.end = std::move(trace);
    if (!HandOver(std::move(piece)) || failed) return;  // after an error, the caller stops
  }
}

void TracePrefetcher::Recycle(DecodedRecords records) {
  std::lock_guard<std::mutex> lock(mutex_);
  // As many as can be in use at once: the waiting pieces, the one parsed, the one filed.
  if (spare_.size() < ahead_ + 2) spare_.push_back(std::move(records));
}

DecodedRecords TracePrefetcher::Fresh(const DecodedRecords& like) {
  DecodedRecords records;
  bool spare = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!spare_.empty()) {
      records = std::move(spare_.back());
      spare_.pop_back();
      spare = true;
    }
  }
  if (spare) {
    records.Clear();  // outside the lock: it frees what the records own
  } else {
    records.ReserveLike(like);
  }
  return records;
}

std::optional<TracePrefetcher::Piece> TracePrefetcher::Next() {
  std::optional<Piece> next;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !parsed_.empty() || done_; });
    if (parsed_.empty()) {
      Piece past;
      past.end = absl::FailedPreconditionError(
          "no trace file left to read (after the last, or after an error)");
      return past;
    }
    next = std::move(parsed_.front());
    parsed_.pop_front();
  }
  room_.notify_one();
  return next;
}

}  // namespace lockgraph::analyzer

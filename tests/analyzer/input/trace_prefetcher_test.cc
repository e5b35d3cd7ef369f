// TracePrefetcher hands over the files in order, a small file whole and a large one in pieces;
// leaves what cannot be looked at to the caller; stops after an error; and can be dropped
// before the last file. Also run under ThreadSanitizer (scripts/sanitize.sh).
#include "analyzer/input/trace_prefetcher.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/trace_records.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::Trace;
using ::lockgraph::analyzer::TracePrefetcher;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::HasSubstr;
namespace format = ::lockgraph::format;

// Trace `n` of a set: process n, with n dependencies.
std::string WriteTrace(const TempDir& dir, uint64_t n) {
  TraceBuilder t(n);
  t.Thread(1, "main");
  t.Lock(1, "a");
  t.Lock(2, "b");
  for (uint64_t i = 0; i < n; ++i) t.Dependency(1, 0, {1}, 2);
  return t.WriteTo(dir.path(), "t" + std::to_string(n) + ".lgtrace");
}

std::vector<std::string> WriteTraces(const TempDir& dir, uint64_t count) {
  std::vector<std::string> paths;
  for (uint64_t n = 1; n <= count; ++n) paths.push_back(WriteTrace(dir, n));
  return paths;
}

// The dependency ids of a piece, in order.
std::vector<uint64_t> DependencyIds(const TracePrefetcher::Piece& piece) {
  std::vector<uint64_t> ids;
  piece.records.ForEach([&](const format::DependencyHead& r, auto) { ids.push_back(r.id); },
                        [](const lockgraph::analyzer::DependencyCount&) {},
                        [](const format::Record&) {});
  return ids;
}

// The pieces of the next file, taken up to its last.
struct FileInPieces {
  size_t pieces = 0;
  size_t most_records = 0;              // in one piece
  std::vector<uint64_t> bytes_done;     // by piece
  std::vector<uint64_t> dependency_ids;
  TracePrefetcher::Piece last;          // its `end` is set, unless a piece was missing
};

FileInPieces NextFile(TracePrefetcher& prefetcher) {
  FileInPieces file;
  while (true) {
    std::optional<TracePrefetcher::Piece> piece = prefetcher.Next();
    if (!piece) {
      ADD_FAILURE() << "a piece left to the caller";
      return file;
    }
    ++file.pieces;
    file.most_records = std::max(file.most_records, piece->records.size());
    file.bytes_done.push_back(piece->bytes_done);
    for (uint64_t id : DependencyIds(*piece)) file.dependency_ids.push_back(id);
    if (piece->end) {
      file.last = *std::move(piece);
      return file;
    }
  }
}

TEST(TracePrefetcher, GivesEveryFileInOrder) {
  TempDir dir;
  const std::vector<std::string> paths = WriteTraces(dir, 20);
  TracePrefetcher prefetcher(paths);
  for (uint64_t n = 1; n <= paths.size(); ++n) {
    std::optional<TracePrefetcher::Piece> piece = prefetcher.Next();
    ASSERT_TRUE(piece.has_value()) << n;
    ASSERT_TRUE(piece->end.has_value()) << "a small file comes whole";
    ASSERT_TRUE(piece->end->ok()) << piece->end->status();
    const Trace& trace = **piece->end;
    EXPECT_EQ(trace.path, paths[n - 1]);
    EXPECT_EQ(trace.process.pid, n);
    EXPECT_EQ(trace.classes.size(), 2u);
    // A Model makes each lock at its instance record: the reader keeps no table of them.
    EXPECT_TRUE(trace.instances.empty());
    EXPECT_EQ(piece->bytes_done, piece->file_bytes);
    // The process, thread, two locks' class and instance records, and n dependencies.
    EXPECT_EQ(DependencyIds(*piece).size(), n);
  }
  const std::optional<TracePrefetcher::Piece> past = prefetcher.Next();
  ASSERT_TRUE(past.has_value() && past->end.has_value());
  EXPECT_THAT(past->end->status().message(), HasSubstr("no trace file left"));
}

TEST(TracePrefetcher, GivesALargeFileInPieces) {
  TempDir dir;
  const std::vector<std::string> paths = {WriteTrace(dir, 50), WriteTrace(dir, 2)};
  TracePrefetcher prefetcher(paths, /*piece_records=*/8);
  const FileInPieces large = NextFile(prefetcher);
  ASSERT_TRUE(large.last.end.has_value());
  ASSERT_TRUE(large.last.end->ok()) << large.last.end->status();
  // 56 records (process, string, thread, two classes, two instances... 50 dependencies).
  EXPECT_GE(large.pieces, 7u);
  EXPECT_LE(large.most_records, 8u);
  EXPECT_TRUE(std::is_sorted(large.bytes_done.begin(), large.bytes_done.end(),
                             std::less_equal<uint64_t>()))
      << "each piece ends past the one before";
  EXPECT_GT(large.bytes_done.front(), 0u);
  EXPECT_EQ(large.bytes_done.back(), large.last.file_bytes);
  EXPECT_EQ((*large.last.end)->path, paths[0]);
  EXPECT_EQ((*large.last.end)->classes.size(), 2u) << "the tables of the whole file";
  EXPECT_TRUE((*large.last.end)->instances.empty());
  std::vector<uint64_t> expected;
  for (uint64_t id = 1; id <= 50; ++id) expected.push_back(id);
  EXPECT_EQ(large.dependency_ids, expected);
  const FileInPieces next = NextFile(prefetcher);  // in pieces too
  ASSERT_TRUE(next.last.end.has_value());
  ASSERT_TRUE(next.last.end->ok()) << next.last.end->status();
  EXPECT_EQ((*next.last.end)->path, paths[1]);
}

// Pieces given back once read are parsed into again: each then holds its own records only,
// whether of the same file or the next, of a large file or of small ones.
TEST(TracePrefetcher, PiecesParsedIntoRecordsGivenBackHoldOnlyTheirOwn) {
  TempDir dir;
  const std::vector<uint64_t> sizes = {50, 3, 40, 1};  // dependencies of each file
  std::vector<std::string> paths;
  for (uint64_t n : sizes) paths.push_back(WriteTrace(dir, n));
  TracePrefetcher prefetcher(paths, /*piece_records=*/8);
  for (size_t f = 0; f < paths.size(); ++f) {
    std::vector<uint64_t> ids;
    size_t pieces = 0;
    bool last = false;
    while (!last) {
      std::optional<TracePrefetcher::Piece> piece = prefetcher.Next();
      ASSERT_TRUE(piece.has_value());
      ++pieces;
      for (uint64_t id : DependencyIds(*piece)) ids.push_back(id);
      last = piece->end.has_value();
      if (last) {
        ASSERT_TRUE(piece->end->ok()) << piece->end->status();
        EXPECT_EQ((*piece->end)->path, paths[f]);
      }
      prefetcher.Recycle(std::move(piece->records));
    }
    std::vector<uint64_t> expected;
    for (uint64_t id = 1; id <= sizes[f]; ++id) expected.push_back(id);
    EXPECT_EQ(ids, expected) << paths[f];
    EXPECT_GE(pieces, sizes[f] / 8) << paths[f];
  }
}

TEST(TracePrefetcher, LeavesDirectoriesToTheCaller) {
  TempDir dir;
  const std::string small = WriteTrace(dir, 1);
  TracePrefetcher prefetcher({small, dir.path(), dir.path() + "/missing.lgtrace", small});
  std::optional<TracePrefetcher::Piece> piece = prefetcher.Next();
  ASSERT_TRUE(piece.has_value() && piece->end.has_value() && piece->end->ok());
  EXPECT_FALSE(prefetcher.Next().has_value()) << "the directory";
  EXPECT_FALSE(prefetcher.Next().has_value()) << "the missing file";
  piece = prefetcher.Next();
  ASSERT_TRUE(piece.has_value() && piece->end.has_value() && piece->end->ok());
  EXPECT_EQ((*piece->end)->path, small);
}

TEST(TracePrefetcher, StopsAfterAnError) {
  TempDir dir;
  std::vector<std::string> paths = WriteTraces(dir, 4);
  TraceBuilder bad;
  // A dependency on lock 42, which the trace does not define.
  bad.Add(format::DependencyRecord{.id = 1, .tid = 1, .acquired = 42, .held = {}});
  paths[1] = bad.WriteTo(dir.path(), "bad.lgtrace");
  TracePrefetcher prefetcher(paths);
  std::optional<TracePrefetcher::Piece> piece = prefetcher.Next();
  ASSERT_TRUE(piece.has_value() && piece->end.has_value());
  EXPECT_TRUE(piece->end->ok()) << piece->end->status();
  piece = prefetcher.Next();
  ASSERT_TRUE(piece.has_value() && piece->end.has_value());
  EXPECT_THAT(piece->end->status().message(), HasSubstr("bad.lgtrace: byte "));
  piece = prefetcher.Next();  // does not wait for the files after the error
  ASSERT_TRUE(piece.has_value() && piece->end.has_value());
  EXPECT_THAT(piece->end->status().message(), HasSubstr("no trace file left"));
}

TEST(TracePrefetcher, GivesTheRecordsBeforeAnErrorInALargeFile) {
  TempDir dir;
  TraceBuilder t(1);
  t.Thread(1, "main");
  t.Lock(1, "a");
  t.Lock(2, "b");
  for (int i = 0; i < 20; ++i) t.Dependency(1, 0, {1}, 2);
  t.Add(format::DependencyRecord{.id = 99, .tid = 1, .acquired = 42, .held = {}});
  TracePrefetcher prefetcher({t.WriteTo(dir.path(), "bad.lgtrace")}, /*piece_records=*/4);
  const FileInPieces file = NextFile(prefetcher);
  EXPECT_GT(file.pieces, 1u);
  EXPECT_EQ(file.dependency_ids.size(), 20u);
  ASSERT_TRUE(file.last.end.has_value());
  EXPECT_THAT(file.last.end->status().message(), HasSubstr("(dependency)"));
}

TEST(TracePrefetcher, GivesAFileCutShortInPiecesWithItsWarning) {
  TempDir dir;
  const std::string path = WriteTrace(dir, 30);
  std::string bytes = lockgraph::testing::ReadFile(path);
  bytes.resize(bytes.size() - 3);  // inside the last dependency record
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  TracePrefetcher prefetcher({path}, /*piece_records=*/4);
  const FileInPieces file = NextFile(prefetcher);
  EXPECT_GT(file.pieces, 1u);
  ASSERT_TRUE(file.last.end.has_value());
  ASSERT_TRUE(file.last.end->ok()) << file.last.end->status();
  EXPECT_EQ(file.dependency_ids.size(), 29u) << "every whole record";
  ASSERT_EQ((*file.last.end)->warnings.size(), 1u);
  EXPECT_THAT((*file.last.end)->warnings[0], HasSubstr("ends inside a record"));
}

TEST(TracePrefetcher, CanBeDroppedBeforeTheLastFileOrPiece) {
  TempDir dir;
  const std::vector<std::string> paths = WriteTraces(dir, 30);
  for (size_t piece_records : {TracePrefetcher::kPieceRecords, size_t{2}}) {
    for (int taken = 0; taken <= 3; ++taken) {
      TracePrefetcher prefetcher(paths, piece_records, /*ahead=*/1);
      for (int i = 0; i < taken; ++i) EXPECT_TRUE(prefetcher.Next().has_value());
    }  // each joins its thread, which was waiting for room or parsing
  }
}

}  // namespace

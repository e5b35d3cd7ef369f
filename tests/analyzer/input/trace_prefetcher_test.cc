// TracePrefetcher hands over the files in order, parsed as DecodeTraceFile parses them; leaves
// large files, and what cannot be looked at, to the caller; stops after an error; and can be
// dropped before the last file. Also run under ThreadSanitizer (scripts/sanitize.sh).
#include "analyzer/input/trace_prefetcher.h"

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

using ::lockgraph::analyzer::DecodedTrace;
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

TEST(TracePrefetcher, GivesEveryFileInOrder) {
  TempDir dir;
  const std::vector<std::string> paths = WriteTraces(dir, 20);
  TracePrefetcher prefetcher(paths);
  for (uint64_t n = 1; n <= paths.size(); ++n) {
    std::optional<absl::StatusOr<DecodedTrace>> next = prefetcher.Next();
    ASSERT_TRUE(next.has_value()) << n;
    ASSERT_TRUE(next->ok()) << next->status();
    const DecodedTrace& decoded = **next;
    EXPECT_EQ(decoded.trace.path, paths[n - 1]);
    EXPECT_EQ(decoded.trace.process.pid, n);
    // The process, thread, two locks' class and instance records, and n dependencies.
    size_t dependencies = 0;
    decoded.records.ForEach([&](const auto&, auto) { ++dependencies; },
                            [](const format::DependencyCountRecord&) {},
                            [](const format::Record&) {});
    EXPECT_EQ(dependencies, n);
  }
  const std::optional<absl::StatusOr<DecodedTrace>> past = prefetcher.Next();
  ASSERT_TRUE(past.has_value());
  EXPECT_THAT(past->status().message(), HasSubstr("no trace file left"));
}

TEST(TracePrefetcher, LeavesLargeFilesAndDirectoriesToTheCaller) {
  TempDir dir;
  const std::string small = WriteTrace(dir, 1);
  const std::string large = WriteTrace(dir, 50);
  TracePrefetcher prefetcher({small, large, dir.path(), small}, /*max_file_bytes=*/400);
  std::optional<absl::StatusOr<DecodedTrace>> next = prefetcher.Next();
  ASSERT_TRUE(next.has_value() && next->ok());
  EXPECT_EQ((*next)->trace.path, small);
  EXPECT_FALSE(prefetcher.Next().has_value()) << "the large file";
  EXPECT_FALSE(prefetcher.Next().has_value()) << "the directory";
  next = prefetcher.Next();
  ASSERT_TRUE(next.has_value() && next->ok());
  EXPECT_EQ((*next)->trace.path, small);
}

TEST(TracePrefetcher, StopsAfterAnError) {
  TempDir dir;
  std::vector<std::string> paths = WriteTraces(dir, 4);
  TraceBuilder bad;
  // A dependency on lock 42, which the trace does not define.
  bad.Add(format::DependencyRecord{.id = 1, .tid = 1, .acquired = 42, .held = {}});
  paths[1] = bad.WriteTo(dir.path(), "bad.lgtrace");
  TracePrefetcher prefetcher(paths);
  std::optional<absl::StatusOr<DecodedTrace>> next = prefetcher.Next();
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(next->ok()) << next->status();
  next = prefetcher.Next();
  ASSERT_TRUE(next.has_value());
  EXPECT_THAT(next->status().message(), HasSubstr("bad.lgtrace: byte "));
  next = prefetcher.Next();  // does not wait for the files after the error
  ASSERT_TRUE(next.has_value());
  EXPECT_THAT(next->status().message(), HasSubstr("no trace file left"));
}

TEST(TracePrefetcher, CanBeDroppedBeforeTheLastFile) {
  TempDir dir;
  const std::vector<std::string> paths = WriteTraces(dir, 30);
  for (int taken = 0; taken <= 3; ++taken) {
    TracePrefetcher prefetcher(paths, TracePrefetcher::kMaxFileBytes, /*ahead=*/1);
    for (int i = 0; i < taken; ++i) EXPECT_TRUE(prefetcher.Next().has_value());
  }  // each joins its thread, which was waiting for room or parsing
}

}  // namespace

// ReadTraceFile streams a file through a 1 MiB buffer: records that straddle its chunks, and
// records larger than a chunk, read as ParseTrace reads the whole file at once.
#include "analyzer/input/trace_reader.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "common/trace_records.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::ParseTrace;
using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::analyzer::TraceRecord;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::SizeIs;
namespace format = ::lockgraph::format;

// A trace of about 3.5 MiB: many small string records, one of 1.5 MiB, many more small ones.
std::string ManyRecords() {
  std::string bytes;
  format::EncodeHeader(bytes);
  format::EncodeRecord(format::ProcessRecord{.pid = 7}, bytes);
  uint64_t id = 1;
  for (int i = 0; i < 100000; ++i) {
    format::EncodeRecord(format::StringRecord{.id = id++, .text = "string " + std::to_string(i)},
                         bytes);
  }
  format::EncodeRecord(format::StringRecord{.id = id++, .text = std::string(3 << 19, 'x')}, bytes);
  for (int i = 0; i < 50000; ++i) {
    format::EncodeRecord(format::StringRecord{.id = id++, .text = "more " + std::to_string(i)},
                         bytes);
  }
  return bytes;
}

std::string WriteTrace(const TempDir& dir, const std::string& bytes) {
  const std::string path = dir.path() + "/t.lgtrace";
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::vector<uint64_t> Offsets(const Trace& trace) {
  std::vector<uint64_t> offsets;
  for (const TraceRecord& r : trace.records) offsets.push_back(r.offset);
  return offsets;
}

TEST(TraceReader, FileReadsAsTheWholeBytesParse) {
  TempDir dir;
  const std::string bytes = ManyRecords();
  ASSERT_GT(bytes.size(), 3u << 20);
  const absl::StatusOr<Trace> whole = ParseTrace(bytes, "t");
  const absl::StatusOr<Trace> read = ReadTraceFile(WriteTrace(dir, bytes));
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->records, SizeIs(150002));
  EXPECT_THAT(Offsets(*read), ElementsAreArray(Offsets(*whole)));
  EXPECT_EQ(read->strings.at(100001), std::string(3 << 19, 'x'));
  EXPECT_TRUE(read->warnings.empty());
}

TEST(TraceReader, StreamedFileVisitsEveryRecord) {
  TempDir dir;
  const std::string path = WriteTrace(dir, ManyRecords());
  uint64_t visited = 0;
  const absl::StatusOr<Trace> read =
      ReadTraceFile(path, [&](const Trace&, const TraceRecord&) { ++visited; });
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(visited, 150002u);
  EXPECT_TRUE(read->records.empty());
}

TEST(TraceReader, FileCutInsideALargeRecordWarnsAtItsStart) {
  TempDir dir;
  const std::string bytes = ManyRecords();
  const absl::StatusOr<Trace> whole = ParseTrace(bytes, "t");
  ASSERT_TRUE(whole.ok()) << whole.status();
  const uint64_t large = whole->records[100001].offset;  // the 1.5 MiB string
  const std::string path = WriteTrace(dir, bytes.substr(0, large + (1 << 20)));
  const absl::StatusOr<Trace> read = ReadTraceFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->records, SizeIs(100001));
  ASSERT_THAT(read->warnings, SizeIs(1));
  EXPECT_THAT(read->warnings[0],
              HasSubstr("ends inside a record at byte " + std::to_string(large)));
}

// A trace of one lock instance (class 1, instance 1) and a dependency on instance `acquired`.
std::string OneLock(uint64_t acquired) {
  std::string bytes;
  format::EncodeHeader(bytes);
  format::EncodeRecord(format::ProcessRecord{.pid = 7}, bytes);
  format::EncodeRecord(format::StringRecord{.id = 1, .text = "a"}, bytes);
  format::EncodeRecord(format::ClassRecord{.id = 1, .name_sid = 1}, bytes);
  format::EncodeRecord(format::InstanceRecord{.id = 1, .class_id = 1}, bytes);
  format::EncodeRecord(format::DependencyRecord{.id = 1, .tid = 1, .acquired = acquired}, bytes);
  return bytes;
}

TEST(TraceReader, WithoutKeepingInstancesPassesAndChecksThemAlike) {
  const lockgraph::analyzer::ReadOptions without = {.keep_instances = false};
  std::vector<format::RecordType> kept_types, visited_types;
  const absl::StatusOr<Trace> kept = ParseTrace(
      OneLock(1), "t", [&](const Trace&, const TraceRecord& r) {
        kept_types.push_back(format::TypeOf(r.record));
      });
  const absl::StatusOr<Trace> read = ParseTrace(
      OneLock(1), "t",
      [&](const Trace&, const TraceRecord& r) {
        visited_types.push_back(format::TypeOf(r.record));
      },
      {}, without);
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(kept->instances, SizeIs(1));
  EXPECT_THAT(read->instances, SizeIs(0));
  EXPECT_THAT(read->classes, SizeIs(1));
  EXPECT_EQ(visited_types, kept_types) << "the instance record is still visited";
  // A dependency on an instance never defined is an error either way.
  const absl::StatusOr<Trace> undefined = ParseTrace(OneLock(2), "t", {}, {}, without);
  ASSERT_FALSE(undefined.ok());
  EXPECT_THAT(undefined.status().message(), HasSubstr("undefined lock instance 2"));
  // And so is an instance defined twice.
  std::string twice = OneLock(1);
  format::EncodeRecord(format::InstanceRecord{.id = 1, .class_id = 1}, twice);
  const absl::StatusOr<Trace> again = ParseTrace(twice, "t", {}, {}, without);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr("defines lock instance 1 again"));
}

}  // namespace

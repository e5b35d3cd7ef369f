// ReadTraceFile streams a file through a 1 MiB buffer: records that straddle its chunks, and
// records larger than a chunk, read as ParseTrace reads the whole file at once.
#include "analyzer/input/trace_reader.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
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
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Pair;
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


// Every record, in file order, as a visitor sees it: its offset and its encoding.
using Seen = std::vector<std::pair<uint64_t, std::string>>;

std::string Encoded(const format::Record& record) {
  std::string bytes;
  format::EncodeRecord(record, bytes);
  return bytes;
}

// Parses `bytes` three times: every record to the visitor; then the dependency records to a
// visitor of their own; then those and the dependency count records each to their own. The
// same records in the same order, and the same result. Whether the bytes parse.
bool ExpectDependenciesApartReadAlike(const std::string& bytes) {
  Seen together;
  const absl::StatusOr<Trace> one = ParseTrace(
      bytes, "t",
      [&](const Trace&, const TraceRecord& r) {
        together.emplace_back(r.offset, Encoded(r.record));
      },
      {}, {.keep_instances = false});
  for (const bool counts_apart : {false, true}) {
    Seen apart;
    std::vector<uint64_t> dependency_ids;  // by place in the file
    lockgraph::analyzer::ReadOptions options = {
        .keep_instances = false,
        .dependencies = [&](const Trace&, uint64_t offset,
                            const format::DependencyRecord& r) {
          apart.emplace_back(offset, Encoded(r));
          dependency_ids.push_back(r.id);
        }};
    if (counts_apart) {
      // Each with the place of its dependency among those before it.
      options.dependency_counts = [&](const Trace&, uint64_t offset,
                                      const format::DependencyCountRecord& r,
                                      uint32_t dependency) {
        apart.emplace_back(offset, Encoded(r));
        ASSERT_LT(dependency, dependency_ids.size()) << "at byte " << offset;
        EXPECT_EQ(dependency_ids[dependency], r.id) << "at byte " << offset;
      };
    }
    const absl::StatusOr<Trace> two = ParseTrace(
        bytes, "t",
        [&](const Trace&, const TraceRecord& r) {
          EXPECT_NE(format::TypeOf(r.record), format::RecordType::kDependency);
          if (counts_apart) {
            EXPECT_NE(format::TypeOf(r.record), format::RecordType::kDependencyCount);
          }
          apart.emplace_back(r.offset, Encoded(r.record));
        },
        {}, options);
    EXPECT_EQ(apart, together) << "counts apart: " << counts_apart;
    EXPECT_EQ(two.ok(), one.ok());
    if (!one.ok()) {
      EXPECT_EQ(two.status(), one.status());
    } else if (two.ok()) {
      EXPECT_EQ(two->warnings, one->warnings);
    }
  }
  return one.ok();
}

TEST(TraceReader, CountRecordsComeWithTheirDependencysPlaceInOrderOfIdsOrNot) {
  // Dependency 1 (OneLock), 2 and 3 in id order; then 10, 4 and 7, as a recorder with more
  // than one writer may give them. Each count names one of them by id.
  std::string bytes = OneLock(1);
  for (uint64_t id : {2, 3, 10, 4, 7}) {
    format::EncodeRecord(format::DependencyRecord{.id = id, .tid = 1, .acquired = 1}, bytes);
  }
  for (uint64_t id : {7, 1, 10, 3, 4, 2}) {
    format::EncodeRecord(format::DependencyCountRecord{.id = id, .count = id * 100}, bytes);
  }
  std::vector<std::pair<uint64_t, uint32_t>> counted;  // (count, place)
  const absl::StatusOr<Trace> read = ParseTrace(
      bytes, "t", [](const Trace&, const TraceRecord&) {}, {},
      {.dependencies = [](const Trace&, uint64_t, const format::DependencyRecord&) {},
       .dependency_counts = [&](const Trace&, uint64_t, const format::DependencyCountRecord& r,
                                uint32_t dependency) { counted.emplace_back(r.count, dependency); }});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(counted, ElementsAre(Pair(700, 5), Pair(100, 0), Pair(1000, 3), Pair(300, 2),
                                   Pair(400, 4), Pair(200, 1)));
}

TEST(TraceReader, DependenciesToAVisitorOfTheirOwnReadAsThroughTheRecordVisitor) {
  std::string bytes = OneLock(1);
  format::EncodeRecord(format::InstanceRecord{.id = 2, .class_id = 1}, bytes);
  format::EncodeRecord(format::StackRecord{.id = 9}, bytes);
  // Dependencies with held lists of several lengths, between other records: a held list's
  // memory passes from one dependency to the next across them.
  for (uint64_t id = 2; id < 40; ++id) {
    format::DependencyRecord dependency{.id = id, .tid = 1 + static_cast<uint32_t>(id % 3),
                                        .segment = 2, .acquired = 1 + id % 2, .flags = 1,
                                        .stack_id = 9, .time_ns = id * 1000};
    for (uint64_t h = 0; h < id % 4; ++h) {
      dependency.held.push_back({.instance = 2 - id % 2, .flags = 2, .stack_id = 9});
    }
    format::EncodeRecord(dependency, bytes);
    if (id % 5 == 0) {
      format::EncodeRecord(format::DependencyCountRecord{.id = id, .count = 3}, bytes);
    }
  }
  ASSERT_TRUE(ExpectDependenciesApartReadAlike(bytes));
  // Errors: a dependency on an undefined instance, or with an undefined stack; one defined
  // twice; one first in the file; one cut short. Warnings: an unknown record type; a file
  // ending inside a dependency.
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(OneLock(2)));
  std::string stack = OneLock(1);
  format::EncodeRecord(format::DependencyRecord{.id = 2, .tid = 1, .acquired = 1, .stack_id = 5},
                       stack);
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(stack));
  std::string twice = OneLock(1);
  format::EncodeRecord(format::DependencyRecord{.id = 1, .tid = 1, .acquired = 1}, twice);
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(twice));
  std::string first;
  format::EncodeHeader(first);
  format::EncodeRecord(format::DependencyRecord{.id = 1, .tid = 1, .acquired = 1}, first);
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(first));
  std::string cut = OneLock(1);
  format::AppendVarint(cut, static_cast<uint64_t>(format::RecordType::kDependency));
  format::AppendVarint(cut, 2);
  cut += "\x05\x80";  // an id, then a tid whose varint never ends
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(cut));
  // A type that is a dependency's but for bits past 32: an unknown record, skipped.
  std::string unknown = OneLock(1);
  format::AppendVarint(unknown, static_cast<uint64_t>(format::RecordType::kDependency) +
                                    (uint64_t{1} << 32));
  format::AppendVarint(unknown, 1);
  unknown += "\x01";
  EXPECT_TRUE(ExpectDependenciesApartReadAlike(unknown));
  const std::string whole = bytes;
  EXPECT_TRUE(ExpectDependenciesApartReadAlike(whole.substr(0, whole.size() - 3)));  // warns
  // A count of a dependency not defined (yet); a count cut short.
  std::string early = OneLock(1);
  format::EncodeRecord(format::DependencyCountRecord{.id = 2, .count = 1}, early);
  format::EncodeRecord(format::DependencyRecord{.id = 2, .tid = 1, .acquired = 1}, early);
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(early));
  std::string short_count = OneLock(1);
  format::AppendVarint(short_count, static_cast<uint64_t>(format::RecordType::kDependencyCount));
  format::AppendVarint(short_count, 1);
  short_count += "\x01";  // the id, and no count
  EXPECT_FALSE(ExpectDependenciesApartReadAlike(short_count));
}

}  // namespace

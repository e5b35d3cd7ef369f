// DecodeTraceFile keeps a file's records as ReadTraceFile passes them to a visitor: the same
// records in the same order, the same definition tables, errors and warnings.
#include "analyzer/input/decoded_trace.h"

#include <fstream>
#include <optional>
#include <span>
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
using ::lockgraph::analyzer::DecodeTraceFile;
using ::lockgraph::analyzer::DependencyCount;
using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::analyzer::TraceRecord;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::SizeIs;
namespace format = ::lockgraph::format;

// Every kind of record the flat arrays treat apart: dependencies holding none, one and three
// locks, count records between them, and records of other kinds around them.
TraceBuilder Mixed() {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Thread(2, "worker", 1, 0);
  for (uint64_t lock = 1; lock <= 5; ++lock) t.Lock(lock, "class" + std::to_string(lock));
  const uint64_t first = t.Dependency(1, 0, {}, 1);
  t.Dependency(1, 0, {1}, 2);
  t.Count(first, 41);
  t.Dependency(2, 0, {1, 2, 3}, 4, format::kAcquireTry);
  t.LongWait(2, 4, 200'000'000, 1);
  t.Dependency(2, 0, {4}, 5);
  t.Count(first, 1);
  t.Misuse(format::MisuseKind::kReleaseUnheld, 2, 5, "released twice");
  t.Join(1, 1, 2);
  return t;
}

// Each record as its encoding: equal records encode alike.
std::vector<std::string> Encoded(const lockgraph::analyzer::DecodedRecords& records) {
  std::vector<std::string> encoded;
  records.ForEach(
      [&](const format::DependencyHead& r, std::span<const format::HeldLock> held) {
        const format::DependencyRecord whole = {.id = r.id,
                                                .tid = r.tid,
                                                .segment = r.segment,
                                                .acquired = r.acquired,
                                                .flags = r.flags,
                                                .held = {held.begin(), held.end()},
                                                .stack_id = r.stack_id,
                                                .time_ns = r.time_ns};
        format::EncodeRecord(whole, encoded.emplace_back());
      },
      [&](const DependencyCount& r) {
        // A count names its dependency by place, of the file's: here, of the records'.
        const format::DependencyCountRecord whole = {
            .id = records.dependency(r.dependency).id, .count = r.count};
        format::EncodeRecord(whole, encoded.emplace_back());
      },
      [&](const format::Record& r) { format::EncodeRecord(r, encoded.emplace_back()); });
  return encoded;
}

TEST(DecodedTrace, HoldsTheRecordsTheReaderVisitsInTheirOrder) {
  TempDir dir;
  const std::string path = Mixed().WriteTo(dir.path());
  std::vector<std::string> visited;
  const absl::StatusOr<Trace> read = ReadTraceFile(path, [&](const Trace&, const TraceRecord& r) {
    format::EncodeRecord(r.record, visited.emplace_back());
  });
  ASSERT_TRUE(read.ok()) << read.status();

  const absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile(path);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_THAT(Encoded(decoded->records), ElementsAreArray(visited));
  EXPECT_EQ(decoded->records.size(), visited.size());
  EXPECT_TRUE(decoded->trace.records.empty());
  EXPECT_EQ(decoded->trace.path, path);
  EXPECT_EQ(decoded->trace.instances.size(), 5u);
  EXPECT_EQ(decoded->trace.strings, read->strings);
  EXPECT_EQ(decoded->file_bytes, ReadFile(path).size());
}

TEST(DecodedTrace, GivesEachRecordOfAKindByItsPlaceAsForEachGivesIt) {
  // What the model looks ahead at (Model::TraceLoader::Records): the i-th dependency record
  // and its held locks, and the count records, are those ForEach gives in that place.
  TempDir dir;
  const absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile(Mixed().WriteTo(dir.path()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const lockgraph::analyzer::DecodedRecords& records = decoded->records;
  size_t d = 0, c = 0;
  records.ForEach(
      [&](const format::DependencyHead& r, std::span<const format::HeldLock> held) {
        ASSERT_LT(d, records.dependency_count());
        EXPECT_EQ(&records.dependency(d), &r) << d;
        EXPECT_EQ(records.held_of(d).data(), held.data()) << d;
        EXPECT_EQ(records.held_of(d).size(), held.size()) << d;
        ++d;
      },
      [&](const DependencyCount& r) {
        ASSERT_LT(c, records.counts().size());
        EXPECT_EQ(&records.counts()[c], &r) << c;
        ++c;
      },
      [](const format::Record&) {});
  EXPECT_EQ(d, 4u);
  EXPECT_EQ(records.dependency_count(), 4u);
  EXPECT_EQ(c, 2u);
  EXPECT_THAT(records.counts(), SizeIs(2));
  // Both count the first dependency, by its place.
  EXPECT_EQ(records.counts()[0].dependency, 0u);
  EXPECT_EQ(records.counts()[0].count, 41u);
  EXPECT_EQ(records.counts()[1].dependency, 0u);
  EXPECT_EQ(records.counts()[1].count, 1u);
  EXPECT_THAT(records.held_of(0), SizeIs(0));
  EXPECT_THAT(records.held_of(2), SizeIs(3));
}

TEST(DecodedTrace, AnErrorIsTheReadersError) {
  TempDir dir;
  TraceBuilder t = Mixed();
  // A dependency on lock 42, which the trace does not define.
  t.Add(format::DependencyRecord{.id = 99, .tid = 1, .acquired = 42, .held = {}});
  const std::string path = t.WriteTo(dir.path());
  const absl::StatusOr<Trace> read = ReadTraceFile(path);
  const absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("(dependency)"));
  EXPECT_EQ(decoded.status(), read.status());
}

TEST(DecodedTrace, AFileCutShortKeepsItsWholeRecordsAndWarns) {
  TempDir dir;
  const std::string bytes = Mixed().bytes();
  const std::string path = dir.path() + "/cut.lgtrace";
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  const absl::StatusOr<Trace> read = ReadTraceFile(path);
  const absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->records.size(), read->records.size());
  ASSERT_THAT(decoded->trace.warnings, SizeIs(1));
  EXPECT_THAT(decoded->trace.warnings[0], HasSubstr("ends inside a record"));
}

TEST(DecodedTrace, AMissingFileIsAnError) {
  TempDir dir;
  const absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile(dir.path() + "/none.lgtrace");
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("none.lgtrace: cannot open"));
}

}  // namespace

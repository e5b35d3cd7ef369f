// Tests of common/trace_records.h: every record type round-trips through EncodeRecord and
// DecodeRecord, the header bytes are fixed, and bad payloads give errors naming the field.
#include "common/trace_records.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/trace_format.h"
#include "common/varint.h"
#include "gtest/gtest.h"

namespace {

using lockgraph::format::AppendVarint;
using lockgraph::format::ClassRecord;
using lockgraph::format::ClassStatsRecord;
using lockgraph::format::DecodeRecord;
using lockgraph::format::DependencyCountRecord;
using lockgraph::format::DependencyRecord;
using lockgraph::format::EncodeHeader;
using lockgraph::format::EncodeRecord;
using lockgraph::format::EventBlockRecord;
using lockgraph::format::Frame;
using lockgraph::format::HeldLock;
using lockgraph::format::InstanceEndRecord;
using lockgraph::format::InstanceRecord;
using lockgraph::format::kAcquireShared;
using lockgraph::format::kAcquireTimed;
using lockgraph::format::kAcquireTry;
using lockgraph::format::kHeaderSize;
using lockgraph::format::kTraceVersion;
using lockgraph::format::kWaitTimedOut;
using lockgraph::format::LongWaitRecord;
using lockgraph::format::MisuseKind;
using lockgraph::format::MisuseKindName;
using lockgraph::format::MisuseRecord;
using lockgraph::format::ModuleRecord;
using lockgraph::format::DeadlockRecord;
using lockgraph::format::ProcessJoinRecord;
using lockgraph::format::ProcessRecord;
using lockgraph::format::Record;
using lockgraph::format::RecordType;
using lockgraph::format::RecordTypeName;
using lockgraph::format::RuntimeStatsRecord;
using lockgraph::format::SignalReleaseRecord;
using lockgraph::format::StackRecord;
using lockgraph::format::StringRecord;
using lockgraph::format::SyncKind;
using lockgraph::format::SyncKindName;
using lockgraph::format::ThreadEndRecord;
using lockgraph::format::ThreadJoinRecord;
using lockgraph::format::ThreadStartRecord;
using lockgraph::format::TraceMode;
using lockgraph::format::TraceModeName;
using lockgraph::format::TypeOf;
using lockgraph::format::VarintReader;

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kU32Max = std::numeric_limits<uint32_t>::max();

// Every field of a record, for comparing a decoded record with the original.
auto Tie(const ProcessRecord& r) {
  return std::tie(r.pid, r.ppid, r.parent_tid, r.parent_segment, r.mode, r.realtime_ns,
                  r.monotonic_ns, r.exe_sid, r.options_sid, r.version_sid,
                  r.spawned_by_realtime_ns);
}
auto Tie(const StringRecord& r) { return std::tie(r.id, r.text); }
auto Tie(const ModuleRecord& r) {
  return std::tie(r.id, r.path_sid, r.load_bias, r.build_id, r.function_sid);
}
auto Tie(const StackRecord& r) { return std::tie(r.id, r.frames); }
auto Tie(const ClassRecord& r) {
  return std::tie(r.id, r.name_sid, r.kind, r.file_sid, r.line, r.function_sid, r.site_stack_id,
                  r.origin, r.object_module, r.object_offset, r.first_use_stack_id);
}
auto Tie(const InstanceRecord& r) {
  return std::tie(r.id, r.class_id, r.kind, r.file_sid, r.line, r.name_sid, r.initial_value,
                  r.site_stack_id, r.global_name_sid, r.object_module, r.object_offset);
}
auto Tie(const InstanceEndRecord& r) { return std::tie(r.id, r.time_ns); }
auto Tie(const ThreadStartRecord& r) {
  return std::tie(r.tid, r.parent_tid, r.parent_segment, r.name_sid, r.os_tid, r.time_ns);
}
auto Tie(const ThreadEndRecord& r) { return std::tie(r.tid, r.segment, r.time_ns); }
auto Tie(const ThreadJoinRecord& r) {
  return std::tie(r.joiner, r.joiner_segment, r.joined, r.time_ns);
}
auto Tie(const ProcessJoinRecord& r) {
  return std::tie(r.joiner, r.joiner_segment, r.child_pid, r.time_ns);
}
auto Tie(const DependencyRecord& r) {
  return std::tie(r.id, r.tid, r.segment, r.acquired, r.flags, r.held, r.stack_id, r.time_ns);
}
auto Tie(const DependencyCountRecord& r) { return std::tie(r.id, r.count); }
auto Tie(const LongWaitRecord& r) {
  return std::tie(r.tid, r.segment, r.instance, r.wait_ns, r.holder_tid, r.waiter_stack,
                  r.holder_stack, r.time_ns, r.flags);
}
auto Tie(const MisuseRecord& r) {
  return std::tie(r.kind, r.tid, r.instance, r.other_tid, r.stack_id, r.time_ns, r.detail_sid);
}
auto Tie(const ClassStatsRecord& r) {
  return std::tie(r.class_id, r.acquisitions, r.contended, r.wait_total_ns, r.wait_max_ns,
                  r.hold_samples, r.hold_total_ns, r.hold_max_ns, r.wait_histogram);
}
auto Tie(const SignalReleaseRecord& r) { return std::tie(r.instance, r.tid, r.time_ns); }
auto Tie(const RuntimeStatsRecord& r) { return std::tie(r.counters); }
auto Tie(const DeadlockRecord& r) { return std::tie(r.time_ns, r.threads); }

// One record of every type, with values that exercise multi-byte varints, vectors of several
// elements, strings with NUL bytes and negative signed values.
ProcessRecord SampleProcess() {
  return {.pid = 4242,
          .ppid = 1,
          .parent_tid = 3,
          .parent_segment = 7,
          .mode = TraceMode::kFull,
          .realtime_ns = 1700000000123456789ull,
          .monotonic_ns = 987654321012ull,
          .exe_sid = 1,
          .options_sid = 2,
          .version_sid = kU64Max,
          .spawned_by_realtime_ns = 1699999999000000000ull};
}
StringRecord SampleString() {
  static constexpr char kText[] = "/src/bank.cc\0with nul \xff";
  return {.id = 300, .text = std::string(kText, sizeof(kText) - 1)};
}
ModuleRecord SampleModule() {
  return {.id = 5,
          .path_sid = 301,
          .load_bias = 0x7f1234560000ull,
          .build_id = std::string("\x8a\x00\x13\xfe\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
                                  "\x0b\x0c\x0d\x0e\x0f\x10",
                                  20),
          .function_sid = 302};
}
StackRecord SampleStack() {
  return {.id = kU64Max - 3,
          .frames = {{.module = 5, .offset = 0x1234},
                     {.module = 0, .offset = 0x7fffdeadbeefull},
                     {.module = 6, .offset = 0},
                     {.module = 5, .offset = kU64Max}}};
}
ClassRecord SampleClass() {
  return {.id = 17,
          .name_sid = 302,
          .kind = SyncKind::kBoundedSemaphore,
          .file_sid = 303,
          .line = 123456,
          .function_sid = 304,
          .site_stack_id = 305,
          .origin = static_cast<uint8_t>(lockgraph::format::ClassOrigin::kStatic),
          .object_module = 3,
          .object_offset = kU64Max,
          .first_use_stack_id = 306};
}
InstanceRecord SampleInstance() {
  return {.id = 1ull << 40,
          .class_id = 17,
          .kind = SyncKind::kSemaphore,
          .file_sid = 303,
          .line = kU32Max,
          .name_sid = 0,
          .initial_value = -12345,
          .site_stack_id = 306,
          .global_name_sid = 1ull << 20,
          .object_module = 2,
          .object_offset = 0x4180};
}
InstanceEndRecord SampleInstanceEnd() { return {.id = 1ull << 40, .time_ns = 999999999999ull}; }
ThreadStartRecord SampleThreadStart() {
  return {.tid = 70000,
          .parent_tid = 1,
          .parent_segment = 12,
          .name_sid = 305,
          .os_tid = 123456,
          .time_ns = 5000};
}
ThreadEndRecord SampleThreadEnd() { return {.tid = 70000, .segment = 3, .time_ns = 6000}; }
ThreadJoinRecord SampleThreadJoin() {
  return {.joiner = 1, .joiner_segment = 13, .joined = 70000, .time_ns = 7000};
}
DependencyRecord SampleDependency() {
  return {.id = 1000000,
          .tid = 2,
          .segment = 4,
          .acquired = 1ull << 40,
          .flags = kAcquireTimed | kAcquireShared,
          .held = {{.instance = 11, .flags = 0, .stack_id = 21},
                   {.instance = 1ull << 35, .flags = kAcquireShared, .stack_id = 22},
                   {.instance = 13, .flags = kAcquireTry | kAcquireTimed, .stack_id = kU64Max}},
          .stack_id = 23,
          .time_ns = 123456789};
}
DependencyCountRecord SampleDependencyCount() { return {.id = 1000000, .count = 1ull << 33}; }
LongWaitRecord SampleLongWait() {
  return {.tid = 2,
          .segment = 4,
          .instance = 11,
          .wait_ns = 2500000000ull,
          .holder_tid = 3,
          .waiter_stack = 31,
          .holder_stack = 32,
          .time_ns = 3000000000ull,
          .flags = kWaitTimedOut};
}
MisuseRecord SampleMisuse() {
  return {.kind = MisuseKind::kReleaseByNonOwner,
          .tid = 4,
          .instance = 11,
          .other_tid = 2,
          .stack_id = 33,
          .time_ns = 44,
          .detail_sid = 306};
}
ClassStatsRecord SampleClassStats() {
  return {.class_id = 17,
          .acquisitions = 1000000,
          .contended = 1234,
          .wait_total_ns = 98765432100ull,
          .wait_max_ns = 1ull << 50,
          .hold_samples = 100,
          .hold_total_ns = 5555555,
          .hold_max_ns = 77777,
          .wait_histogram = {{0, 3}, {17, 1000}, {120, 1}, {251, kU64Max}}};
}
SignalReleaseRecord SampleSignalRelease() {
  return {.instance = 1ull << 40, .tid = kU32Max, .time_ns = 8000};
}
RuntimeStatsRecord SampleRuntimeStats() {
  return {.counters = {{307, 0}, {308, 42}, {309, kU64Max}, {310, 128}}};
}

DeadlockRecord SampleDeadlock() {
  return {.time_ns = 1ull << 40,
          .threads = {{.tid = 2, .segment = 1, .held = 7, .held_stack = 300, .waits_for = 8,
                       .flags = 0, .wait_stack = 301},
                      {.tid = kU32Max, .segment = 0, .held = 8, .held_stack = 302,
                       .waits_for = 7, .flags = kAcquireShared, .wait_stack = 303}}};
}

ProcessJoinRecord SampleProcessJoin() {
  return {.joiner = 2, .joiner_segment = kU32Max, .child_pid = 4194304, .time_ns = 9000};
}

EventBlockRecord SampleEventBlock() {
  return {.tid = 3, .segment = kU32Max, .start_ns = 1ull << 45, .tick_ps = 5000, .count = 2,
          .events = std::string("\x00\x07\x01\x22\x07", 5)};
}

std::vector<Record> AllSamples() {
  return {SampleProcess(),    SampleString(),          SampleModule(),
          SampleStack(),      SampleClass(),           SampleInstance(),
          SampleInstanceEnd(), SampleThreadStart(),    SampleThreadEnd(),
          SampleThreadJoin(), SampleDependency(),      SampleDependencyCount(),
          SampleLongWait(),   SampleMisuse(),          SampleClassStats(),
          SampleSignalRelease(), SampleRuntimeStats(), SampleEventBlock(),
          SampleProcessJoin(), SampleDeadlock()};
}

// The record as a writer that predates its appended fields wrote it: those fields are 0.
Record WithoutAppendedFields(Record record) {
  if (auto* instance = std::get_if<InstanceRecord>(&record)) {
    instance->global_name_sid = instance->object_module = instance->object_offset = 0;
  }
  if (auto* cls = std::get_if<ClassRecord>(&record)) {
    cls->origin = 0;
    cls->object_module = cls->object_offset = cls->first_use_stack_id = 0;
  }
  if (auto* module = std::get_if<ModuleRecord>(&record)) module->function_sid = 0;
  if (auto* process = std::get_if<ProcessRecord>(&record)) process->spawned_by_realtime_ns = 0;
  return record;
}

// Splits an encoded record into its type and payload, checking the framing.
struct Framed {
  uint64_t type = 0;
  std::string payload;
};
Framed Unframe(const std::string& encoded) {
  VarintReader reader(encoded);
  Framed framed;
  uint64_t length = 0;
  EXPECT_TRUE(reader.Read(framed.type));
  EXPECT_TRUE(reader.Read(length));
  EXPECT_EQ(length, reader.remaining()) << "length prefix must cover the payload exactly";
  framed.payload = encoded.substr(reader.position());
  return framed;
}

// Encodes `original`, decodes it back and compares every field.
template <typename T>
void ExpectRoundTrip(const T& original, RecordType expected_type) {
  const Record record = original;
  EXPECT_EQ(TypeOf(record), expected_type);
  std::string encoded;
  EncodeRecord(record, encoded);
  const Framed framed = Unframe(encoded);
  EXPECT_EQ(framed.type, static_cast<uint64_t>(expected_type));
  absl::StatusOr<Record> decoded = DecodeRecord(expected_type, framed.payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const T* typed = std::get_if<T>(&*decoded);
  ASSERT_NE(typed, nullptr) << "decoded to variant index " << decoded->index();
  EXPECT_TRUE(Tie(*typed) == Tie(original));
  // Re-encoding the decoded record gives the same bytes.
  std::string again;
  EncodeRecord(*decoded, again);
  EXPECT_EQ(again, encoded);
}

TEST(TraceRecords, ProcessRecordRoundTrips) {
  ExpectRoundTrip(SampleProcess(), RecordType::kProcess);
}
TEST(TraceRecords, StringRecordRoundTripsBinaryText) {
  ExpectRoundTrip(SampleString(), RecordType::kString);
}
TEST(TraceRecords, ModuleRecordRoundTripsBuildId) {
  ExpectRoundTrip(SampleModule(), RecordType::kModule);
}
// A module of a hosted language's source (Python) names its function; an ELF module writes
// no function field, byte for byte what older writers wrote, and older files read as none.
TEST(TraceRecords, ModuleRecordWithoutFunctionIsWrittenAsBefore) {
  ModuleRecord elf = SampleModule();
  elf.function_sid = 0;
  ExpectRoundTrip(elf, RecordType::kModule);
  std::string with, without;
  EncodeRecord(SampleModule(), with);
  EncodeRecord(elf, without);
  EXPECT_LT(without.size(), with.size());
}
TEST(TraceRecords, StackRecordRoundTripsSeveralFrames) {
  ExpectRoundTrip(SampleStack(), RecordType::kStack);
}
TEST(TraceRecords, ClassRecordRoundTrips) { ExpectRoundTrip(SampleClass(), RecordType::kClass); }
TEST(TraceRecords, InstanceRecordRoundTripsNegativeInitialValue) {
  ExpectRoundTrip(SampleInstance(), RecordType::kInstance);
  InstanceRecord extreme = SampleInstance();
  extreme.initial_value = std::numeric_limits<int64_t>::min();
  ExpectRoundTrip(extreme, RecordType::kInstance);
  extreme.initial_value = std::numeric_limits<int64_t>::max();
  ExpectRoundTrip(extreme, RecordType::kInstance);
}
TEST(TraceRecords, InstanceRecordWithoutGlobalNameIsWrittenAsBefore) {
  InstanceRecord plain = SampleInstance();
  plain.global_name_sid = plain.object_module = plain.object_offset = 0;
  ExpectRoundTrip(plain, RecordType::kInstance);
  std::string with, without;
  InstanceRecord named = plain;
  named.global_name_sid = 1ull << 20;
  EncodeRecord(named, with);
  EncodeRecord(plain, without);
  // The appended field costs its bytes only when set: 2^20 is a 3-byte varint.
  EXPECT_EQ(with.size(), without.size() + 3);
  const std::string old_payload = Unframe(without).payload;
  absl::StatusOr<Record> decoded = DecodeRecord(RecordType::kInstance, old_payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(std::get<InstanceRecord>(*decoded).global_name_sid, 0u);
  // Decoded in place over a record that had the field, it is 0 again: nothing of the
  // record before stays.
  Record reused = named;
  ASSERT_TRUE(lockgraph::format::DecodeRecordInto(RecordType::kInstance, old_payload, reused).ok());
  EXPECT_TRUE(Tie(std::get<InstanceRecord>(reused)) == Tie(plain));
  // Nor of a record of another type.
  std::string string_record;
  EncodeRecord(StringRecord{.id = 3, .text = "x"}, string_record);
  ASSERT_TRUE(lockgraph::format::DecodeRecordInto(RecordType::kString,
                                                  Unframe(string_record).payload, reused)
                  .ok());
  EXPECT_EQ(std::get<StringRecord>(reused).text, "x");
}
TEST(TraceRecords, ProcessJoinRecordRoundTrips) {
  ExpectRoundTrip(SampleProcessJoin(), RecordType::kProcessJoin);
}
TEST(TraceRecords, InstanceEndRecordRoundTrips) {
  ExpectRoundTrip(SampleInstanceEnd(), RecordType::kInstanceEnd);
}
TEST(TraceRecords, ThreadStartRecordRoundTrips) {
  ExpectRoundTrip(SampleThreadStart(), RecordType::kThreadStart);
}
TEST(TraceRecords, ThreadEndRecordRoundTrips) {
  ExpectRoundTrip(SampleThreadEnd(), RecordType::kThreadEnd);
}
TEST(TraceRecords, ThreadJoinRecordRoundTrips) {
  ExpectRoundTrip(SampleThreadJoin(), RecordType::kThreadJoin);
}
TEST(TraceRecords, DependencyRecordRoundTripsHeldLocks) {
  ExpectRoundTrip(SampleDependency(), RecordType::kDependency);
  DependencyRecord none = SampleDependency();
  none.held.clear();
  ExpectRoundTrip(none, RecordType::kDependency);
}
TEST(TraceRecords, DependencyDecodesAppendingItsHeldLocksToThoseOfOthers) {
  const DependencyRecord original = SampleDependency();
  ASSERT_FALSE(original.held.empty());
  std::string encoded;
  EncodeRecord(original, encoded);
  const Framed framed = Unframe(encoded);
  lockgraph::format::DependencyHead head;
  std::vector<HeldLock> held = {{.instance = 77}};  // another record's
  ASSERT_TRUE(lockgraph::format::DecodeDependencyAppending(framed.payload, head, held).ok());
  EXPECT_EQ(head.id, original.id);
  EXPECT_EQ(head.tid, original.tid);
  EXPECT_EQ(head.segment, original.segment);
  EXPECT_EQ(head.acquired, original.acquired);
  EXPECT_EQ(head.flags, original.flags);
  EXPECT_EQ(head.stack_id, original.stack_id);
  EXPECT_EQ(head.time_ns, original.time_ns);
  ASSERT_EQ(held.size(), 1 + original.held.size());
  EXPECT_EQ(held[0].instance, 77u);
  EXPECT_TRUE(std::equal(original.held.begin(), original.held.end(), held.begin() + 1));
  // A payload cut short is an error that leaves the list as it was.
  const std::vector<HeldLock> before = held;
  const absl::Status cut = lockgraph::format::DecodeDependencyAppending(
      framed.payload.substr(0, framed.payload.size() - 2), head, held);
  EXPECT_FALSE(cut.ok());
  EXPECT_NE(cut.message().find("truncated"), absl::string_view::npos) << cut.message();
  EXPECT_EQ(held, before);
}
TEST(TraceRecords, DependencyCountRecordRoundTrips) {
  ExpectRoundTrip(SampleDependencyCount(), RecordType::kDependencyCount);
}
TEST(TraceRecords, LongWaitRecordRoundTrips) {
  ExpectRoundTrip(SampleLongWait(), RecordType::kLongWait);
}
TEST(TraceRecords, MisuseRecordRoundTrips) {
  ExpectRoundTrip(SampleMisuse(), RecordType::kMisuse);
}
TEST(TraceRecords, ClassStatsRecordRoundTripsHistogram) {
  ExpectRoundTrip(SampleClassStats(), RecordType::kClassStats);
}
TEST(TraceRecords, SignalReleaseRecordRoundTrips) {
  ExpectRoundTrip(SampleSignalRelease(), RecordType::kSignalRelease);
}
TEST(TraceRecords, RuntimeStatsRecordRoundTripsCounters) {
  ExpectRoundTrip(SampleRuntimeStats(), RecordType::kRuntimeStats);
}

TEST(TraceRecords, DeadlockRecordRoundTripsItsThreads) {
  ExpectRoundTrip(SampleDeadlock(), RecordType::kDeadlock);
}

TEST(TraceRecords, DefaultRecordsRoundTrip) {
  ExpectRoundTrip(ProcessRecord{}, RecordType::kProcess);
  ExpectRoundTrip(StackRecord{}, RecordType::kStack);
  ExpectRoundTrip(ClassStatsRecord{}, RecordType::kClassStats);
  ExpectRoundTrip(RuntimeStatsRecord{}, RecordType::kRuntimeStats);
}

TEST(TraceRecords, TypeOfNamesEveryAlternative) {
  const std::vector<Record> samples = AllSamples();
  ASSERT_EQ(samples.size(), std::variant_size_v<Record>);
  for (size_t i = 0; i < samples.size(); ++i) {
    // The variant lists the alternatives in RecordType order, from kProcess = 1.
    EXPECT_EQ(static_cast<uint32_t>(TypeOf(samples[i])), i + 1) << "alternative " << i;
  }
  EXPECT_EQ(TypeOf(Record(DependencyCountRecord{})), RecordType::kDependencyCount);
  EXPECT_EQ(TypeOf(Record(RuntimeStatsRecord{})), RecordType::kRuntimeStats);
}

TEST(TraceRecords, EncodesDependencyCountToKnownBytes) {
  std::string out = "prefix";
  EncodeRecord(DependencyCountRecord{.id = 7, .count = 41}, out);
  EXPECT_EQ(out, "prefix\x0c\x02\x07\x29");
  out.clear();
  EncodeRecord(DependencyCountRecord{.id = 300, .count = 0}, out);
  EXPECT_EQ(out, std::string("\x0c\x03\xac\x02\x00", 5));
}

TEST(TraceRecords, EncodesNegativeInitialValueZigZag) {
  std::string out;
  EncodeRecord(InstanceRecord{.id = 1,
                              .class_id = 2,
                              .kind = SyncKind::kSemaphore,
                              .file_sid = 3,
                              .line = 4,
                              .name_sid = 5,
                              .initial_value = -3},
               out);
  // type 6, length 8, id, class, kind 3, file, line, name, zigzag(-3) = 5, site stack 0.
  EXPECT_EQ(out, std::string("\x06\x08\x01\x02\x03\x03\x04\x05\x05\x00", 10));
}

TEST(TraceRecords, EncodeEventBlockWritesWhatEncodeRecordWrites) {
  const EventBlockRecord block = SampleEventBlock();
  std::string expected = "prefix";
  EncodeRecord(block, expected);
  std::string encoded = "prefix";
  lockgraph::format::EncodeEventBlock(block.tid, block.segment, block.start_ns, block.tick_ps,
                                      block.count, block.events, encoded);
  EXPECT_EQ(encoded, expected);
}

TEST(TraceRecords, EncodeHeaderWritesMagicAndVersionOne) {
  std::string out;
  EncodeHeader(out);
  ASSERT_EQ(out.size(), kHeaderSize);
  EXPECT_EQ(out.size(), 16u);
  EXPECT_EQ(out, std::string("LGTRACE\0\x01\0\0\0\0\0\0\0", 16));
  EXPECT_EQ(out.substr(0, 8), std::string("LGTRACE\0", 8));
  EXPECT_EQ(kTraceVersion, 1u);
  // Appends rather than overwrites.
  std::string appended = "xy";
  EncodeHeader(appended);
  EXPECT_EQ(appended.size(), 18u);
  EXPECT_EQ(appended.substr(2), out);
}

TEST(TraceRecords, EveryTruncatedPayloadIsDataLoss) {
  for (const Record& record : AllSamples()) {
    std::string encoded, old_encoded;
    EncodeRecord(record, encoded);
    EncodeRecord(WithoutAppendedFields(record), old_encoded);
    const Framed framed = Unframe(encoded);
    const RecordType type = TypeOf(record);
    // A payload that ends where an older writer's ended lacks only the appended fields: it
    // is whole. Every other cut is data loss.
    const size_t old_size = Unframe(old_encoded).payload.size();
    for (size_t len = 0; len < framed.payload.size(); ++len) {
      absl::StatusOr<Record> decoded =
          DecodeRecord(type, absl::string_view(framed.payload).substr(0, len));
      if (len == old_size) {
        ASSERT_TRUE(decoded.ok()) << RecordTypeName(type) << ": " << decoded.status();
        std::string again;
        EncodeRecord(*decoded, again);
        EXPECT_EQ(again, old_encoded) << RecordTypeName(type);
        continue;
      }
      // A payload cut between two appended fields is what a writer of its time wrote: whole,
      // and read as written.
      if (decoded.ok() && len > old_size) {
        std::string again;
        EncodeRecord(*decoded, again);
        EXPECT_EQ(Unframe(again).payload, framed.payload.substr(0, len)) << RecordTypeName(type);
        continue;
      }
      ASSERT_FALSE(decoded.ok()) << RecordTypeName(type) << " cut to " << len << " bytes";
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
      EXPECT_NE(decoded.status().message().find("field '"), absl::string_view::npos)
          << decoded.status();
    }
  }
}

TEST(TraceRecords, TruncatedPayloadErrorNamesTheMissingField) {
  std::string payload;
  AppendVarint(payload, 9);  // InstanceEnd: id, then time is missing
  absl::StatusOr<Record> r = DecodeRecord(RecordType::kInstanceEnd, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "field 'time' is truncated or out of range");

  // String: the length says 5 bytes, 3 follow.
  r = DecodeRecord(RecordType::kString, std::string("\x01\x05" "abc"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("'text'"), absl::string_view::npos) << r.status();

  // Process: cut after mode, so realtime_ns is the first missing field.
  payload.clear();
  for (uint64_t v : {1, 2, 3, 4, 1}) AppendVarint(payload, v);
  r = DecodeRecord(RecordType::kProcess, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'realtime_ns'"), absl::string_view::npos) << r.status();

  // Empty payload: the first field is missing.
  r = DecodeRecord(RecordType::kThreadJoin, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'joiner'"), absl::string_view::npos) << r.status();

  // A vector whose count exceeds the remaining bytes.
  payload.clear();
  AppendVarint(payload, 1);   // id
  AppendVarint(payload, 50);  // 50 frames, none present
  r = DecodeRecord(RecordType::kStack, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'frames'"), absl::string_view::npos) << r.status();

  // Dependency with three held locks of which only one is present: an element field fails.
  payload.clear();
  for (uint64_t v : {1, 2, 3, 4, 0}) AppendVarint(payload, v);  // id tid segment acquired flags
  AppendVarint(payload, 3);                                     // held count
  for (uint64_t v : {11, 0, 21}) AppendVarint(payload, v);      // first held lock only
  r = DecodeRecord(RecordType::kDependency, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("field '"), absl::string_view::npos) << r.status();
}

TEST(TraceRecords, OutOfRangeValueErrorNamesTheField) {
  // ThreadEnd.tid is 32 bits.
  std::string payload;
  AppendVarint(payload, uint64_t{1} << 32);
  AppendVarint(payload, 1);
  AppendVarint(payload, 1);
  absl::StatusOr<Record> r = DecodeRecord(RecordType::kThreadEnd, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "field 'tid' is truncated or out of range");

  // LongWait.flags is 8 bits.
  payload.clear();
  for (uint64_t v : {1, 2, 3, 4, 5, 6, 7, 8}) AppendVarint(payload, v);
  AppendVarint(payload, 256);
  r = DecodeRecord(RecordType::kLongWait, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'flags'"), absl::string_view::npos) << r.status();

  // Class.kind is a uint8_t enum.
  payload.clear();
  for (uint64_t v : {1, 2}) AppendVarint(payload, v);
  AppendVarint(payload, 300);
  for (uint64_t v : {3, 4, 5}) AppendVarint(payload, v);
  r = DecodeRecord(RecordType::kClass, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'kind'"), absl::string_view::npos) << r.status();
}

TEST(TraceRecords, TrailingUnknownBytesAreIgnored) {
  for (const Record& record : AllSamples()) {
    std::string encoded;
    EncodeRecord(record, encoded);
    Framed framed = Unframe(encoded);
    // Fields a newer writer appended: two varints and a string.
    AppendVarint(framed.payload, 123456);
    AppendVarint(framed.payload, 0);
    framed.payload += "\x03xyz";
    absl::StatusOr<Record> decoded = DecodeRecord(TypeOf(record), framed.payload);
    ASSERT_TRUE(decoded.ok()) << RecordTypeName(TypeOf(record)) << ": " << decoded.status();
    EXPECT_EQ(decoded->index(), record.index());
    std::string again;
    EncodeRecord(*decoded, again);
    EXPECT_EQ(again, encoded) << RecordTypeName(TypeOf(record));
  }
  // A concrete one: DependencyCount with a third, unknown field.
  absl::StatusOr<Record> r = DecodeRecord(RecordType::kDependencyCount, "\x07\x29\x63");
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& count = std::get<DependencyCountRecord>(*r);
  EXPECT_EQ(count.id, 7u);
  EXPECT_EQ(count.count, 41u);
}

TEST(TraceRecords, UnknownRecordTypeIsUnimplemented) {
  for (uint32_t raw : {0u, 21u, 99u, 0xffffffffu}) {
    absl::StatusOr<Record> r = DecodeRecord(static_cast<RecordType>(raw), "\x01\x02");
    ASSERT_FALSE(r.ok()) << raw;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnimplemented) << r.status();
    EXPECT_NE(r.status().message().find(std::to_string(raw)), absl::string_view::npos)
        << r.status();
  }
}

TEST(TraceRecords, NamesOfEnumsAreStable) {
  EXPECT_EQ(RecordTypeName(RecordType::kProcess), "process");
  EXPECT_EQ(RecordTypeName(RecordType::kDependencyCount), "dependency-count");
  EXPECT_EQ(RecordTypeName(RecordType::kRuntimeStats), "runtime-stats");
  EXPECT_EQ(RecordTypeName(static_cast<RecordType>(99)), "unknown");
  EXPECT_EQ(SyncKindName(SyncKind::kBoundedSemaphore), "BoundedSemaphore");
  EXPECT_EQ(SyncKindName(static_cast<SyncKind>(0)), "unknown");
  EXPECT_EQ(MisuseKindName(MisuseKind::kSelfDeadlock), "self-deadlock");
  EXPECT_EQ(MisuseKindName(MisuseKind::kNotHeld), "not-held");
  EXPECT_EQ(MisuseKindName(MisuseKind::kOwnerDied), "owner-died");
  EXPECT_EQ(RecordTypeName(RecordType::kProcessJoin), "process-join");
  EXPECT_EQ(SyncKindName(SyncKind::kProcessLock), "ProcessLock");
  EXPECT_EQ(SyncKindName(SyncKind::kProcessQueue), "ProcessQueue");
  EXPECT_EQ(SyncKindName(SyncKind::kSharedLock), "SharedLock");
  EXPECT_EQ(MisuseKindName(MisuseKind::kReleaseWrongMode), "release-wrong-mode");
  EXPECT_EQ(TraceModeName(TraceMode::kFull), "full");
  EXPECT_EQ(TraceModeName(TraceMode::kDeps), "deps");
}

}  // namespace

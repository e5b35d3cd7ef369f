// The records of a trace file as plain structs, with their encoding and decoding.
//
//   std::string out;
//   EncodeRecord(DependencyCountRecord{.id = 7, .count = 41}, out);   // type, length, payload
//   ...
//   absl::StatusOr<Record> r = DecodeRecord(type, payload);
//
// Ids: strings, modules, stacks, classes, instances and dependencies are numbered per process
// from 1; 0 means "none". Threads are numbered per process from 1 in order of first use.
// Times are nanoseconds of CLOCK_MONOTONIC since the process record's monotonic_ns.
// docs/trace-format.md lists every field in order.
#ifndef LOCKGRAPH_COMMON_TRACE_RECORDS_H_
#define LOCKGRAPH_COMMON_TRACE_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "common/trace_format.h"

namespace lockgraph::format {

struct ProcessRecord {
  uint64_t pid = 0;
  uint64_t ppid = 0;
  uint32_t parent_tid = 0;      // forking thread in the parent process; 0 if not forked
  uint32_t parent_segment = 0;  // its segment at the fork
  TraceMode mode = TraceMode::kDeps;
  uint64_t realtime_ns = 0;   // wall clock at start (CLOCK_REALTIME)
  uint64_t monotonic_ns = 0;  // CLOCK_MONOTONIC at start: the base of every record's time
  uint64_t exe_sid = 0;       // executable path
  uint64_t options_sid = 0;   // LOCKGRAPH_OPTIONS as given
  uint64_t version_sid = 0;   // runtime version
  // Appended: a process another one started by exec (Python's multiprocessing "spawn"), not
  // by fork: the parent's realtime_ns; its thread parent_tid, in parent_segment, started
  // this process, whose first thread (tid 1) it orders. 0: forked, or not known.
  uint64_t spawned_by_realtime_ns = 0;
};

struct StringRecord {
  uint64_t id = 0;
  std::string text;
};

struct ModuleRecord {
  uint64_t id = 0;
  uint64_t path_sid = 0;
  uint64_t load_bias = 0;  // pc - load_bias is the address in the ELF file
  std::string build_id;    // raw bytes of NT_GNU_BUILD_ID, empty if none; or
                           // kLinesModuleBuildId: a text file whose offsets are lines; or
                           // kSourceModuleBuildIdPrefix + language: one function of a
                           // hosted language's source file (Python), offsets are lines
  // Appended: the function of a source module, 0 otherwise. Absent in older files.
  uint64_t function_sid = 0;
};

// A frame is a return address (the call instruction is just before it), stored as an offset
// into a module so that it symbolizes offline; module 0 means "no module": offset is the pc.
struct Frame {
  uint64_t module = 0;
  uint64_t offset = 0;
  bool operator==(const Frame&) const = default;
};

struct StackRecord {
  uint64_t id = 0;
  std::vector<Frame> frames = {};  // innermost first
};

// A lock class: the locks that are logically the same (same name, or same construction site).
struct ClassRecord {
  uint64_t id = 0;
  uint64_t name_sid = 0;  // the class key: explicit name, or "file:line"
  SyncKind kind = SyncKind::kLock;
  uint64_t file_sid = 0;  // construction site of the first instance
  uint32_t line = 0;
  uint64_t function_sid = 0;
  // Preload classes have no source location: a one-frame stack of the site that made the
  // class (first acquisition or pthread_*_init; kHeap: the allocation), to symbolize
  // offline. 0 for the wrappers.
  uint64_t site_stack_id = 0;
  // Appended fields (absent in older files: kSite). kStatic: the object, an address of the
  // module `object_module` (a ModuleRecord id); kHeap: the lock's offset in its block.
  uint8_t origin = 0;  // a ClassOrigin
  uint64_t object_module = 0;
  uint64_t object_offset = 0;
  // Preload kStatic and kHeap classes: where their first object was first used.
  uint64_t first_use_stack_id = 0;
};

// One lock object. Written when the lock first takes part in a recorded event.
struct InstanceRecord {
  uint64_t id = 0;
  uint64_t class_id = 0;
  SyncKind kind = SyncKind::kLock;
  uint64_t file_sid = 0;  // this instance's construction site
  uint32_t line = 0;
  uint64_t name_sid = 0;  // explicit name, 0 if none
  int64_t initial_value = 0;  // semaphores: the initial count (zig-zag encoded)
  uint64_t site_stack_id = 0;  // preload: one frame, where the lock was first seen
  // Appended field: the name that identifies the object across processes (ProcessLock,
  // ProcessQueue), 0 if none. Absent in older files; omitted by the writer when 0.
  uint64_t global_name_sid = 0;
  // Appended: an unnamed wrapper lock in static storage (a global `lockgraph::Lock`), an
  // address of module `object_module`, so the analyzer names it by its variable. 0: none.
  uint64_t object_module = 0;
  uint64_t object_offset = 0;
};

struct InstanceEndRecord {
  uint64_t id = 0;
  uint64_t time_ns = 0;
};

struct ThreadStartRecord {
  uint32_t tid = 0;
  uint32_t parent_tid = 0;  // 0: started by code lockgraph did not see (no ordering known)
  uint32_t parent_segment = 0;
  uint64_t name_sid = 0;
  uint64_t os_tid = 0;
  uint64_t time_ns = 0;
};

struct ThreadEndRecord {
  uint32_t tid = 0;
  uint32_t segment = 0;  // the thread's last segment
  uint64_t time_ns = 0;
};

// `joiner`, in segment `joiner_segment`, joined `joined`; joiner continues in segment + 1.
struct ThreadJoinRecord {
  uint32_t joiner = 0;
  uint32_t joiner_segment = 0;
  uint32_t joined = 0;
  uint64_t time_ns = 0;
};

// `joiner`, in segment `joiner_segment`, saw its forked child process `child_pid` end
// (lockgraph::Process::join); joiner continues in segment + 1.
struct ProcessJoinRecord {
  uint32_t joiner = 0;
  uint32_t joiner_segment = 0;
  uint64_t child_pid = 0;
  uint64_t time_ns = 0;
};

struct HeldLock {
  uint64_t instance = 0;
  uint8_t flags = 0;        // AcquireFlags of that acquisition
  uint64_t stack_id = 0;    // one-frame stack: where it was taken
  bool operator==(const HeldLock&) const = default;
};

// Thread `tid`, in segment `segment`, holding `held` (in acquisition order), acquired
// `acquired`. Written once per thread, segment and distinct (held, acquired); the record counts
// as one occurrence, DependencyCountRecords add the rest.
struct DependencyRecord {
  uint64_t id = 0;
  uint32_t tid = 0;
  uint32_t segment = 0;
  uint64_t acquired = 0;
  uint8_t flags = 0;  // AcquireFlags
  std::vector<HeldLock> held = {};
  uint64_t stack_id = 0;  // where `acquired` was taken
  uint64_t time_ns = 0;
};

// A dependency record's fields but its held locks, for a reader that keeps the held locks of
// many records in one array (DecodeDependencyAppending): plain data.
struct DependencyHead {
  uint64_t id = 0;
  uint64_t acquired = 0;
  uint64_t stack_id = 0;
  uint64_t time_ns = 0;
  uint32_t tid = 0;
  uint32_t segment = 0;
  uint8_t flags = 0;
};

struct DependencyCountRecord {
  uint64_t id = 0;
  uint64_t count = 0;  // further occurrences since the last count record of this dependency
};

enum LongWaitFlags : uint8_t { kWaitTimedOut = 1 };

struct LongWaitRecord {
  uint32_t tid = 0;
  uint32_t segment = 0;
  uint64_t instance = 0;
  uint64_t wait_ns = 0;
  uint32_t holder_tid = 0;      // 0 if unknown (semaphores)
  uint64_t waiter_stack = 0;
  uint64_t holder_stack = 0;    // one frame: where the holder took the lock; 0 if unknown
  uint64_t time_ns = 0;         // when the wait ended
  uint8_t flags = 0;            // LongWaitFlags
};

struct MisuseRecord {
  MisuseKind kind = MisuseKind::kReleaseUnheld;
  uint32_t tid = 0;
  uint64_t instance = 0;
  uint32_t other_tid = 0;  // the holder, where one is involved
  uint64_t stack_id = 0;
  uint64_t time_ns = 0;
  uint64_t detail_sid = 0;
};

struct ClassStatsRecord {
  uint64_t class_id = 0;
  uint64_t acquisitions = 0;
  uint64_t contended = 0;  // acquisitions that had to wait
  uint64_t wait_total_ns = 0;
  uint64_t wait_max_ns = 0;
  uint64_t hold_samples = 0;  // hold times are sampled (option hold_sample)
  uint64_t hold_total_ns = 0;
  uint64_t hold_max_ns = 0;
  std::vector<std::pair<uint32_t, uint64_t>> wait_histogram;  // (bucket, count), nonzero only
};

// A semaphore released by a thread that had not acquired it: it is used as a signal.
struct SignalReleaseRecord {
  uint64_t instance = 0;
  uint32_t tid = 0;
  uint64_t time_ns = 0;
};

struct RuntimeStatsRecord {
  std::vector<std::pair<uint64_t, uint64_t>> counters;  // (name sid, value)
};

// Full mode: a run of one thread's events, in order (common/events.h). A thread's blocks
// follow each other in the file in the order it wrote them.
struct EventBlockRecord {
  uint32_t tid = 0;
  uint32_t segment = 0;   // the thread's segment at the first event
  uint64_t start_ns = 0;  // the time events' ticks count from
  uint64_t tick_ps = 0;   // picoseconds per tick unit (16 TSC ticks)
  uint64_t count = 0;     // events in `events`
  std::string events;
};

// One thread of a deadlock that happened: it holds `held` (taken at `held_stack`, one frame)
// and waits, without a timeout, for `waits_for` (at `wait_stack`), which the next thread of
// the record holds.
struct DeadlockThread {
  uint32_t tid = 0;
  uint32_t segment = 0;
  uint64_t held = 0;
  uint64_t held_stack = 0;
  uint64_t waits_for = 0;
  uint8_t flags = 0;  // AcquireFlags of the wait (kAcquireShared for a reader)
  uint64_t wait_stack = 0;
  bool operator==(const DeadlockThread&) const = default;
};

// A deadlock that happened (the runtime's live check, runtime/online/live_deadlock.h):
// threads[i] waits for the lock threads[(i + 1) % n] holds. One thread that waits for a
// non-recursive lock it holds itself is a record of one, whose held and waits_for are equal.
struct DeadlockRecord {
  uint64_t time_ns = 0;
  std::vector<DeadlockThread> threads;
};

using Record =
    std::variant<ProcessRecord, StringRecord, ModuleRecord, StackRecord, ClassRecord,
                 InstanceRecord, InstanceEndRecord, ThreadStartRecord, ThreadEndRecord,
                 ThreadJoinRecord, DependencyRecord, DependencyCountRecord, LongWaitRecord,
                 MisuseRecord, ClassStatsRecord, SignalReleaseRecord, RuntimeStatsRecord,
                 EventBlockRecord, ProcessJoinRecord, DeadlockRecord>;

RecordType TypeOf(const Record& record);

// Appends `varint type, varint length, payload` to `out`.
void EncodeRecord(const Record& record, std::string& out);

// Appends an event-block record with these fields and `events`, byte for byte what
// EncodeRecord writes for the same EventBlockRecord, without copying the events into one:
// the runtime's flush path, which would otherwise copy a 64 KiB buffer three times per block.
void EncodeEventBlock(uint32_t tid, uint32_t segment, uint64_t start_ns, uint64_t tick_ps,
                      uint64_t count, absl::string_view events, std::string& out);

// Appends the 16-byte file header.
void EncodeHeader(std::string& out);

// Decodes one payload. Unknown trailing bytes are ignored (fields appended by newer writers);
// a missing field or an out-of-range value is an error naming the field, except an appended
// field (InstanceRecord::global_name_sid), which older writers did not write: absent, it is 0.
absl::StatusOr<Record> DecodeRecord(RecordType type, absl::string_view payload);
// The same into `record`, which a reader keeps from one record to the next: in place where it
// holds a record of that type already, and a dependency's held list into the list `record`
// already has, so that reading a trace of dependencies allocates nothing per record. Errors as
// DecodeRecord's; after one, `record` holds what was decoded of the payload.
absl::Status DecodeRecordInto(RecordType type, absl::string_view payload, Record& record);
// The same for a dependency record, into `record` (whose held list keeps its memory).
absl::Status DecodeDependencyInto(absl::string_view payload, DependencyRecord& record);
// The same for a dependency record, into `head` and its held locks onto the end of `held`
// (on an error, `held` is left as it was): the held locks of many records in one array.
absl::Status DecodeDependencyAppending(absl::string_view payload, DependencyHead& head,
                                       std::vector<HeldLock>& held);
// And for a dependency count record.
absl::Status DecodeDependencyCountInto(absl::string_view payload, DependencyCountRecord& record);

}  // namespace lockgraph::format

#endif  // LOCKGRAPH_COMMON_TRACE_RECORDS_H_

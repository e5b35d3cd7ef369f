#include "absl/strings/string_view.h"
#include "common/trace_records.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/varint.h"

namespace lockgraph::format {
namespace {

// Each record's fields are listed once, in file order, by a Fields() overload; the encoder and
// the decoder are two visitors over that list, so they cannot disagree.
//
// A field appended to a record after files without it were written is visited with the
// kAppended tag: the decoder reads it as 0 when the payload ends before it, and the encoder
// leaves out a run of such fields at the end of a payload while they are 0, so a file that
// does not use them is byte for byte what older writers wrote.
struct AppendedField {};
inline constexpr AppendedField kAppended;

template <typename V> void Fields(V& v, ProcessRecord& r) {
  v(r.pid, "pid"); v(r.ppid, "ppid"); v(r.parent_tid, "parent_tid");
  v(r.parent_segment, "parent_segment"); v(r.mode, "mode"); v(r.realtime_ns, "realtime_ns");
  v(r.monotonic_ns, "monotonic_ns"); v(r.exe_sid, "exe"); v(r.options_sid, "options");
  v(r.version_sid, "version"); v(r.spawned_by_realtime_ns, "spawned_by_realtime_ns", kAppended);
}
template <typename V> void Fields(V& v, StringRecord& r) { v(r.id, "id"); v(r.text, "text"); }
template <typename V> void Fields(V& v, ModuleRecord& r) {
  v(r.id, "id"); v(r.path_sid, "path"); v(r.load_bias, "load_bias"); v(r.build_id, "build_id");
  v(r.function_sid, "function", kAppended);
}
template <typename V> void Fields(V& v, Frame& r) { v(r.module, "module"); v(r.offset, "offset"); }
template <typename V> void Fields(V& v, StackRecord& r) { v(r.id, "id"); v(r.frames, "frames"); }
template <typename V> void Fields(V& v, ClassRecord& r) {
  v(r.id, "id"); v(r.name_sid, "name"); v(r.kind, "kind"); v(r.file_sid, "file");
  v(r.line, "line"); v(r.function_sid, "function"); v(r.site_stack_id, "site_stack");
  v(r.origin, "origin", kAppended); v(r.object_module, "object_module", kAppended);
  v(r.object_offset, "object_offset", kAppended);
  v(r.first_use_stack_id, "first_use_stack", kAppended);
}
template <typename V> void Fields(V& v, InstanceRecord& r) {
  v(r.id, "id"); v(r.class_id, "class"); v(r.kind, "kind"); v(r.file_sid, "file");
  v(r.line, "line"); v(r.name_sid, "name"); v(r.initial_value, "initial_value");
  v(r.site_stack_id, "site_stack"); v(r.global_name_sid, "global_name", kAppended);
  v(r.object_module, "object_module", kAppended); v(r.object_offset, "object_offset", kAppended);
}
template <typename V> void Fields(V& v, InstanceEndRecord& r) {
  v(r.id, "id"); v(r.time_ns, "time");
}
template <typename V> void Fields(V& v, ThreadStartRecord& r) {
  v(r.tid, "tid"); v(r.parent_tid, "parent_tid"); v(r.parent_segment, "parent_segment");
  v(r.name_sid, "name"); v(r.os_tid, "os_tid"); v(r.time_ns, "time");
}
template <typename V> void Fields(V& v, ThreadEndRecord& r) {
  v(r.tid, "tid"); v(r.segment, "segment"); v(r.time_ns, "time");
}
template <typename V> void Fields(V& v, ThreadJoinRecord& r) {
  v(r.joiner, "joiner"); v(r.joiner_segment, "joiner_segment"); v(r.joined, "joined");
  v(r.time_ns, "time");
}
template <typename V> void Fields(V& v, ProcessJoinRecord& r) {
  v(r.joiner, "joiner"); v(r.joiner_segment, "joiner_segment"); v(r.child_pid, "child_pid");
  v(r.time_ns, "time");
}
// Inlined: a call per held lock was a tenth of reading a trace of dependencies.
template <typename V> ABSL_ATTRIBUTE_ALWAYS_INLINE void Fields(V& v, HeldLock& r) {
  v(r.instance, "instance"); v(r.flags, "flags"); v(r.stack_id, "stack");
}
// A dependency's fields, of a DependencyRecord, or of a DependencyHead with its held locks
// apart (HeldAppender).
template <typename V, typename R, typename Held> void DependencyFields(V& v, R& r, Held& held) {
  v(r.id, "id"); v(r.tid, "tid"); v(r.segment, "segment"); v(r.acquired, "acquired");
  v(r.flags, "flags"); v(held, "held"); v(r.stack_id, "stack"); v(r.time_ns, "time");
}
template <typename V> void Fields(V& v, DependencyRecord& r) { DependencyFields(v, r, r.held); }
template <typename V> void Fields(V& v, DependencyCountRecord& r) {
  v(r.id, "id"); v(r.count, "count");
}
template <typename V> void Fields(V& v, LongWaitRecord& r) {
  v(r.tid, "tid"); v(r.segment, "segment"); v(r.instance, "instance"); v(r.wait_ns, "wait");
  v(r.holder_tid, "holder_tid"); v(r.waiter_stack, "waiter_stack");
  v(r.holder_stack, "holder_stack"); v(r.time_ns, "time"); v(r.flags, "flags");
}
template <typename V> void Fields(V& v, MisuseRecord& r) {
  v(r.kind, "kind"); v(r.tid, "tid"); v(r.instance, "instance"); v(r.other_tid, "other_tid");
  v(r.stack_id, "stack"); v(r.time_ns, "time"); v(r.detail_sid, "detail");
}
template <typename V> void Fields(V& v, ClassStatsRecord& r) {
  v(r.class_id, "class"); v(r.acquisitions, "acquisitions"); v(r.contended, "contended");
  v(r.wait_total_ns, "wait_total"); v(r.wait_max_ns, "wait_max");
  v(r.hold_samples, "hold_samples"); v(r.hold_total_ns, "hold_total");
  v(r.hold_max_ns, "hold_max"); v(r.wait_histogram, "wait_histogram");
}
template <typename V> void Fields(V& v, SignalReleaseRecord& r) {
  v(r.instance, "instance"); v(r.tid, "tid"); v(r.time_ns, "time");
}
template <typename V> void Fields(V& v, RuntimeStatsRecord& r) { v(r.counters, "counters"); }
template <typename V> void Fields(V& v, EventBlockRecord& r) {
  v(r.tid, "tid"); v(r.segment, "segment"); v(r.start_ns, "start"); v(r.tick_ps, "tick_ps");
  v(r.count, "count"); v(r.events, "events");
}
template <typename V> void Fields(V& v, DeadlockThread& r) {
  v(r.tid, "tid"); v(r.segment, "segment"); v(r.held, "held"); v(r.held_stack, "held_stack");
  v(r.waits_for, "waits_for"); v(r.flags, "flags"); v(r.wait_stack, "wait_stack");
}
template <typename V> void Fields(V& v, DeadlockRecord& r) {
  v(r.time_ns, "time"); v(r.threads, "threads");
}
template <typename V, typename A, typename B> void Fields(V& v, std::pair<A, B>& r) {
  v(r.first, "key"); v(r.second, "value");
}

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  template <typename T>
  void operator()(T& value, const char*) {
    trim_to_ = std::string::npos;
    if constexpr (std::is_same_v<T, std::string>) {
      AppendVarint(out_, value.size());
      out_.append(value);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      AppendVarint(out_, ZigZag(value));
    } else if constexpr (std::is_enum_v<T>) {
      AppendVarint(out_, static_cast<uint64_t>(value));
    } else if constexpr (std::is_integral_v<T>) {
      AppendVarint(out_, value);
    } else if constexpr (requires { value.size(); value.begin(); }) {
      AppendVarint(out_, value.size());
      for (auto& element : value) Fields(*this, element);
    } else {
      Fields(*this, value);
    }
  }

  // Appended fields are integers.
  template <typename T>
  void operator()(T& value, const char* name, AppendedField) {
    static_assert(std::is_integral_v<T>);
    const size_t run = trim_to_;  // where a run of 0 appended fields before this one starts
    const size_t before = out_.size();
    (*this)(value, name);
    trim_to_ = value == 0 ? std::min(run, before) : std::string::npos;
  }

  // Drops the trailing appended fields that are 0.
  void Finish() {
    if (trim_to_ != std::string::npos) out_.resize(trim_to_);
  }

 private:
  std::string& out_;
  size_t trim_to_ = std::string::npos;  // where the trailing run of 0 appended fields starts
};

class Decoder {
 public:
  explicit Decoder(absl::string_view payload) : reader_(payload) {}

  // Inlined: a call per field was most of the cost of decoding a dependency record.
  template <typename T>
  ABSL_ATTRIBUTE_ALWAYS_INLINE void operator()(T& value, const char* name) {
    if (!error_.empty()) return;
    if constexpr (std::is_same_v<T, std::string>) {
      absl::string_view bytes;
      if (!reader_.ReadBytes(bytes)) return Fail(name);
      value.assign(bytes.data(), bytes.size());
    } else if constexpr (std::is_same_v<T, int64_t>) {
      uint64_t raw;
      if (!reader_.Read(raw)) return Fail(name);
      value = UnZigZag(raw);
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> raw;
      if (!reader_.ReadAs(raw)) return Fail(name);
      value = static_cast<T>(raw);
    } else if constexpr (std::is_integral_v<T>) {
      if (!reader_.ReadAs(value)) return Fail(name);
    } else if constexpr (requires { value.Append(); }) {  // elements added one by one
      uint64_t count;
      if (!reader_.Read(count) || count > reader_.remaining()) return Fail(name);
      for (uint64_t i = 0; i < count; ++i) Fields(*this, value.Append());
    } else if constexpr (requires { value.size(); value.begin(); }) {
      uint64_t count;
      // Each element takes at least one byte, which bounds a corrupt count.
      if (!reader_.Read(count) || count > reader_.remaining()) return Fail(name);
      value.resize(count);
      for (auto& element : value) Fields(*this, element);
    } else {
      Fields(*this, value);
    }
  }

  template <typename T>
  void operator()(T& value, const char* name, AppendedField) {
    if (!error_.empty() || reader_.at_end()) return;  // written before the field existed
    (*this)(value, name);
  }

  const std::string& error() const { return error_; }

 private:
  void Fail(const char* name) {
    error_ = absl::StrCat("field '", name, "' is truncated or out of range");
  }

  VarintReader reader_;
  std::string error_;
};

}  // namespace

RecordType TypeOf(const Record& record) {
  return std::visit(
      [](const auto& r) -> RecordType {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, ProcessRecord>) return RecordType::kProcess;
        if constexpr (std::is_same_v<T, StringRecord>) return RecordType::kString;
        if constexpr (std::is_same_v<T, ModuleRecord>) return RecordType::kModule;
        if constexpr (std::is_same_v<T, StackRecord>) return RecordType::kStack;
        if constexpr (std::is_same_v<T, ClassRecord>) return RecordType::kClass;
        if constexpr (std::is_same_v<T, InstanceRecord>) return RecordType::kInstance;
        if constexpr (std::is_same_v<T, InstanceEndRecord>) return RecordType::kInstanceEnd;
        if constexpr (std::is_same_v<T, ThreadStartRecord>) return RecordType::kThreadStart;
        if constexpr (std::is_same_v<T, ThreadEndRecord>) return RecordType::kThreadEnd;
        if constexpr (std::is_same_v<T, ThreadJoinRecord>) return RecordType::kThreadJoin;
        if constexpr (std::is_same_v<T, DependencyRecord>) return RecordType::kDependency;
        if constexpr (std::is_same_v<T, DependencyCountRecord>) {
          return RecordType::kDependencyCount;
        }
        if constexpr (std::is_same_v<T, LongWaitRecord>) return RecordType::kLongWait;
        if constexpr (std::is_same_v<T, MisuseRecord>) return RecordType::kMisuse;
        if constexpr (std::is_same_v<T, ClassStatsRecord>) return RecordType::kClassStats;
        if constexpr (std::is_same_v<T, SignalReleaseRecord>) return RecordType::kSignalRelease;
        if constexpr (std::is_same_v<T, RuntimeStatsRecord>) return RecordType::kRuntimeStats;
        if constexpr (std::is_same_v<T, EventBlockRecord>) return RecordType::kEventBlock;
        if constexpr (std::is_same_v<T, ProcessJoinRecord>) return RecordType::kProcessJoin;
        if constexpr (std::is_same_v<T, DeadlockRecord>) return RecordType::kDeadlock;
      },
      record);
}

void EncodeEventBlock(uint32_t tid, uint32_t segment, uint64_t start_ns, uint64_t tick_ps,
                      uint64_t count, absl::string_view events, std::string& out) {
  // The fields of Fields(EventBlockRecord), the events' length prefix included.
  uint8_t fields[6 * kMaxVarintBytes];
  size_t n = 0;
  for (uint64_t value : {uint64_t{tid}, uint64_t{segment}, start_ns, tick_ps, count,
                         uint64_t{events.size()}}) {
    n += EncodeVarint(value, fields + n);
  }
  AppendVarint(out, static_cast<uint64_t>(RecordType::kEventBlock));
  AppendVarint(out, n + events.size());
  out.append(reinterpret_cast<const char*>(fields), n);
  out.append(events.data(), events.size());
}

void EncodeHeader(std::string& out) {
  out.append(kTraceMagic, sizeof(kTraceMagic));
  for (uint32_t word : {kTraceVersion, uint32_t{0}}) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((word >> (8 * i)) & 0xff));
  }
}

void EncodeRecord(const Record& record, std::string& out) {
  std::string payload;
  Encoder encoder(payload);
  std::visit([&](const auto& r) { Fields(encoder, const_cast<std::decay_t<decltype(r)>&>(r)); },
             record);
  encoder.Finish();
  AppendVarint(out, static_cast<uint64_t>(TypeOf(record)));
  AppendVarint(out, payload.size());
  out.append(payload);
}

namespace {
// Decodes `payload` into the fields of `record` (an appended field the payload lacks is left
// as it was).
template <typename T>
absl::Status DecodeFields(absl::string_view payload, T& record) {
  Decoder decoder(payload);
  Fields(decoder, record);
  if (!decoder.error().empty()) return absl::DataLossError(decoder.error());
  return absl::OkStatus();
}
}  // namespace

absl::Status DecodeDependencyInto(absl::string_view payload, DependencyRecord& record) {
  std::vector<HeldLock> held = std::move(record.held);
  record = DependencyRecord{};
  record.held = std::move(held);  // every element is decoded again: no field is appended
  return DecodeFields(payload, record);
}

namespace {
// A held list decoded onto the end of the held locks of many records, a lock at a time (a
// resize of the whole array per record was a call each).
class HeldAppender {
 public:
  explicit HeldAppender(std::vector<HeldLock>& all) : all_(all), first_(all.size()) {}
  HeldLock& Append() { return all_.emplace_back(); }
  void Undo() { all_.resize(first_); }

 private:
  std::vector<HeldLock>& all_;
  const size_t first_;
};
}  // namespace

absl::Status DecodeDependencyAppending(absl::string_view payload, DependencyHead& head,
                                       std::vector<HeldLock>& held) {
  head = DependencyHead{};
  HeldAppender appended(held);
  Decoder decoder(payload);
  DependencyFields(decoder, head, appended);
  if (decoder.error().empty()) return absl::OkStatus();
  appended.Undo();
  return absl::DataLossError(decoder.error());
}

absl::Status DecodeDependencyCountInto(absl::string_view payload,
                                       DependencyCountRecord& record) {
  record = DependencyCountRecord{};
  return DecodeFields(payload, record);
}

namespace {
// Decodes `payload` into `record` as a T: in place if it holds a T already, without a record
// made apart and moved in.
template <typename T>
absl::Status DecodeInPlace(absl::string_view payload, Record& record) {
  T* r = std::get_if<T>(&record);
  if (r == nullptr) {
    r = &record.emplace<T>();
  } else {
    *r = T{};
  }
  return DecodeFields(payload, *r);
}
}  // namespace

absl::Status DecodeRecordInto(RecordType type, absl::string_view payload, Record& record) {
  switch (type) {
    case RecordType::kDependency: {  // its held list keeps its memory
      DependencyRecord* dependency = std::get_if<DependencyRecord>(&record);
      if (dependency == nullptr) dependency = &record.emplace<DependencyRecord>();
      return DecodeDependencyInto(payload, *dependency);
    }
    case RecordType::kDependencyCount:
      return DecodeDependencyCountInto(payload, record.emplace<DependencyCountRecord>());
    case RecordType::kProcess: return DecodeInPlace<ProcessRecord>(payload, record);
    case RecordType::kString: return DecodeInPlace<StringRecord>(payload, record);
    case RecordType::kModule: return DecodeInPlace<ModuleRecord>(payload, record);
    case RecordType::kStack: return DecodeInPlace<StackRecord>(payload, record);
    case RecordType::kClass: return DecodeInPlace<ClassRecord>(payload, record);
    case RecordType::kInstance: return DecodeInPlace<InstanceRecord>(payload, record);
    case RecordType::kInstanceEnd: return DecodeInPlace<InstanceEndRecord>(payload, record);
    case RecordType::kThreadStart: return DecodeInPlace<ThreadStartRecord>(payload, record);
    case RecordType::kThreadEnd: return DecodeInPlace<ThreadEndRecord>(payload, record);
    case RecordType::kThreadJoin: return DecodeInPlace<ThreadJoinRecord>(payload, record);
    case RecordType::kLongWait: return DecodeInPlace<LongWaitRecord>(payload, record);
    case RecordType::kMisuse: return DecodeInPlace<MisuseRecord>(payload, record);
    case RecordType::kClassStats: return DecodeInPlace<ClassStatsRecord>(payload, record);
    case RecordType::kSignalRelease: return DecodeInPlace<SignalReleaseRecord>(payload, record);
    case RecordType::kRuntimeStats: return DecodeInPlace<RuntimeStatsRecord>(payload, record);
    case RecordType::kEventBlock: return DecodeInPlace<EventBlockRecord>(payload, record);
    case RecordType::kProcessJoin: return DecodeInPlace<ProcessJoinRecord>(payload, record);
    case RecordType::kDeadlock: return DecodeInPlace<DeadlockRecord>(payload, record);
  }
  return absl::UnimplementedError(
      absl::StrCat("unknown record type ", static_cast<uint32_t>(type)));
}

absl::StatusOr<Record> DecodeRecord(RecordType type, absl::string_view payload) {
  Record record;
  if (absl::Status status = DecodeRecordInto(type, payload, record); !status.ok()) {
    return status;
  }
  return record;
}

absl::string_view RecordTypeName(RecordType type) {
  switch (type) {
    case RecordType::kProcess: return "process";
    case RecordType::kString: return "string";
    case RecordType::kModule: return "module";
    case RecordType::kStack: return "stack";
    case RecordType::kClass: return "class";
    case RecordType::kInstance: return "instance";
    case RecordType::kInstanceEnd: return "instance-end";
    case RecordType::kThreadStart: return "thread-start";
    case RecordType::kThreadEnd: return "thread-end";
    case RecordType::kThreadJoin: return "thread-join";
    case RecordType::kDependency: return "dependency";
    case RecordType::kDependencyCount: return "dependency-count";
    case RecordType::kLongWait: return "long-wait";
    case RecordType::kMisuse: return "misuse";
    case RecordType::kClassStats: return "class-stats";
    case RecordType::kSignalRelease: return "signal-release";
    case RecordType::kRuntimeStats: return "runtime-stats";
    case RecordType::kEventBlock: return "event-block";
    case RecordType::kProcessJoin: return "process-join";
    case RecordType::kDeadlock: return "deadlock";
  }
  return "unknown";
}

absl::string_view SyncKindName(SyncKind kind) {
  switch (kind) {
    case SyncKind::kLock: return "Lock";
    case SyncKind::kRLock: return "RLock";
    case SyncKind::kSemaphore: return "Semaphore";
    case SyncKind::kBoundedSemaphore: return "BoundedSemaphore";
    case SyncKind::kEvent: return "Event";
    case SyncKind::kCondition: return "Condition";
    case SyncKind::kQueue: return "Queue";
    case SyncKind::kPthreadMutex: return "pthread_mutex";
    case SyncKind::kPthreadRwlock: return "pthread_rwlock";
    case SyncKind::kPosixSemaphore: return "sem_t";
    case SyncKind::kProcessLock: return "ProcessLock";
    case SyncKind::kProcessQueue: return "ProcessQueue";
    case SyncKind::kShared: return "Shared";
    case SyncKind::kSharedLock: return "SharedLock";
  }
  return "unknown";
}

absl::string_view MisuseKindName(MisuseKind kind) {
  switch (kind) {
    case MisuseKind::kReleaseUnheld: return "release-unheld";
    case MisuseKind::kReleaseByNonOwner: return "release-by-non-owner";
    case MisuseKind::kSelfDeadlock: return "self-deadlock";
    case MisuseKind::kDestroyHeld: return "destroy-held";
    case MisuseKind::kOverRelease: return "over-release";
    case MisuseKind::kTaskDoneTooMany: return "task-done-too-many";
    case MisuseKind::kThreadApi: return "thread-api";
    case MisuseKind::kNotHeld: return "not-held";
    case MisuseKind::kOwnerDied: return "owner-died";
    case MisuseKind::kReleaseWrongMode: return "release-wrong-mode";
  }
  return "unknown";
}

absl::string_view TraceModeName(TraceMode mode) {
  return mode == TraceMode::kFull ? "full" : "deps";
}

}  // namespace lockgraph::format

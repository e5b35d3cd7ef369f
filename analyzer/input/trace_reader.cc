#include "analyzer/input/trace_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analyzer/input/decoded_records.h"
#include "analyzer/input/id_table.h"
#include "common/events.h"
#include "common/varint.h"

namespace lockgraph::analyzer {
namespace {

uint32_t ReadLe32(absl::string_view bytes) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

// Checks that a decoded record refers only to definitions seen before it, and files the
// definitions it makes.
class Definitions {
 public:
  Definitions(Trace& trace, bool keep_instances)
      : trace_(trace), keep_instances_(keep_instances) {}

  absl::Status Add(const format::Record& record) {
    return std::visit([&](const auto& r) { return Check(r); }, record);
  }
  absl::Status Add(const format::DependencyRecord& record) { return Check(record); }
  absl::Status Add(const format::DependencyHead& head, std::span<const format::HeldLock> held) {
    return CheckDependency(head, held);
  }
  // Also gives the place of the record's dependency among the file's dependency records.
  absl::Status Add(const format::DependencyCountRecord& record, uint32_t& dependency) {
    if (absl::Status s = Check(record); !s.ok()) return s;
    dependency = record.id <= in_order_ ? static_cast<uint32_t>(record.id - 1)
                                        : places_.Get(record.id) - 1;
    return absl::OkStatus();
  }

 private:
  absl::Status Need(bool ok, absl::string_view what, uint64_t id) {
    if (ok) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat("refers to undefined ", what, " ", id));
  }
  absl::Status String(uint64_t id) { return Need(id == 0 || strings_.contains(id), "string", id); }
  absl::Status Stack(uint64_t id) { return Need(id == 0 || stacks_.contains(id), "stack", id); }
  absl::Status Instance(uint64_t id) {
    return Need(instances_.contains(id), "lock instance", id);
  }

  absl::Status Check(const format::ProcessRecord& r) {
    for (uint64_t id : {r.exe_sid, r.options_sid, r.version_sid}) {
      if (absl::Status s = String(id); !s.ok()) return s;
    }
    trace_.process = r;
    return absl::OkStatus();
  }
  absl::Status Check(const format::StringRecord& r) {
    if (r.id == 0 || !strings_.Insert(r.id, 1)) return Redefined("string", r.id);
    trace_.strings[r.id] = r.text;
    return absl::OkStatus();
  }
  absl::Status Check(const format::ModuleRecord& r) {
    if (absl::Status s = String(r.path_sid); !s.ok()) return s;
    if (r.id == 0 || !trace_.modules.try_emplace(r.id, r).second) return Redefined("module", r.id);
    return absl::OkStatus();
  }
  absl::Status Check(const format::StackRecord& r) {
    for (const format::Frame& f : r.frames) {
      if (absl::Status s = Need(f.module == 0 || trace_.modules.contains(f.module), "module",
                                f.module);
          !s.ok()) {
        return s;
      }
    }
    if (r.id == 0 || !trace_.stacks.try_emplace(r.id, r).second) return Redefined("stack", r.id);
    stacks_.Insert(r.id, 1);
    return absl::OkStatus();
  }
  absl::Status Check(const format::ClassRecord& r) {
    for (uint64_t id : {r.name_sid, r.file_sid, r.function_sid}) {
      if (absl::Status s = String(id); !s.ok()) return s;
    }
    for (uint64_t id : {r.site_stack_id, r.first_use_stack_id}) {
      if (absl::Status s = Stack(id); !s.ok()) return s;
    }
    if (r.origin > static_cast<uint8_t>(format::ClassOrigin::kHeap)) {
      return absl::DataLossError(absl::StrCat("class ", r.id, ": unknown origin ", r.origin));
    }
    const bool needs_module = r.origin == static_cast<uint8_t>(format::ClassOrigin::kStatic);
    if (absl::Status s = Need(needs_module ? trace_.modules.contains(r.object_module)
                                           : r.object_module == 0,
                              "module", r.object_module);
        !s.ok()) {
      return s;
    }
    if (r.id == 0 || !classes_.Insert(r.id, 1)) return Redefined("class", r.id);
    trace_.classes.try_emplace(r.id, r);
    return absl::OkStatus();
  }
  absl::Status Check(const format::InstanceRecord& r) {
    if (absl::Status s = Need(classes_.contains(r.class_id), "class", r.class_id); !s.ok()) {
      return s;
    }
    for (uint64_t id : {r.file_sid, r.name_sid, r.global_name_sid}) {
      if (absl::Status s = String(id); !s.ok()) return s;
    }
    if (absl::Status s = Need(r.object_module == 0 || trace_.modules.contains(r.object_module),
                              "module", r.object_module);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = Stack(r.site_stack_id); !s.ok()) return s;
    if (r.id == 0 || !instances_.Insert(r.id, 1)) return Redefined("lock instance", r.id);
    if (keep_instances_) trace_.instances.try_emplace(r.id, r);
    return absl::OkStatus();
  }
  absl::Status Check(const format::InstanceEndRecord& r) { return Instance(r.id); }
  absl::Status Check(const format::ThreadStartRecord& r) { return String(r.name_sid); }
  absl::Status Check(const format::ThreadEndRecord&) { return absl::OkStatus(); }
  absl::Status Check(const format::ThreadJoinRecord&) { return absl::OkStatus(); }
  absl::Status Check(const format::ProcessJoinRecord&) { return absl::OkStatus(); }
  absl::Status Check(const format::DependencyRecord& r) { return CheckDependency(r, r.held); }
  // `r`: a DependencyRecord or a DependencyHead, whose held locks are `held`.
  template <typename D>
  absl::Status CheckDependency(const D& r, std::span<const format::HeldLock> held) {
    // Nearly every record of a large trace: its ids tested at once, a Status made only for
    // one that fails, by the checks below in their order.
    auto stack = [&](uint64_t id) { return id == 0 || stacks_.contains(id); };
    bool defined = instances_.contains(r.acquired) && stack(r.stack_id);
    for (const format::HeldLock& h : held) {
      defined = defined && instances_.contains(h.instance) && stack(h.stack_id);
    }
    if (defined && r.id != 0 && dependency_count_ != UINT32_MAX &&
        dependencies_.Insert(r.id, 1)) {
      Place(r.id);
      return absl::OkStatus();
    }
    if (absl::Status s = Instance(r.acquired); !s.ok()) return s;
    for (const format::HeldLock& h : held) {
      if (absl::Status s = Instance(h.instance); !s.ok()) return s;
      if (absl::Status s = Stack(h.stack_id); !s.ok()) return s;
    }
    if (r.id == 0 || dependencies_.contains(r.id)) return Redefined("dependency", r.id);
    if (absl::Status s = Stack(r.stack_id); !s.ok()) return s;
    // Places are 32-bit, as the model's indices of dependencies are.
    return absl::DataLossError(
        absl::StrCat("more than ", UINT32_MAX - 1, " dependency records in one file"));
  }
  // Notes the place of the dependency `id` just defined.
  void Place(uint64_t id) {
    const uint32_t place = dependency_count_++;
    if (!out_of_order_ && id == uint64_t{place} + 1) {
      in_order_ = place + 1;
    } else {
      out_of_order_ = true;
      places_.Insert(id, place + 1);
    }
  }
  absl::Status Check(const format::DependencyCountRecord& r) {
    return Need(dependencies_.contains(r.id), "dependency", r.id);
  }
  absl::Status Check(const format::LongWaitRecord& r) {
    if (absl::Status s = Instance(r.instance); !s.ok()) return s;
    if (absl::Status s = Stack(r.waiter_stack); !s.ok()) return s;
    return Stack(r.holder_stack);
  }
  absl::Status Check(const format::MisuseRecord& r) {
    if (r.instance != 0) {
      if (absl::Status s = Instance(r.instance); !s.ok()) return s;
    }
    if (absl::Status s = Stack(r.stack_id); !s.ok()) return s;
    return String(r.detail_sid);
  }
  absl::Status Check(const format::DeadlockRecord& r) {
    if (r.threads.empty()) return absl::DataLossError("a deadlock of no thread");
    for (const format::DeadlockThread& t : r.threads) {
      for (uint64_t instance : {t.held, t.waits_for}) {
        if (absl::Status s = Instance(instance); !s.ok()) return s;
      }
      if (absl::Status s = Stack(t.held_stack); !s.ok()) return s;
      if (absl::Status s = Stack(t.wait_stack); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  absl::Status Check(const format::ClassStatsRecord& r) {
    return Need(classes_.contains(r.class_id), "class", r.class_id);
  }
  absl::Status Check(const format::SignalReleaseRecord& r) { return Instance(r.instance); }
  // Every event must decode and name objects and stacks defined before the block.
  absl::Status Check(const format::EventBlockRecord& r) {
    format::EventDecoder events(r.events);
    format::Event e;
    uint64_t count = 0;
    while (events.Next(e)) {
      ++count;
      const format::EventOperands& o = e.operands;
      absl::Status s;
      switch (e.op) {
        case format::EventOp::kReadRaw:
        case format::EventOp::kWriteRaw:
          s = Stack(o.site);
          break;
        case format::EventOp::kRead:
        case format::EventOp::kWrite:
          s = Instance(o.object);
          if (s.ok()) s = Stack(o.site);
          break;
        case format::EventOp::kSpawn:
        case format::EventOp::kJoin:
        case format::EventOp::kJoinProcess:  // a pid
          break;
        default:
          s = Instance(o.object);
          break;
      }
      if (!s.ok()) return absl::DataLossError(absl::StrCat("event ", count, ": ", s.message()));
    }
    if (!events.ok()) return absl::DataLossError(absl::StrCat("events: ", events.error()));
    if (count != r.count) {
      return absl::DataLossError(
          absl::StrCat("holds ", count, " events, but its count says ", r.count));
    }
    return absl::OkStatus();
  }
  absl::Status Check(const format::RuntimeStatsRecord& r) {
    for (const auto& [sid, value] : r.counters) {
      if (absl::Status s = String(sid); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Redefined(absl::string_view what, uint64_t id) {
    return absl::DataLossError(absl::StrCat("defines ", what, " ", id, " again (or as 0)"));
  }

  Trace& trace_;
  const bool keep_instances_;
  // Defined ids, for the checks of every dependency and count record: trace_.instances and a
  // hash set of dependency ids cost a cache miss per lookup on large traces, and the stacks a
  // hash each (three a dependency); the strings and classes a hash each of those an instance
  // record names (a fifth of the records of a suite's traces).
  IdTable<uint8_t> instances_;
  IdTable<uint8_t> stacks_;
  IdTable<uint8_t> strings_;
  IdTable<uint8_t> classes_;
  IdTable<uint8_t> dependencies_;
  // The place of each dependency among the file's dependency records. The recorder numbers
  // them as it writes them, mostly: while the k-th has id k, its place is known without a
  // table, which holds only the places of those from the first out of that order on.
  uint32_t dependency_count_ = 0;
  uint32_t in_order_ = 0;  // the first in_order_ have ids 1..in_order_
  bool out_of_order_ = false;
  IdTable<uint32_t> places_;  // id -> place + 1, from the first out of order on
};

}  // namespace

const std::string& Trace::String(uint64_t id) const {
  static const std::string kEmpty;
  auto it = strings.find(id);
  return it != strings.end() ? it->second : kEmpty;
}

namespace {

// Parses a trace's bytes as they arrive: the header, then each record once it is whole, so a
// large file streams through a small buffer (ReadTraceFile) instead of being read whole.
class TraceParser {
 public:
  TraceParser(const std::string& name, const RecordVisitor& visit, const ReadOptions& options)
      : visit_(visit),
        visit_dependency_(options.dependencies),
        dependencies_into_(options.dependencies_into),
        visit_count_(options.dependency_counts),
        definitions_(trace_, options.keep_instances) {
    trace_.path = name;
  }

  // The file's first bytes (at least the header's 16, unless the file is shorter).
  absl::Status Header(absl::string_view bytes) {
    const std::string& name = trace_.path;
    if (bytes.size() < format::kHeaderSize ||
        bytes.substr(0, sizeof(format::kTraceMagic)) !=
            absl::string_view(format::kTraceMagic, sizeof(format::kTraceMagic))) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": not a lockgraph trace (no LGTRACE header)"));
    }
    trace_.version = ReadLe32(bytes.substr(8, 4));
    if (trace_.version != format::kTraceVersion) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": trace format version ",
                                                     trace_.version, " is not supported (this "
                                                     "lockgraph reads version ",
                                                     format::kTraceVersion, ")"));
    }
    return absl::OkStatus();
  }

  // Parses the whole records at the start of `bytes`, which begins at byte `offset` of the
  // file, and returns how many bytes they take: the rest is a record not yet whole.
  absl::StatusOr<size_t> Records(absl::string_view bytes, uint64_t offset) {
    const std::string& name = trace_.path;
    format::VarintReader reader(bytes);
    while (!reader.at_end()) {
      const size_t start = reader.position();
      const uint64_t at = offset + start;
      uint64_t type = 0, length = 0;
      const bool framed = reader.Read(type) && reader.Read(length);
      if (framed && length > format::kMaxRecordSize) {
        return absl::DataLossError(absl::StrCat(name, ": byte ", at, ": record ", index_ + 1,
                                                " claims ", length, " bytes: corrupt trace"));
      }
      if (!framed || length > reader.remaining()) return start;
      const absl::string_view payload = bytes.substr(reader.position(), length);
      reader.Skip(length);
      ++index_;
      const auto record_type = static_cast<format::RecordType>(type);
      // A dependency for dependencies_into_ is decoded into the records it gives, one for
      // visit_dependency_ into dependency_, kept from one to the next, a count for
      // visit_count_ into count_; any other record into the one kept from the last. None
      // allocates per dependency: a held list's storage waits in spare_held_ while other
      // records (count records, every other one) take the place.
      const bool is_dependency = type == static_cast<uint64_t>(format::RecordType::kDependency);
      DecodedRecords* into = nullptr;  // holds the dependency, decoded, as its last record
      const bool dependency_apart = is_dependency && !dependencies_into_ && visit_dependency_;
      const bool count_apart =
          type == static_cast<uint64_t>(format::RecordType::kDependencyCount) && visit_count_;
      format::Record& record = scratch_.record;
      absl::Status status;
      if (is_dependency && dependencies_into_) {
        DecodedRecords* target = dependencies_into_(at);
        if (target == nullptr) {
          dropped_.Clear();
          target = &dropped_;
        }
        status = target->DecodeDependency(payload);
        if (status.ok()) into = target;
      } else if (dependency_apart) {
        status = format::DecodeDependencyInto(payload, dependency_);
      } else if (count_apart) {
        status = format::DecodeDependencyCountInto(payload, count_);
      } else {
        if (auto* dependency = std::get_if<format::DependencyRecord>(&record)) {
          if (record_type != format::RecordType::kDependency) {
            spare_held_ = std::move(dependency->held);
          }
        } else if (record_type == format::RecordType::kDependency) {
          record.emplace<format::DependencyRecord>().held = std::move(spare_held_);
        }
        status = type > UINT32_MAX ? absl::UnimplementedError("unknown record type")
                                   : format::DecodeRecordInto(record_type, payload, record);
      }
      if (!status.ok() && absl::IsUnimplemented(status)) {
        if (unknown_types_.insert(type).second) {
          trace_.warnings.push_back(absl::StrCat(name, ": byte ", at,
                                                 ": skipped records of unknown type ", type,
                                                 " (written by a newer lockgraph?)"));
        }
        continue;
      }
      if (status.ok()) {
        if (index_ == 1 && record_type != format::RecordType::kString &&
            record_type != format::RecordType::kProcess) {
          status = absl::DataLossError("the trace does not start with its process record");
        } else {
          const size_t last = into != nullptr ? into->dependency_count() - 1 : 0;
          status = into != nullptr   ? definitions_.Add(into->dependency(last), into->held_of(last))
                   : dependency_apart ? definitions_.Add(dependency_)
                   : count_apart      ? definitions_.Add(count_, count_dependency_)
                                      : definitions_.Add(record);
        }
        saw_process_ |= record_type == format::RecordType::kProcess;
      }
      if (!status.ok()) {
        if (into != nullptr) into->DropLastDependency();
        return absl::DataLossError(absl::StrCat(name, ": byte ", at, ": record ", index_, " (",
                                                format::RecordTypeName(record_type),
                                                "): ", status.message()));
      }
      if (into != nullptr) continue;  // in its records already
      if (dependency_apart) {
        visit_dependency_(trace_, at, dependency_);
      } else if (count_apart) {
        visit_count_(trace_, at, count_, count_dependency_);
      } else if (visit_) {
        scratch_.offset = at;
        visit_(trace_, scratch_);
      } else {
        trace_.records.push_back({at, std::move(record)});
      }
    }
    return bytes.size();
  }

  // The file has ended; `rest`, at byte `offset`, is what followed its last whole record.
  absl::StatusOr<Trace> Finish(absl::string_view rest, uint64_t offset) {
    if (!rest.empty()) {
      trace_.warnings.push_back(absl::StrCat(
          trace_.path, ": the file ends inside a record at byte ", offset,
          " (cut short by a crash?); read the ", index_, " whole records before it"));
    }
    if (!saw_process_) {
      return absl::DataLossError(
          absl::StrCat(trace_.path, ": no process record (an empty trace?)"));
    }
    return std::move(trace_);
  }

 private:
  const RecordVisitor& visit_;
  const DependencyVisitor& visit_dependency_;
  const std::function<DecodedRecords*(uint64_t)>& dependencies_into_;
  const DependencyCountVisitor& visit_count_;
  Trace trace_;
  Definitions definitions_;
  TraceRecord scratch_;  // the record being read
  format::DependencyRecord dependency_;  // the dependency being read, for visit_dependency_
  DecodedRecords dropped_;  // a dependency dependencies_into_ gives no records for
  format::DependencyCountRecord count_;  // the count being read, for visit_count_
  uint32_t count_dependency_ = 0;        // its dependency's place
  std::vector<format::HeldLock> spare_held_;
  size_t index_ = 0;
  bool saw_process_ = false;
  absl::flat_hash_set<uint64_t> unknown_types_;
};

}  // namespace

absl::StatusOr<Trace> ParseTrace(absl::string_view bytes, const std::string& name,
                                 const RecordVisitor& visit, const ReadProgress& progress,
                                 const ReadOptions& options) {
  TraceParser parser(name, visit, options);
  if (absl::Status status = parser.Header(bytes); !status.ok()) return status;
  absl::StatusOr<size_t> used = parser.Records(bytes.substr(format::kHeaderSize),
                                               format::kHeaderSize);
  if (!used.ok()) return used.status();
  if (progress) progress(bytes.size(), bytes.size());
  const size_t end = format::kHeaderSize + *used;
  return parser.Finish(bytes.substr(end), end);
}

absl::StatusOr<Trace> ReadTraceFile(const std::string& path, const RecordVisitor& visit,
                                    const ReadProgress& progress, const ReadOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a trace file"));
  }
  // The file streams through `buffer`, read into after the bytes not parsed yet (a record not
  // yet whole), which move to its front after each parse: at most 1 MiB, or the file's size
  // and a byte (to see its end in one read), or more for a larger record. Not zero-filled:
  // a string grown by a chunk per read wrote every byte twice.
  constexpr size_t kChunk = 1 << 20;
  TraceParser parser(path, visit, options);
  size_t capacity = std::clamp<size_t>(static_cast<size_t>(st.st_size) + 1, 4096, kChunk);
  std::unique_ptr<char[]> buffer(new char[capacity]);
  size_t filled = 0;    // bytes in the buffer, from file byte `offset` on
  uint64_t offset = 0;
  bool header = false, end = false;
  while (!end) {
    if (filled == capacity) {  // a record larger than the buffer
      std::unique_ptr<char[]> larger(new char[2 * capacity]);
      std::memcpy(larger.get(), buffer.get(), filled);
      buffer = std::move(larger);
      capacity *= 2;
    }
    ssize_t n;
    do {
      n = read(fd, buffer.get() + filled, capacity - filled);
    } while (n < 0 && errno == EINTR);
    filled += static_cast<size_t>(std::max<ssize_t>(n, 0));
    end = n <= 0;
    size_t parsed = 0;
    if (!header) {
      if (filled < format::kHeaderSize && !end) continue;
      if (absl::Status status = parser.Header(absl::string_view(buffer.get(), filled));
          !status.ok()) {
        close(fd);
        return status;
      }
      header = true;
      parsed = std::min(filled, format::kHeaderSize);
    }
    absl::StatusOr<size_t> used = parser.Records(
        absl::string_view(buffer.get() + parsed, filled - parsed), offset + parsed);
    if (!used.ok()) {
      close(fd);
      return used.status();
    }
    parsed += *used;
    std::memmove(buffer.get(), buffer.get() + parsed, filled - parsed);  // the record not whole
    filled -= parsed;
    offset += parsed;
    if (progress) progress(std::min<uint64_t>(offset, st.st_size), st.st_size);
  }
  close(fd);
  return parser.Finish(absl::string_view(buffer.get(), filled), offset);
}

absl::StatusOr<Trace> RereadTrace(const Trace& trace, const RecordVisitor& visit,
                                  const ReadProgress& progress) {
  if (trace.contents == nullptr) return ReadTraceFile(trace.path, visit, progress);
  absl::StatusOr<Trace> again = ParseTrace(*trace.contents, trace.path, visit, progress);
  if (again.ok()) again->contents = trace.contents;
  return again;
}

}  // namespace lockgraph::analyzer

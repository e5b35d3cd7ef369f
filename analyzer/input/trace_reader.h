// Reads lockgraph trace files (docs/trace-format.md) into memory: every record in file order,
// plus the definition tables (strings, modules, stacks, classes, instances) they refer to.
//
//   absl::StatusOr<Trace> trace = ReadTraceFile("lockgraph.1234.lgtrace");
//   if (!trace.ok()) { /* "FILE: byte 812: record 9 (dependency): ..." */ }
//   for (const TraceRecord& r : trace->records) ...
//   ReadTraceFile(path, [](const Trace& t, const TraceRecord& r) { ... });  // streaming
//
// The only code that parses trace bytes. A file that is not a trace, has another version or
// holds a corrupt record is an error naming the file, the byte offset and the record. A file
// cut short inside its last record (the process crashed while writing) is read up to its
// last whole record, with a warning.
#ifndef LOCKGRAPH_ANALYZER_INPUT_TRACE_READER_H_
#define LOCKGRAPH_ANALYZER_INPUT_TRACE_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/trace_records.h"

namespace lockgraph::analyzer {

class DecodedRecords;  // analyzer/input/decoded_records.h

struct TraceRecord {
  uint64_t offset = 0;  // of the record's first byte in the file
  format::Record record;
};

struct Trace {
  std::string path;
  // Set for a trace built in memory (an import, Model::AddTraceBytes): its bytes, read again
  // from here instead of from `path` (which then only names it in messages).
  std::shared_ptr<const std::string> contents;
  uint32_t version = 0;
  format::ProcessRecord process;
  std::vector<TraceRecord> records;
  std::vector<std::string> warnings;

  absl::flat_hash_map<uint64_t, std::string> strings;
  absl::flat_hash_map<uint64_t, format::ModuleRecord> modules;
  absl::flat_hash_map<uint64_t, format::StackRecord> stacks;
  // These two are emptied once a Model has filed the trace (its classes and locks carry what
  // the analysis needs). `instances` stays empty unless ReadOptions::keep_instances.
  absl::flat_hash_map<uint64_t, format::ClassRecord> classes;
  absl::flat_hash_map<uint64_t, format::InstanceRecord> instances;

  // The text of string `id` ("" for 0).
  const std::string& String(uint64_t id) const;
};

// Called for each record in file order, once the definitions it refers to are in `trace`.
using RecordVisitor = std::function<void(const Trace& trace, const TraceRecord& record)>;
// Called now and then with the bytes parsed so far and the file's size.
using ReadProgress = std::function<void(uint64_t done, uint64_t total)>;

// Called for each dependency record in file order, once the definitions it refers to are in
// `trace`, with the offset of its first byte: nearly all of a large trace, taken without the
// std::variant of a TraceRecord.
using DependencyVisitor = std::function<void(const Trace& trace, uint64_t offset,
                                             const format::DependencyRecord& record)>;

// Called for each dependency count record, as DependencyVisitor is for dependency records,
// with the place of the record's dependency among the file's dependency records (0: the
// first): found where the reader checks that dependency is defined, so that a reader of
// the records in that order needs no table of its own from dependency ids.
using DependencyCountVisitor =
    std::function<void(const Trace& trace, uint64_t offset,
                       const format::DependencyCountRecord& record, uint32_t dependency)>;

// What a reader keeps of the definitions it passes to the visitor, and where its records go.
struct ReadOptions {
  // Trace::instances, for a reader that looks a lock instance up by id later (a dump, the
  // Chrome trace). A Model makes each lock at its instance record and needs no such table: on
  // a large trace its largest (10^5 records of about 100 bytes, in a hash map). Instances are
  // checked either way.
  bool keep_instances = true;
  // If set, dependency records go to it, not to the visitor (nor to Trace::records).
  DependencyVisitor dependencies = {};
  // If set instead, each dependency record is decoded straight into the records it gives for
  // the record at byte `offset` (nullptr: the record is checked, and dropped): no record in
  // between to copy from.
  std::function<DecodedRecords*(uint64_t offset)> dependencies_into = {};
  // If set, dependency count records (half as many as dependencies) go to it, likewise.
  DependencyCountVisitor dependency_counts = {};
};

// Reads a whole trace. With a visitor, records are passed to it instead of being kept in
// Trace::records (the definition tables are kept either way): large traces stream.
// The file streams through a buffer of at most 1 MiB (more for a larger record); memory does
// not grow with its size.
absl::StatusOr<Trace> ReadTraceFile(const std::string& path, const RecordVisitor& visit = {},
                                    const ReadProgress& progress = {},
                                    const ReadOptions& options = {});
// Parses the bytes of a trace; `name` is used in messages.
absl::StatusOr<Trace> ParseTrace(absl::string_view bytes, const std::string& name,
                                 const RecordVisitor& visit = {},
                                 const ReadProgress& progress = {},
                                 const ReadOptions& options = {});
// Reads a trace read before once more (a second pass, such as the full-mode replay): from its
// file, or from its contents if it was built in memory.
absl::StatusOr<Trace> RereadTrace(const Trace& trace, const RecordVisitor& visit,
                                  const ReadProgress& progress = {});

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_TRACE_READER_H_

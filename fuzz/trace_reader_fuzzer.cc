// libFuzzer target: the trace reader (analyzer/input/trace_reader.h) on arbitrary bytes. Every record
// the reader accepts is visited: its type taken, the strings it names looked up, and a full-mode
// event block decoded event by event (common/events.h), as the analysis would. The bytes are
// parsed again with dependency and dependency count records to visitors of their own
// (ReadOptions::dependencies, dependency_counts, as the analyzer's prefetcher reads): the same
// records, in the same order, with the same result, and each count record with its
// dependency's place among the dependency records before it, or the target aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/input/trace_reader.h"
#include "common/events.h"
#include "common/trace_records.h"

namespace {

using ::lockgraph::analyzer::Trace;
using ::lockgraph::analyzer::TraceRecord;

void Visit(const Trace& trace, const TraceRecord& record) {
  (void)::lockgraph::format::TypeOf(record.record);
  if (const auto* block = std::get_if<::lockgraph::format::EventBlockRecord>(&record.record)) {
    ::lockgraph::format::EventDecoder events(block->events);
    ::lockgraph::format::Event event;
    uint64_t n = 0;
    while (events.Next(event)) ++n;
    (void)n;
  }
  if (const auto* string = std::get_if<::lockgraph::format::StringRecord>(&record.record)) {
    (void)trace.String(string->id).size();
  }
}

// Each record visited, by offset and encoding.
using Seen = std::vector<std::pair<uint64_t, std::string>>;

std::string Encoded(const ::lockgraph::format::Record& record) {
  std::string bytes;
  ::lockgraph::format::EncodeRecord(record, bytes);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  Seen together;
  absl::StatusOr<Trace> trace =
      ::lockgraph::analyzer::ParseTrace(bytes, "fuzz", [&](const Trace& t, const TraceRecord& r) {
        Visit(t, r);
        together.emplace_back(r.offset, Encoded(r.record));
      });
  if (trace.ok()) {
    for (const auto& [id, text] : trace->strings) (void)trace->String(id);
  } else {
    (void)trace.status().message().size();
  }
  Seen apart;
  std::vector<uint64_t> dependency_ids;  // by place in the file
  const absl::StatusOr<Trace> again = ::lockgraph::analyzer::ParseTrace(
      bytes, "fuzz",
      [&](const Trace&, const TraceRecord& r) { apart.emplace_back(r.offset, Encoded(r.record)); },
      {},
      {.dependencies = [&](const Trace&, uint64_t offset,
                           const ::lockgraph::format::DependencyRecord& r) {
         apart.emplace_back(offset, Encoded(r));
         dependency_ids.push_back(r.id);
       },
       .dependency_counts = [&](const Trace&, uint64_t offset,
                                const ::lockgraph::format::DependencyCountRecord& r,
                                uint32_t dependency) {
         // A count's dependency, by its place among those before it.
         if (dependency >= dependency_ids.size() || dependency_ids[dependency] != r.id) {
           std::abort();
         }
         apart.emplace_back(offset, Encoded(r));
       }});
  if (apart != together || again.ok() != trace.ok() ||
      (!trace.ok() && again.status() != trace.status()) ||
      (trace.ok() && again->warnings != trace->warnings)) {
    std::abort();
  }
  return 0;
}

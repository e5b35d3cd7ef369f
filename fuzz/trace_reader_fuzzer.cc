// libFuzzer target: the trace reader (analyzer/input/trace_reader.h) on arbitrary bytes. Every record
// the reader accepts is visited: its type taken, the strings it names looked up, and a full-mode
// event block decoded event by event (common/events.h), as the analysis would.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Trace> trace = ::lockgraph::analyzer::ParseTrace(bytes, "fuzz", Visit);
  if (trace.ok()) {
    for (const auto& [id, text] : trace->strings) (void)trace->String(id);
  } else {
    (void)trace.status().message().size();
  }
  return 0;
}

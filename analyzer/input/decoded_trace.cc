#include "analyzer/input/decoded_trace.h"

#include <utility>

namespace lockgraph::analyzer {

absl::StatusOr<DecodedTrace> DecodeTraceFile(const std::string& path) {
  DecodedTrace decoded;
  absl::StatusOr<Trace> trace = ReadTraceFile(
      path, [&](const Trace&, const TraceRecord& r) { decoded.records.Add(r.record); },
      [&](uint64_t, uint64_t total) { decoded.file_bytes = total; },
      {.dependencies_into = [&](uint64_t) { return &decoded.records; },
       .dependency_counts = [&](const Trace&, uint64_t, const format::DependencyCountRecord& r,
                                uint32_t dependency) { decoded.records.AddCount(r, dependency); }});
  if (!trace.ok()) return trace.status();
  decoded.trace = *std::move(trace);
  return decoded;
}

}  // namespace lockgraph::analyzer

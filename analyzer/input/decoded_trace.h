// A whole trace file parsed into memory, for a model to file later (Model::AddDecodedTrace):
// its records decoded in file order (analyzer/input/decoded_records.h) and its definitions.
//
//   absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile("a.lgtrace");
//   decoded->records.ForEach(...);
#ifndef LOCKGRAPH_ANALYZER_INPUT_DECODED_TRACE_H_
#define LOCKGRAPH_ANALYZER_INPUT_DECODED_TRACE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "analyzer/input/decoded_records.h"
#include "analyzer/input/trace_reader.h"

namespace lockgraph::analyzer {

struct DecodedTrace {
  Trace trace;  // its definition tables and warnings; `records` is empty
  DecodedRecords records;
  uint64_t file_bytes = 0;  // the file's size
};

// Reads and parses a trace file, as ReadTraceFile does (the same errors and warnings), into
// memory.
absl::StatusOr<DecodedTrace> DecodeTraceFile(const std::string& path);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_DECODED_TRACE_H_

// For the fuzz targets that get as far as a model: everything `lockgraph analyze` and
// `lockgraph export` then do with it, without a symbolizer, so every reader of the model's
// records and every report writer runs on the fuzzed input.
#ifndef LOCKGRAPH_FUZZ_ANALYZE_MODEL_H_
#define LOCKGRAPH_FUZZ_ANALYZE_MODEL_H_

#include <string>

#include "analyzer/model/model.h"
#include "analyzer/streamed_cycles.h"

namespace lockgraph::fuzz {

// Finishes `model`, replays its events (if any), analyzes it and formats every report.
// Returns the JSON report ("" if the replay refused the events).
std::string AnalyzeModel(analyzer::Model& model);

// The JSON report of a model read with `streamed` judging each trace as it came
// (analyzer/streamed_cycles.h), or "" if it stopped or left a cycle undecided: where not
// empty, it must be AnalyzeModel's report of the same traces.
std::string AnalyzeStreamedModel(analyzer::Model& model, analyzer::StreamedCycles& streamed);

}  // namespace lockgraph::fuzz

#endif  // LOCKGRAPH_FUZZ_ANALYZE_MODEL_H_

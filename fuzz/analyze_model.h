// For the fuzz targets that get as far as a model: everything `lockgraph analyze` and
// `lockgraph export` then do with it, without a symbolizer, so every reader of the model's
// records and every report writer runs on the fuzzed input.
#ifndef LOCKGRAPH_FUZZ_ANALYZE_MODEL_H_
#define LOCKGRAPH_FUZZ_ANALYZE_MODEL_H_

#include "analyzer/model/model.h"

namespace lockgraph::fuzz {

// Finishes `model`, replays its events (if any), analyzes it and formats every report.
void AnalyzeModel(analyzer::Model& model);

}  // namespace lockgraph::fuzz

#endif  // LOCKGRAPH_FUZZ_ANALYZE_MODEL_H_

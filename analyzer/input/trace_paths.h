// The trace files named on a command line: files as given, directories searched recursively
// for *.lgtrace files (sorted, so output does not depend on directory order).
#ifndef LOCKGRAPH_ANALYZER_INPUT_TRACE_PATHS_H_
#define LOCKGRAPH_ANALYZER_INPUT_TRACE_PATHS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace lockgraph::analyzer {

// A missing path, or a directory without traces, is an error naming it.
absl::StatusOr<std::vector<std::string>> ExpandTracePaths(const std::vector<std::string>& paths);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_TRACE_PATHS_H_

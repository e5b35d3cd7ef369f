// Report output: whole lines to file descriptor 2 with write(2), never through iostreams or
// stdio, whose locks the program may hold (or which may be gone at exit).
#ifndef LOCKGRAPH_RUNTIME_BASE_STDERR_H_
#define LOCKGRAPH_RUNTIME_BASE_STDERR_H_

#include <string_view>

namespace lockgraph::runtime {

// Writes `text` (several lines are fine) to stderr at once; adds a final newline if missing.
void StderrLine(absl::string_view text);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_BASE_STDERR_H_

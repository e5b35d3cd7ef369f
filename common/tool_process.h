// Runs one of LLVM's tools (llvm-symbolizer, llvm-dwarfdump) on some input and returns what it
// printed. The child reads `input` from an unlinked temporary file (no SIGPIPE, no pipe
// deadlock), its stderr goes to /dev/null, and it gets the environment without LD_PRELOAD and
// LOCKGRAPH_OPTIONS, so it is never traced itself.
//
//   absl::StatusOr<std::string> out = RunTool({"/usr/bin/llvm-dwarfdump", "--name=g", "app"}, "");
#ifndef LOCKGRAPH_COMMON_TOOL_PROCESS_H_
#define LOCKGRAPH_COMMON_TOOL_PROCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lockgraph {

// `command[0]` is the program's path. An error if it cannot be started; its exit status is
// not checked (a tool that fails prints nothing useful, which the caller's parser reports).
absl::StatusOr<std::string> RunTool(const std::vector<std::string>& command,
                                    absl::string_view input);

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_TOOL_PROCESS_H_

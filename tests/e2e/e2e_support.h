// Helpers shared by the end-to-end tests: where the built programs are, how to run them with
// lockgraph options, and how to find a line of a source file by a marker comment (so tests
// do not break when unrelated lines move).
#ifndef LOCKGRAPH_TESTS_E2E_E2E_SUPPORT_H_
#define LOCKGRAPH_TESTS_E2E_E2E_SUPPORT_H_

#include <string>
#include <vector>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::testing {

// The built example program `name` (examples/), the lockgraph command, a source file.
std::string ExamplePath(const std::string& name);
std::string LockgraphCommand();
std::string SourcePath(const std::string& relative);

// The 1-based number of the first line of `file` containing `marker`; 0 if none.
int LineOf(const std::string& file, const std::string& marker);

// Runs a program with LOCKGRAPH_OPTIONS=`options`.
ProcessResult RunWithOptions(const std::string& program, const std::string& options);

// Runs `lockgraph ARGS...`.
ProcessResult RunLockgraph(const std::vector<std::string>& args);

// Counts the lines of `text` that contain `needle`.
int CountLines(const std::string& text, const std::string& needle);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_E2E_E2E_SUPPORT_H_

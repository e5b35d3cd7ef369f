#include "tests/e2e/e2e_support.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace lockgraph::testing {

#ifdef LOCKGRAPH_ASAN_RUNTIME
namespace {
// An AddressSanitizer build: every program the tests start (the uninstrumented ones that
// `lockgraph run` preloads the instrumented interposer into, too) gets the sanitizer runtime
// first. Leaks are checked by the unit tests; the real programs run here are not ours.
const bool kSanitizerEnvironment = [] {
  setenv("LD_PRELOAD", LOCKGRAPH_ASAN_RUNTIME, 1);
  const char* options = getenv("ASAN_OPTIONS");
  setenv("ASAN_OPTIONS",
         (std::string(options != nullptr ? options : "") + ":detect_leaks=0").c_str(), 1);
  return true;
}();
}  // namespace
#endif

std::string ExamplePath(const std::string& name) {
  return std::string(LOCKGRAPH_EXAMPLE_DIR) + "/" + name;
}

std::string LockgraphCommand() { return LOCKGRAPH_CLI; }

std::string SourcePath(const std::string& relative) {
  return std::string(LOCKGRAPH_SOURCE_DIR) + "/" + relative;
}

int LineOf(const std::string& file, const std::string& marker) {
  std::ifstream in(file);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find(marker) != std::string::npos) return number;
  }
  return 0;
}

ProcessResult RunWithOptions(const std::string& program, const std::string& options) {
  return RunProcess({program}, {"LOCKGRAPH_OPTIONS=" + options});
}

ProcessResult RunLockgraph(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LockgraphCommand()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

int CountLines(const std::string& text, const std::string& needle) {
  int count = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, end - start, needle) == 0 ||
        text.substr(start, end - start).find(needle) != std::string::npos) {
      ++count;
    }
    start = end + 1;
  }
  return count;
}

}  // namespace lockgraph::testing

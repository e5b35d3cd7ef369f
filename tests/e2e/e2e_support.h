// Helpers shared by the end-to-end tests: where the built programs are, how to run them with
// lockgraph options, and how to find a line of a source file by a marker comment (so tests
// do not break when unrelated lines move).
#ifndef LOCKGRAPH_TESTS_E2E_E2E_SUPPORT_H_
#define LOCKGRAPH_TESTS_E2E_E2E_SUPPORT_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::analyzer {
struct Trace;
}  // namespace lockgraph::analyzer

namespace lockgraph::testing {

// A directory of small test programs and the directory of their sources (one NAME.cc each).
struct Corpus {
  std::string program_dir;
  std::string source_dir;

  std::string Program(const std::string& name) const;  // the built program
  std::string Source(const std::string& name) const;   // its source file
  // "file:line" of the first line of program `name`'s source holding `marker`: a site as
  // reports print it (the file as the compiler saw it, an absolute path from CMake). A
  // marker that is not there fails the test.
  std::string Site(const std::string& name, const std::string& marker) const;
};

// tests/e2e/corpus: programs written with lockgraph's primitives, one per hazard or pattern.
extern const Corpus kCorpus;
// tests/e2e/preload_corpus: the same as plain std::mutex and pthread programs, for the preload.
extern const Corpus kPreloadCorpus;
// tests/e2e/full_corpus: programs for full mode (annotated state, signals).
extern const Corpus kFullCorpus;

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

// ---- Reading a JSON report (docs/reports.md) ----

// The unsuppressed counts of the summary, as {deadlock, potential, long-wait, misuse}.
std::vector<int> Counts(const nlohmann::json& report);
// The kind of every finding, in report order.
std::vector<std::string> Kinds(const nlohmann::json& report);
// The findings of one kind, in report order.
std::vector<nlohmann::json> FindingsOf(const nlohmann::json& report, const std::string& kind);
// The class of every lock of a finding, in order.
std::vector<std::string> LockClasses(const nlohmann::json& finding);
// The thread of every edge of a finding, in order (`thread 2 "forward" (pid 100)`).
std::vector<std::string> EdgeThreads(const nlohmann::json& finding);
// True if some frame of `stack` ("function file:line" strings) is at `site`.
bool StackHas(const nlohmann::json& stack, const std::string& site);

// The number of dependency records of a trace.
int DependencyCount(const analyzer::Trace& trace);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_E2E_E2E_SUPPORT_H_

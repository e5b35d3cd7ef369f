#include "tests/e2e/e2e_support.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gtest/gtest.h"

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

const Corpus kCorpus = {LOCKGRAPH_CORPUS_DIR, LOCKGRAPH_CORPUS_SOURCE_DIR};
const Corpus kPreloadCorpus = {LOCKGRAPH_PRELOAD_CORPUS_DIR, LOCKGRAPH_PRELOAD_CORPUS_SOURCE_DIR};
const Corpus kFullCorpus = {LOCKGRAPH_FULL_CORPUS_DIR, LOCKGRAPH_FULL_CORPUS_SOURCE_DIR};

std::string Corpus::Program(const std::string& name) const {
  return absl::StrCat(program_dir, "/", name);
}

std::string Corpus::Source(const std::string& name) const {
  return absl::StrCat(source_dir, "/", name, ".cc");
}

std::string Corpus::Site(const std::string& name, const std::string& marker) const {
  const int line = LineOf(Source(name), marker);
  EXPECT_GT(line, 0) << "no line of " << Source(name) << " holds \"" << marker << "\"";
  return absl::StrCat(Source(name), ":", line);
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

std::vector<int> Counts(const nlohmann::json& report) {
  const nlohmann::json& counts = report["summary"]["findings"];
  return {counts.value("deadlock", -1), counts.value("potential", -1),
          counts.value("long-wait", -1), counts.value("misuse", -1)};
}

std::vector<std::string> Kinds(const nlohmann::json& report) {
  std::vector<std::string> kinds;
  for (const nlohmann::json& f : report.value("findings", nlohmann::json::array())) {
    kinds.push_back(f["kind"]);
  }
  return kinds;
}

std::vector<std::string> EdgeThreads(const nlohmann::json& finding) {
  std::vector<std::string> threads;
  for (const nlohmann::json& edge : finding["edges"]) threads.push_back(edge["thread"]);
  return threads;
}

std::vector<nlohmann::json> FindingsOf(const nlohmann::json& report, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& f : report.value("findings", nlohmann::json::array())) {
    if (f.value("kind", "") == kind) out.push_back(f);
  }
  return out;
}

std::vector<std::string> LockClasses(const nlohmann::json& finding) {
  std::vector<std::string> classes;
  for (const nlohmann::json& lock : finding.value("locks", nlohmann::json::array())) {
    classes.push_back(lock["class"]);
  }
  return classes;
}

bool StackHas(const nlohmann::json& stack, const std::string& site) {
  for (const nlohmann::json& frame : stack) {
    if (absl::EndsWith(frame.get<std::string>(), " " + site)) return true;
  }
  return false;
}

int DependencyCount(const analyzer::Trace& trace) {
  int count = 0;
  for (const auto& r : trace.records) {
    count += std::holds_alternative<format::DependencyRecord>(r.record);
  }
  return count;
}

}  // namespace lockgraph::testing

#include "tests/faults/fault_support.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockgraph::testing {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::string FaultProgram(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_FAULT_PROGRAM_DIR, "/", name);
}

std::string FaultSource(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_FAULT_SOURCE_DIR, "/programs/", name, ".cc");
}

std::string FaultSite(const std::string& name, const std::string& marker) {
  const int line = LineOf(FaultSource(name), marker);
  EXPECT_GT(line, 0) << "no line of " << FaultSource(name) << " holds \"" << marker << "\"";
  return absl::StrCat(FaultSource(name), ":", line);
}

Analysis AnalyzeJson(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"analyze", "--format=json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult run = RunLockgraph(argv);
  Analysis result{run.exit_code, run.stderr_text, json()};
  result.report = json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(result.report.is_object()) << "no JSON report: " << run.stderr_text;
  if (!result.report.is_object()) result.report = json::object();
  return result;
}

void ExpectCycleThenDeadlock(const json& report) {
  const json findings = report.value("findings", json::array());
  std::vector<std::string> kinds;
  for (const json& f : findings) kinds.push_back(f["kind"]);
  ASSERT_THAT(kinds, ElementsAre("deadlock")) << report.dump(2);
  const json& f = findings[0];
  std::vector<std::string> classes;
  for (const json& lock : f["locks"]) {
    classes.push_back(lock["class"]);
    EXPECT_EQ(lock["site"],
              FaultSite("cycle_then", "// lock: " + lock["class"].get<std::string>()));
  }
  EXPECT_THAT(classes, UnorderedElementsAre("A", "B"));
  std::vector<std::string> edges;
  for (const json& e : f["edges"]) {
    const std::string thread = e["thread"];  // thread N "name" ...
    const size_t open = thread.find('"'), close = thread.rfind('"');
    const std::string name = open != std::string::npos && close > open
                                 ? thread.substr(open + 1, close - open - 1)
                                 : thread;
    edges.push_back(absl::StrCat(e["from"].get<std::string>(), "->", e["to"].get<std::string>(),
                                 " by ", name, " held at ",
                                 e["held_site"].get<std::string>(), " taken at ",
                                 e["acquire_site"].get<std::string>()));
  }
  EXPECT_THAT(edges, UnorderedElementsAre(
                         absl::StrCat("A->B by forward held at ",
                                      FaultSite("cycle_then", "// held: A (forward)"),
                                      " taken at ", FaultSite("cycle_then", "// edge: A -> B")),
                         absl::StrCat("B->A by backward held at ",
                                      FaultSite("cycle_then", "// held: B (backward)"),
                                      " taken at ", FaultSite("cycle_then", "// edge: B -> A"))));
}

}  // namespace lockgraph::testing

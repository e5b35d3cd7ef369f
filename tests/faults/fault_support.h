// Helpers of the fault tests (tests/faults): the built programs, running one until it says
// "ready" and then signalling it, and the analysis of the traces it left.
#ifndef LOCKGRAPH_TESTS_FAULTS_FAULT_SUPPORT_H_
#define LOCKGRAPH_TESTS_FAULTS_FAULT_SUPPORT_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace lockgraph::testing {

// A program of tests/faults/programs, built, and its source.
std::string FaultProgram(const std::string& name);
std::string FaultSource(const std::string& name);

// "SOURCE:LINE" of the line of the program `name` holding `marker`, as reports print sites.
std::string FaultSite(const std::string& name, const std::string& marker);

struct Analysis {
  int exit_code = -1;
  std::string stderr_text;
  nlohmann::json report;
};
// `lockgraph analyze --format=json ARGS...`.
Analysis AnalyzeJson(const std::vector<std::string>& args);

// The report holds exactly one deadlock, between locks "A" and "B" of cycle_then.cc, with the
// edges and lines that program marks.
void ExpectCycleThenDeadlock(const nlohmann::json& report);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_FAULTS_FAULT_SUPPORT_H_

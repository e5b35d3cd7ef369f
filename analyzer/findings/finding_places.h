// A place in the source for every finding. A program built without line tables (no -g, as
// CMake's default build type) has stacks of function names only, so a finding's place, an
// acquisition's first frame, would name no line. This pass falls back to the nearest frame of
// the finding's stacks that has a line, then to where one of its locks was created (a wrapper
// knows it from std::source_location without any debug information).
//
//   bool without_lines = GivePlaces(report.findings);   // then say so once in the report
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_FINDING_PLACES_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_FINDING_PLACES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

// "file:line" -> (file, line); nullopt if it names no line (an unknown site, a frame without
// line information: "Deposit() (app+0x1a2b)").
std::optional<std::pair<std::string, uint32_t>> ParseSite(const std::string& site);

// Gives each finding whose place names no file (a frame known by its function only) the best
// place it has. True if some finding had none of its own (the program, or part of it, has
// no line tables).
bool GivePlaces(std::vector<Finding>& findings);

// The warning a report shows once when GivePlaces returned true.
inline constexpr char kNoLineTablesWarning[] =
    "some stacks have no line information (the program was built without debug info): a "
    "finding without a line of its own points at the nearest frame with one, or where its "
    "lock was created; build with -g or -gline-tables-only to see every line";

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_FINDING_PLACES_H_

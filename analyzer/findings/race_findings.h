// Findings for the data races the full-mode replay found (analyzer/replay/race_detector.h):
// one `race` per pair of access sites, with both accesses' threads, stacks and held locks.
//
//   std::vector<Finding> races = RaceFindings(parts);   // prefetches the accesses' stacks
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_RACE_FINDINGS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_RACE_FINDINGS_H_

#include <vector>

#include "analyzer/findings/finding.h"
#include "analyzer/findings/finding_parts.h"

namespace lockgraph::analyzer {

std::vector<Finding> RaceFindings(FindingParts& parts);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_RACE_FINDINGS_H_

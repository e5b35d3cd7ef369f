// Findings for waits the runtime recorded: a `long-wait` per lock class and waiting site,
// the longest wait of the group with the waiter's and the holder's stacks.
//
//   std::vector<Finding> waits = LongWaitFindings(parts, /*long_wait_ns=*/100'000'000);
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_LONG_WAIT_FINDINGS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_LONG_WAIT_FINDINGS_H_

#include <cstdint>
#include <vector>

#include "analyzer/findings/finding.h"
#include "analyzer/findings/finding_parts.h"

namespace lockgraph::analyzer {

// Waits shorter than `long_wait_ns` are no findings.
std::vector<Finding> LongWaitFindings(FindingParts& parts, uint64_t long_wait_ns);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_LONG_WAIT_FINDINGS_H_

// Findings for misuse the runtime recorded (a release of an unheld lock, a self-deadlock, a
// held lock destroyed, ...): one `misuse` per kind, lock class and site, with how often.
//
//   std::vector<Finding> misuse = MisuseFindings(parts);
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_MISUSE_FINDINGS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_MISUSE_FINDINGS_H_

#include <vector>

#include "analyzer/findings/finding.h"
#include "analyzer/findings/finding_parts.h"

namespace lockgraph::analyzer {

std::vector<Finding> MisuseFindings(FindingParts& parts);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_MISUSE_FINDINGS_H_

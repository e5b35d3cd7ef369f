// A finding's stable id, "LG-" and 16 hex digits: a hash of its kind and of tokens that name
// the hazard without line numbers (class names, functions), so the same hazard keeps its id
// across runs, builds and unrelated edits; baselines and SARIF fingerprints rely on it.
//
//   f.id = MakeFindingId(FindingKind::kDeadlock, {ClassToken(a), ClassToken(b)});
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_FINDING_ID_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_FINDING_ID_H_

#include <string>
#include <vector>

#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

// The order of `tokens` does not matter (a cycle found from another lock is the same).
std::string MakeFindingId(FindingKind kind, std::vector<std::string> tokens);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_FINDING_ID_H_

// Findings for judged lock-order cycles: a `deadlock` (an instance cycle with a witness) or a
// `potential` one (a class cycle with a witness but none among instances), told as a story:
// each edge's thread, where it holds and where it takes the next lock, the fix; for a cycle
// that cannot deadlock, the reason it was ruled out (--explain); and deadlocks that happened.
//
//   Finding f = CycleFinding(parts, graph, cycle, FindingKind::kDeadlock);
//   RuledOutCycle r = RuledOutFinding(parts, graph, cycle);
//   Finding happened = ObservedDeadlockFinding(parts, model.observed_deadlocks()[0]);
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_CYCLE_FINDINGS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_CYCLE_FINDINGS_H_

#include "analyzer/filters/cycle_verdicts.h"
#include "analyzer/findings/finding.h"
#include "analyzer/findings/finding_parts.h"
#include "analyzer/graph/lock_graph.h"

namespace lockgraph::analyzer {

// `cycle` must have a witness (verdict kDeadlock). The cycle starts at its smallest class
// name, so the output does not depend on the order the search found it in; the finding points
// at the least used order, the one to change.
Finding CycleFinding(FindingParts& parts, const LockGraph& graph, const JudgedCycle& cycle,
                     FindingKind kind);

// A deadlock that happened (the runtime's live check recorded it): a `deadlock` marked
// observed, whose edges are where each thread held its lock and waited for the next. It has
// the id of the predicted finding of the same locks, which it replaces: it is its proof.
Finding ObservedDeadlockFinding(FindingParts& parts, const ModelObservedDeadlock& deadlock);

// `cycle` has no witness: its locks and the rule that rules it out.
RuledOutCycle RuledOutFinding(FindingParts& parts, const LockGraph& graph,
                              const JudgedCycle& cycle);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_CYCLE_FINDINGS_H_

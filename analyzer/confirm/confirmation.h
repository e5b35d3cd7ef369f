// `lockgraph confirm`'s part of the analysis: the steering plan that leads a run of the
// program toward one predicted cycle (read by runtime/online/steering.h), and the verdict on
// a steered run — did it deadlock on the locks the cycle names?
//
//   absl::StatusOr<std::string> plan = SteeringPlanFor(model, finding, {});
//   ... run the program with LOCKGRAPH_STEER=<file holding *plan>, analyze its traces ...
//   if (const Finding* hang = MatchingObservedDeadlock(finding, steered.report)) {
//     MarkConfirmed(finding, *hang, tries);
//   }
#ifndef LOCKGRAPH_ANALYZER_CONFIRM_CONFIRMATION_H_
#define LOCKGRAPH_ANALYZER_CONFIRM_CONFIRMATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "analyzer/findings/finding.h"
#include "analyzer/model/model.h"

namespace lockgraph::analyzer {

struct SteeringSettings {
  int pause_ms = 2000;   // the longest a thread is held back at once
  int max_timeouts = 3;  // pauses that ran out before a thread is steered no more
};

// True for the findings confirm tries: unsuppressed deadlocks and potential deadlocks.
bool IsConfirmable(const Finding& finding);

// The plan for `finding`, a cycle of `model` (the analysis of the first run): per edge, the
// keys its runtime gave the classes at both ends. An error if a class is not in the model.
absl::StatusOr<std::string> SteeringPlanFor(const Model& model, const Finding& finding,
                                            const SteeringSettings& settings);

// The deadlock of `steered` (the analysis of a steered run) that `predicted` foretold: an
// observed deadlock on the same lock classes. Null if none.
const Finding* MatchingObservedDeadlock(const Finding& predicted, const Report& steered);

void MarkConfirmed(Finding& finding, const Finding& hang, int tries);
void MarkNotReproduced(Finding& finding, int tries);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_CONFIRM_CONFIRMATION_H_

#include "analyzer/confirm/confirmation.h"

#include <set>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lockgraph::analyzer {
namespace {

// The class named `name` after the model's sites were resolved: the first of that name,
// which preload classes merged into it share (Model::ResolveSites).
const ModelClass* ClassNamed(const Model& model, const std::string& name) {
  for (uint32_t id = 1; id <= model.class_count(); ++id) {
    if (model.lock_class(id).name == name) return &model.lock_class(id);
  }
  return nullptr;
}

std::set<std::string> ClassesOf(const std::vector<FindingLock>& locks) {
  std::set<std::string> classes;
  for (const FindingLock& lock : locks) classes.insert(lock.class_name);
  return classes;
}

}  // namespace

bool IsConfirmable(const Finding& finding) {
  return !finding.suppressed &&
         (finding.kind == FindingKind::kDeadlock || finding.kind == FindingKind::kPotential) &&
         !finding.edges.empty();
}

absl::StatusOr<std::string> SteeringPlanFor(const Model& model, const Finding& finding,
                                            const SteeringSettings& settings) {
  std::string plan = absl::StrCat("lockgraph-steer 1\npause_ms ", settings.pause_ms,
                                  "\nmax_timeouts ", settings.max_timeouts, "\n");
  for (size_t i = 0; i < finding.edges.size(); ++i) {
    const FindingEdge& edge = finding.edges[i];
    for (const auto& [side, index] : {std::pair<const char*, size_t>{"from", edge.from},
                                      std::pair<const char*, size_t>{"to", edge.to}}) {
      const std::string& name = finding.locks[index].class_name;
      const ModelClass* c = ClassNamed(model, name);
      if (c == nullptr) {
        return absl::NotFoundError(absl::StrCat("class ", name, " is not in the traces"));
      }
      for (const std::string& key : c->trace_keys) {
        absl::StrAppend(&plan, side, " ", i, " ", key, "\n");
      }
    }
  }
  return plan;
}

const Finding* MatchingObservedDeadlock(const Finding& predicted, const Report& steered) {
  const std::set<std::string> classes = ClassesOf(predicted.locks);
  for (const Finding& f : steered.findings) {
    if (f.kind == FindingKind::kDeadlock && f.observed && ClassesOf(f.locks) == classes) {
      return &f;
    }
  }
  return nullptr;
}

void MarkConfirmed(Finding& finding, const Finding& hang, int tries) {
  finding.confirmation.tried = true;
  finding.confirmation.confirmed = true;
  finding.confirmation.tries = tries;
  finding.confirmation.hang_locks = hang.locks;
  finding.confirmation.hang = hang.edges;
}

void MarkNotReproduced(Finding& finding, int tries) {
  finding.confirmation = Finding::Confirmation{};
  finding.confirmation.tried = true;
  finding.confirmation.tries = tries;
}

}  // namespace lockgraph::analyzer

#include "analyzer/findings/misuse_findings.h"

#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/findings/finding_id.h"
#include "analyzer/findings/lock_labels.h"

namespace lockgraph::analyzer {

std::vector<Finding> MisuseFindings(FindingParts& parts) {
  const Model& model = parts.model();
  std::map<std::tuple<format::MisuseKind, uint32_t, std::string>, Finding> groups;
  for (const ModelMisuse& misuse : model.misuses()) {
    FindingStack stack = parts.Stack(misuse.stack);
    const std::string site = stack.site();
    const uint32_t class_id = misuse.lock != 0 ? model.lock(misuse.lock).class_id : 0;
    Finding& f = groups[{misuse.kind, class_id, site}];
    if (++f.occurrences > 1) continue;
    f.kind = FindingKind::kMisuse;
    f.waiter = parts.Thread(misuse.thread);
    f.holder = parts.Thread(misuse.other);
    f.waiter_stack = std::move(stack);
    std::string token;
    if (misuse.lock != 0) {
      const ModelLock& lock = model.lock(misuse.lock);
      f.locks = {parts.InstanceLock(lock)};
      token = ClassToken(model.lock_class(lock.class_id));
    }
    f.location = !site.empty() ? site : (f.locks.empty() ? "" : f.locks[0].site);
    f.message = absl::StrCat(format::MisuseKindName(misuse.kind), ": ", misuse.detail);
    const std::string function =
        f.waiter_stack.frames.empty() ? "" : f.waiter_stack.frames.front().function;
    f.id = MakeFindingId(FindingKind::kMisuse,
                         {std::string(format::MisuseKindName(misuse.kind)), token, function});
  }
  std::vector<Finding> findings;
  for (auto& [key, f] : groups) {
    if (f.occurrences > 1) absl::StrAppend(&f.message, " (", f.occurrences, " times)");
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace lockgraph::analyzer

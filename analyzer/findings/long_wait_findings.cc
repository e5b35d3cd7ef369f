#include "analyzer/findings/long_wait_findings.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analyzer/findings/finding_id.h"
#include "analyzer/findings/lock_labels.h"

namespace lockgraph::analyzer {
namespace {

std::string FormatMs(uint64_t ns) { return absl::StrFormat("%.1f ms", ns / 1e6); }

}  // namespace

std::vector<Finding> LongWaitFindings(FindingParts& parts, uint64_t long_wait_ns) {
  const Model& model = parts.model();
  // One finding per lock class and waiting site.
  std::map<std::pair<uint32_t, std::string>, Finding> groups;
  for (const ModelWait& wait : model.waits()) {
    if (wait.wait_ns < long_wait_ns) continue;
    const ModelLock& lock = model.lock(wait.lock);
    const ModelClass& cls = model.lock_class(lock.class_id);
    FindingStack waiter = parts.Stack(wait.waiter_stack);
    const std::string site = waiter.site();
    Finding& f = groups[{lock.class_id, site}];
    ++f.occurrences;
    f.wait_total_ns += wait.wait_ns;
    if (f.occurrences > 1 && wait.wait_ns <= f.wait_max_ns) continue;
    f.kind = FindingKind::kLongWait;
    f.wait_max_ns = wait.wait_ns;
    f.locks = {parts.InstanceLock(lock)};
    f.waiter = parts.Thread(wait.thread);
    f.holder = parts.Thread(wait.holder);
    f.waiter_stack = std::move(waiter);
    f.holder_stack = parts.Stack(wait.holder_stack);
    f.location = site.empty() ? f.locks[0].site : site;
    const std::string function =
        f.waiter_stack.frames.empty() ? "" : f.waiter_stack.frames.front().function;
    f.id = MakeFindingId(FindingKind::kLongWait, {ClassToken(cls), function});
  }
  std::vector<Finding> findings;
  for (auto& [key, f] : groups) {
    f.message = absl::StrFormat(
        "long wait: %s waited %s for %s%s%s", f.waiter.label(), FormatMs(f.wait_max_ns),
        f.locks[0].label, f.holder.id != 0 ? absl::StrCat(", held by ", f.holder.label()) : "",
        f.occurrences > 1 ? absl::StrCat(" (longest of ", f.occurrences, " such waits)") : "");
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace lockgraph::analyzer

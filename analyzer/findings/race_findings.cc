#include "analyzer/findings/race_findings.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/findings/finding_id.h"
#include "analyzer/findings/lock_labels.h"

namespace lockgraph::analyzer {

// One finding per pair of access sites (the replay grouped them already).
std::vector<Finding> RaceFindings(FindingParts& parts) {
  const Model& model = parts.model();
  std::vector<StackRef> stacks;
  for (const ModelRace& race : model.races()) {
    stacks.push_back(race.first.site);
    stacks.push_back(race.second.site);
  }
  parts.symbolizer().Prefetch(stacks);
  std::vector<Finding> findings;
  for (const ModelRace& race : model.races()) {
    Finding f;
    f.kind = FindingKind::kRace;
    f.occurrences = race.count;
    std::string what, token;
    if (race.variable != 0) {
      const ModelLock& var = model.lock(race.variable);
      const ModelClass& cls = model.lock_class(var.class_id);
      f.locks = {parts.InstanceLock(var)};
      what = ShortName(cls);
      token = ClassToken(cls);
    } else {
      what = absl::StrFormat("%d bytes at 0x%x", race.size, race.address);
    }
    std::vector<std::string> held[2];
    int i = 0;
    for (const ModelAccess* access : {&race.first, &race.second}) {
      FindingAccess out;
      out.thread = parts.Thread(access->thread);
      out.write = access->write;
      out.stack = parts.Stack(access->site);
      for (uint32_t lock : access->held) {
        out.held.push_back(ClassLabel(model.lock_class(model.lock(lock).class_id)));
      }
      held[i++] = out.held;
      f.accesses.push_back(std::move(out));
    }
    std::vector<std::string> common;
    for (const std::string& lock : held[0]) {
      if (std::find(held[1].begin(), held[1].end(), lock) != held[1].end()) {
        common.push_back(lock);
      }
    }
    const FindingAccess& a = f.accesses[0];
    const FindingAccess& b = f.accesses[1];
    f.location = !b.stack.site().empty() ? b.stack.site() : a.stack.site();
    if (f.location.empty() && !f.locks.empty()) f.location = f.locks[0].site;
    f.message = absl::StrCat(
        "data race on ", what, ": ", a.thread.label(), a.write ? " writes" : " reads", " and ",
        b.thread.label(), b.write ? " writes" : " reads", " with nothing ordering them (",
        common.empty() ? "no common lock"
                       : absl::StrCat("both hold ", absl::StrJoin(common, ", "),
                                      ", at least one of them shared"),
        ")");
    auto site_token = [](const FindingAccess& x) {
      const std::string function = x.stack.frames.empty() ? "" : x.stack.frames.front().function;
      return absl::StrCat(x.write ? "w@" : "r@", function);
    };
    f.id = MakeFindingId(FindingKind::kRace, {token, site_token(a), site_token(b)});
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace lockgraph::analyzer

#include "analyzer/findings/finding.h"

#include "absl/strings/str_cat.h"

namespace lockgraph::analyzer {

bool FindingLock::LabelHasSite() const {
  for (const char* marker : {" created at ", " first used at ", " allocated at ", " allocated in "}) {
    if (label.find(marker) != std::string::npos) return true;
  }
  return false;
}

const char* FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kDeadlock: return "deadlock";
    case FindingKind::kPotential: return "potential";
    case FindingKind::kRace: return "race";
    case FindingKind::kLongWait: return "long-wait";
    case FindingKind::kMisuse: return "misuse";
  }
  return "unknown";
}

std::string FindingStack::site() const {
  // The program's own frame (a whole stack, --full-stacks, starts in the library).
  for (const SourceFrame& frame : frames) {
    if (IsUserFrame(frame)) return FrameSite(frame);
  }
  return frames.empty() ? std::string() : FrameSite(frames.front());
}

std::string FindingThread::label() const {
  return absl::StrCat("thread ", id, " \"", name, "\" (pid ", pid, ")");
}

}  // namespace lockgraph::analyzer

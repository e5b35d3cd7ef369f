#include "analyzer/findings/finding.h"

#include "absl/strings/str_cat.h"

namespace lockgraph::analyzer {

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
  return frames.empty() ? std::string() : FrameSite(frames.front());
}

std::string FindingThread::label() const {
  return absl::StrCat("thread ", id, " \"", name, "\" (pid ", pid, ")");
}

}  // namespace lockgraph::analyzer

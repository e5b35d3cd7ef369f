#include "analyzer/findings/finding_id.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/fnv.h"

namespace lockgraph::analyzer {

std::string MakeFindingId(FindingKind kind, std::vector<std::string> tokens) {
  std::sort(tokens.begin(), tokens.end());
  uint64_t hash = Fnv1a64(FindingKindName(kind));
  for (const std::string& token : tokens) hash = Fnv1a64(token, Fnv1a64("|", hash));
  return absl::StrFormat("LG-%016x", hash);
}

}  // namespace lockgraph::analyzer

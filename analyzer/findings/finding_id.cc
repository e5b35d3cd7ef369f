#include "analyzer/findings/finding_id.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace lockgraph::analyzer {
namespace {

// 64-bit FNV-1a: a fixed function, so ids are the same in every build and run.
uint64_t Fnv1a(absl::string_view text, uint64_t hash = 0xcbf29ce484222325ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace

std::string MakeFindingId(FindingKind kind, std::vector<std::string> tokens) {
  std::sort(tokens.begin(), tokens.end());
  uint64_t hash = Fnv1a(FindingKindName(kind));
  for (const std::string& token : tokens) hash = Fnv1a(token, Fnv1a("|", hash));
  return absl::StrFormat("LG-%016x", hash);
}

}  // namespace lockgraph::analyzer

#include "analyzer/findings/finding_places.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace lockgraph::analyzer {
namespace {

// The first frame of the program's own code with a line, or "" (a line of the C++ library
// or of lockgraph, which do have line tables, says nothing about the program).
std::string NearestPlace(const FindingStack& stack) {
  for (const SourceFrame& frame : stack.frames) {
    if (IsUserFrame(frame) && frame.line != 0) return absl::StrCat(frame.file, ":", frame.line);
  }
  return {};
}

// The stacks of a finding, the one its place comes from first.
std::vector<const FindingStack*> StacksOf(const Finding& f) {
  std::vector<const FindingStack*> stacks;
  for (const FindingEdge& edge : f.edges) stacks.push_back(&edge.acquire);
  for (const FindingEdge& edge : f.edges) stacks.push_back(&edge.held);
  for (const FindingAccess& access : f.accesses) stacks.push_back(&access.stack);
  stacks.push_back(&f.waiter_stack);
  stacks.push_back(&f.holder_stack);
  return stacks;
}

// "file:N", N a number (0 too: an imported trace's location 0 is a place of its own).
bool NamesAFile(const std::string& site) {
  const size_t colon = site.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == site.size()) return false;
  uint32_t line = 0;
  return absl::SimpleAtoi(absl::string_view(site).substr(colon + 1), &line);
}

}  // namespace

std::optional<std::pair<std::string, uint32_t>> ParseSite(const std::string& site) {
  const size_t colon = site.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  uint32_t line = 0;
  if (!absl::SimpleAtoi(absl::string_view(site).substr(colon + 1), &line) || line == 0) {
    return std::nullopt;
  }
  return std::make_pair(site.substr(0, colon), line);
}

bool GivePlaces(std::vector<Finding>& findings) {
  bool without_lines = false;
  for (Finding& f : findings) {
    if (NamesAFile(f.location)) continue;
    without_lines = true;
    std::string place;
    for (const FindingStack* stack : StacksOf(f)) {
      place = NearestPlace(*stack);
      if (!place.empty()) break;
    }
    for (const FindingLock& lock : f.locks) {
      if (!place.empty()) break;
      if (ParseSite(lock.site)) place = lock.site;
    }
    if (!place.empty()) f.location = std::move(place);
  }
  return without_lines;
}

}  // namespace lockgraph::analyzer

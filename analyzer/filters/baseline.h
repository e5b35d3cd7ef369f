// The baseline filter (--baseline FILE): an earlier JSON report whose findings a team has
// accepted; a finding whose id is in it does not count (Finding::in_baseline), so CI fails
// only on new ones. Ids are stable across line moves (findings/finding_id.h).
//
//   absl::StatusOr<absl::flat_hash_set<std::string>> ids = ReadBaselineIds("baseline.json");
//   for (Finding& f : report.findings) f.in_baseline = ids->contains(f.id);
#ifndef LOCKGRAPH_ANALYZER_FILTERS_BASELINE_H_
#define LOCKGRAPH_ANALYZER_FILTERS_BASELINE_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace lockgraph::analyzer {

// The finding ids of an earlier JSON report. An unreadable file, invalid JSON or another
// schema version is an error naming the file.
absl::StatusOr<absl::flat_hash_set<std::string>> ReadBaselineIds(const std::string& path);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FILTERS_BASELINE_H_

// The JSON report (--format=json): a versioned schema, documented in docs/reports.md, that
// tools and tests rely on. Also the reader of a JSON report used as a --baseline.
#ifndef LOCKGRAPH_ANALYZER_REPORT_JSON_REPORT_H_
#define LOCKGRAPH_ANALYZER_REPORT_JSON_REPORT_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

inline constexpr int kJsonSchemaVersion = 1;

std::string FormatJsonReport(const Report& report);

// The finding ids of an earlier JSON report. An unreadable file, invalid JSON or another
// schema version is an error naming the file.
absl::StatusOr<absl::flat_hash_set<std::string>> ReadBaselineIds(const std::string& path);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_JSON_REPORT_H_

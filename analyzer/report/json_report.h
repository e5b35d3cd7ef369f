// The JSON report (--format=json): a versioned schema, documented in docs/reports.md, that
// tools and tests rely on (and --baseline reads: analyzer/filters/baseline.h).
#ifndef LOCKGRAPH_ANALYZER_REPORT_JSON_REPORT_H_
#define LOCKGRAPH_ANALYZER_REPORT_JSON_REPORT_H_

#include <string>

#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

inline constexpr int kJsonSchemaVersion = 1;

std::string FormatJsonReport(const Report& report);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_JSON_REPORT_H_

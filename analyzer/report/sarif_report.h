// The SARIF report (--format=sarif): the findings as a SARIF 2.1.0 log (OASIS Standard), for
// GitHub code scanning, IDE viewers and other SARIF tools. One run; one rule per finding kind;
// one result per finding, with the acquisitions, accesses and waits of the finding as related
// locations and as a code flow (one thread flow per thread). docs/reports.md lists the fields.
//
//   std::string sarif = FormatSarifReport(report, SarifOptions{.source_root = "/src/"});
//
// Suppressed findings carry a `suppressions` entry; with a baseline every result has a
// `baselineState` ("unchanged": in the baseline, "new": not). partialFingerprints holds the
// finding's stable id ("lockgraph/v1"), so results match across runs and line moves.
#ifndef LOCKGRAPH_ANALYZER_REPORT_SARIF_REPORT_H_
#define LOCKGRAPH_ANALYZER_REPORT_SARIF_REPORT_H_

#include <string>

#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

struct SarifOptions {
  // An absolute directory ending in '/', or empty. Files under it are written relative to it,
  // with uriBaseId "SRCROOT" (run.originalUriBaseIds says where it was); other absolute paths
  // become file:// URIs and relative paths stay relative.
  std::string source_root;
  // A baseline was given: every result says whether it is in it (baselineState).
  bool baseline = false;
  // The --suppressions file, named in the justification of suppressed results.
  std::string suppressions_file;
};

std::string FormatSarifReport(const Report& report, const SarifOptions& options);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_SARIF_REPORT_H_

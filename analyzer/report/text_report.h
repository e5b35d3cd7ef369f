// The text report, in the compiler's style so editors and CI logs link the lines:
//
//   src/bank.cc:48: error: lock-order cycle between "accounts" and "audit" [deadlock LG-...]
//       thread 3 "teller" (pid 812) holds "accounts" (taken at src/bank.cc:41) and takes ...
//           #0 Transfer(Account&, Account&) src/bank.cc:48
//       fix: keep one order ("accounts" before "audit") and change ...
//
// then a summary line. Suppressed and baseline findings are left out (counted in the summary).
#ifndef LOCKGRAPH_ANALYZER_REPORT_TEXT_REPORT_H_
#define LOCKGRAPH_ANALYZER_REPORT_TEXT_REPORT_H_

#include <string>
#include <vector>

#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

// `explain`: also list each ruled-out cycle with its reason.
std::string FormatTextReport(const Report& report, bool explain);

// The per-class statistics as a table (lockgraph stats).
std::string FormatStatsTable(const std::vector<ClassStatsRow>& rows);

// "1.2 ms", "3 us", "850 ns".
std::string FormatDuration(uint64_t ns);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_TEXT_REPORT_H_

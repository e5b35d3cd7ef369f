// The HTML report (--format=html): one self-contained page to open in a browser or keep as a CI
// artefact. It needs no network: the CSS, the pictures (inline SVG, laid out here) and the few
// lines of script (sorting the statistics table) are all in the file.
//
//   lockgraph analyze traces/ --format=html -o report.html
//
// The page shows the summary, then each finding: a cycle as a picture of its locks with the
// stacks of every edge side by side, a race's two accesses side by side, long waits as a bar
// chart with the waiter's and holder's stacks, misuse with its stack; then the per-class
// statistics, the ruled-out cycles (collapsed) and the suppressed or baseline findings
// (collapsed). Every string from the traces is escaped. The output is deterministic (no
// timestamps), so two runs over the same traces give the same file.
//
// Elements tools and tests may rely on: each cycle picture is an `svg.lg-cycle` with
// `data-nodes`/`data-edges`, its locks `g.lg-node` (`data-lock`: index, `data-class`: class
// key) and its edges `g.lg-edge` (`data-from`, `data-to`, `data-thread`); each finding is an
// `article.lg-finding` with `data-kind` and `data-id`; the statistics are `table.lg-sortable`.
// When its script has run, the page sets `data-lg-ready` on <html>.
#ifndef LOCKGRAPH_ANALYZER_REPORT_HTML_REPORT_H_
#define LOCKGRAPH_ANALYZER_REPORT_HTML_REPORT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

std::string FormatHtmlReport(const Report& report);

// `text` with &, <, >, " and ' replaced by character references: safe in element content and
// in quoted attribute values.
std::string HtmlEscape(absl::string_view text);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_HTML_REPORT_H_

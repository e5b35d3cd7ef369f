// Validating SARIF logs in tests: against the OASIS SARIF 2.1.0 schema (a JSON Schema of
// draft 04, tests/fixtures/sarif/), with Python's jsonschema, URIs included (Debian's
// python3-jsonschema and python3-rfc3987, which scripts/install-deps.sh installs).
//
//   EXPECT_EQ(SarifSchemaErrors({dir.path() + "/report.sarif"}), "");
#ifndef LOCKGRAPH_TESTS_SUPPORT_SARIF_SCHEMA_H_
#define LOCKGRAPH_TESTS_SUPPORT_SARIF_SCHEMA_H_

#include <string>
#include <vector>

namespace lockgraph::testing {

// "" if every file is a valid SARIF 2.1.0 log; else one line per violation ("FILE: PATH:
// what"), or why the check could not run (no python3 with jsonschema).
std::string SarifSchemaErrors(const std::vector<std::string>& files);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_SUPPORT_SARIF_SCHEMA_H_

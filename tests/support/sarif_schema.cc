#include "tests/support/sarif_schema.h"

#include "absl/strings/str_cat.h"
#include "tests/support/subprocess.h"

namespace lockgraph::testing {
namespace {

// Checks the schema itself, then prints each violation of each file; exit 1 if any. The
// validator class comes from the schema's "$schema" (draft 04), and must be that one; the
// "uri" and "uri-reference" formats are checked (jsonschema does with rfc3987).
constexpr char kValidate[] = R"py(
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.validators.validator_for(schema)
if validator is not jsonschema.Draft4Validator:
    sys.exit("the schema is not draft 04: %s" % validator.__name__)
validator.check_schema(schema)
formats = jsonschema.FormatChecker()
if "uri-reference" not in formats.checkers:
    sys.exit("jsonschema cannot check URIs: install rfc3987 (Debian: python3-rfc3987)")
check = validator(schema, format_checker=formats)
errors = []
for path in sys.argv[2:]:
    document = json.load(open(path))
    for error in sorted(check.iter_errors(document), key=lambda e: list(e.absolute_path)):
        errors.append("%s: /%s: %s" % (path, "/".join(map(str, error.absolute_path)),
                                       error.message))
print("\n".join(errors))
sys.exit(1 if errors else 0)
)py";

// Debian's python3 first (python3-jsonschema, python3-rfc3987), then the first python3 in
// PATH that has both modules.
const std::string& PythonWithJsonschema() {
  static const std::string* const python = [] {
    for (const std::string& candidate : {std::string("/usr/bin/python3"), FindInPath("python3")}) {
      if (candidate.empty()) continue;
      // An ASan build preloads its runtime into the programs tests start: not into Python.
      const ProcessResult probe =
          RunProcess({candidate, "-c", "import jsonschema, rfc3987"}, {"LD_PRELOAD="});
      if (probe.exit_code == 0) return new std::string(candidate);
    }
    return new std::string();
  }();
  return *python;
}

}  // namespace

std::string SarifSchemaErrors(const std::vector<std::string>& files) {
  const std::string& python = PythonWithJsonschema();
  if (python.empty()) {
    return "no python3 with the jsonschema and rfc3987 modules (Debian: python3-jsonschema, "
           "python3-rfc3987; scripts/install-deps.sh installs them)";
  }
  std::vector<std::string> argv = {python, "-c", kValidate, LOCKGRAPH_SARIF_SCHEMA};
  argv.insert(argv.end(), files.begin(), files.end());
  const ProcessResult run = RunProcess(argv, {"LD_PRELOAD="});
  if (run.exit_code == 0) return "";
  return absl::StrCat(run.stdout_text, run.stderr_text,
                      run.stdout_text.empty() && run.stderr_text.empty() ? "validator failed" : "");
}

}  // namespace lockgraph::testing

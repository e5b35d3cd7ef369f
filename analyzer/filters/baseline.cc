#include "analyzer/filters/baseline.h"

#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analyzer/report/json_report.h"
#include "nlohmann/json.hpp"

namespace lockgraph::analyzer {

using nlohmann::json;

absl::StatusOr<absl::flat_hash_set<std::string>> ReadBaselineIds(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open baseline report"));
  json report = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded() || !report.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a JSON report (write one with --format=json)"));
  }
  if (!report.contains("schema_version") || report["schema_version"] != kJsonSchemaVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": baseline schema_version is not ", kJsonSchemaVersion));
  }
  absl::flat_hash_set<std::string> ids;
  const json& findings = report["findings"];
  if (!findings.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": baseline has no findings array"));
  }
  for (const json& finding : findings) {
    if (!finding.is_object() || !finding.contains("id") || !finding["id"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": a baseline finding has no id"));
    }
    ids.insert(finding["id"].get<std::string>());
  }
  return ids;
}

}  // namespace lockgraph::analyzer

// Reading a baseline: the ids of an earlier JSON report, and clear errors for anything else.
#include "analyzer/filters/baseline.h"

#include <fstream>

#include "analyzer/report/json_report.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FormatJsonReport;
using ::lockgraph::analyzer::ReadBaselineIds;
using ::lockgraph::analyzer::Report;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

Report TwoFindings() {
  Report report;
  Finding deadlock;
  deadlock.kind = FindingKind::kDeadlock;
  deadlock.id = "LG-0000000000000001";
  deadlock.message = "lock-order cycle between \"a\" and \"b\"";
  report.findings.push_back(deadlock);
  Finding wait;
  wait.kind = FindingKind::kLongWait;
  wait.id = "LG-0000000000000002";
  wait.message = "long wait";
  report.findings.push_back(wait);
  return report;
}

TEST(Baseline, ReadsTheIdsOfAJsonReport) {
  TempDir dir;
  const std::string path = dir.path() + "/base.json";
  std::ofstream(path) << FormatJsonReport(TwoFindings());
  auto ids = ReadBaselineIds(path);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, UnorderedElementsAre("LG-0000000000000001", "LG-0000000000000002"));
}

TEST(Baseline, BadBaselinesAreErrorsNamingTheFile) {
  TempDir dir;
  const std::string text = dir.path() + "/text.json";
  std::ofstream(text) << "x.cc:1: error: not json\n";
  auto not_json = ReadBaselineIds(text);
  ASSERT_FALSE(not_json.ok());
  EXPECT_THAT(not_json.status().message(), HasSubstr("text.json: not a JSON report"));
  const std::string other = dir.path() + "/v2.json";
  std::ofstream(other) << R"({"schema_version": 2, "findings": []})";
  auto wrong_version = ReadBaselineIds(other);
  ASSERT_FALSE(wrong_version.ok());
  EXPECT_THAT(wrong_version.status().message(), HasSubstr("v2.json: baseline schema_version"));
  auto missing = ReadBaselineIds(dir.path() + "/none.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("none.json: cannot open"));
}

}  // namespace

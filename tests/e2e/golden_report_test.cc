// The analyzer's JSON reports on recorded traces of the end-to-end corpora stay exactly what
// they were: verdicts, witnesses, ruled-out reasons, statistics and every other field. The
// traces and the expected reports are in tests/fixtures/reports/ (record.sh writes them); a
// change to the analyzer's internals must leave every report unchanged, and a change of a
// report that is meant is recorded again with record.sh in its own commit.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using json = nlohmann::json;

const std::string kFixtures = LOCKGRAPH_REPORT_FIXTURE_DIR;

// The cases: each directory of traces/, by name.
std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures + "/traces")) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The first place where two JSON values differ, as a JSON pointer with both values, or "".
std::string FirstDifference(const json& expected, const json& actual) {
  const json patch = json::diff(expected, actual);
  if (patch.empty()) return "";
  const json& op = patch[0];
  const std::string path = op["path"].get<std::string>();
  const json::json_pointer pointer(path);
  return absl::StrCat(op["op"].get<std::string>(), " at ", path, ": expected ",
                      expected.contains(pointer) ? expected[pointer].dump() : "(none)", ", got ",
                      actual.contains(pointer) ? actual[pointer].dump() : "(none)", " (",
                      patch.size(), " differences)");
}

class GoldenReport : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenReport, JsonReportIsUnchanged) {
  const std::string name = GetParam();
  const ProcessResult run = RunLockgraph(
      {"analyze", "--format=json", "--symbolizer=none", "--fail-on=misuse",
       kFixtures + "/traces/" + name});
  ASSERT_LE(run.exit_code, 1) << run.stderr_text;
  const json expected = json::parse(ReadFile(kFixtures + "/expected/" + name + ".json"));
  const json actual = json::parse(run.stdout_text);
  EXPECT_EQ(FirstDifference(expected, actual), "")
      << "the report on tests/fixtures/reports/traces/" << name << " changed";
  // With --fail-on=misuse, exit status 1 says "findings of any kind": it follows the report.
  EXPECT_EQ(run.exit_code, expected["findings"].empty() ? 0 : 1);
}

TEST(GoldenReports, CoverEveryCorpusAndSeveralTracesAtOnce) {
  const std::vector<std::string> names = Cases();
  for (const std::string prefix : {"wrappers.", "full.", "preload.", "processes."}) {
    EXPECT_TRUE(std::any_of(names.begin(), names.end(),
                            [&](const std::string& n) { return n.rfind(prefix, 0) == 0; }))
        << prefix;
  }
  int merged = 0;
  for (const std::string& name : names) {
    int traces = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kFixtures + "/traces/" + name)) {
      traces += entry.path().extension() == ".lgtrace";
    }
    ASSERT_GT(traces, 0) << name;
    merged += traces > 1;
  }
  EXPECT_GE(merged, 5);
}

INSTANTIATE_TEST_SUITE_P(Corpus, GoldenReport, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace

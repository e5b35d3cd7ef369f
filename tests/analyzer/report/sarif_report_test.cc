#include "analyzer/report/sarif_report.h"

#include <fstream>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/sarif_schema.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::SourceFrame;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingAccess;
using ::lockgraph::analyzer::FindingEdge;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::FormatSarifReport;
using ::lockgraph::analyzer::Report;
using ::lockgraph::analyzer::SarifOptions;
using ::lockgraph::testing::SarifSchemaErrors;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;
using json = ::nlohmann::json;

Finding Deadlock() {
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.id = "LG-0000000000000001";
  f.message = "lock-order cycle between \"a\" and \"b\"";
  f.location = "/src/x.cc:21";
  f.locks = {FindingLock{"a", "Lock \"a\"", "/src/x.cc:3", {}},
             FindingLock{"b", "Lock \"b\"", "/src/x.cc:4", {}}};
  FindingEdge ab, ba;
  ab.from = 0, ab.to = 1, ab.count = 3;
  ab.thread.id = 2, ab.thread.pid = 7, ab.thread.name = "first";
  ab.held.frames = {SourceFrame{"f()", "/src/x.cc", 10, 0, ""}};
  ab.acquire.frames = {SourceFrame{"f()", "/src/x.cc", 11, 0, ""},
                       SourceFrame{"main", "/src/x.cc", 30, 0, ""}};
  ba.from = 1, ba.to = 0, ba.count = 1;
  ba.thread.id = 3, ba.thread.pid = 7, ba.thread.name = "second";
  ba.held.frames = {SourceFrame{"g()", "/src/x.cc", 20, 0, ""}};
  ba.acquire.frames = {SourceFrame{"g()", "/src/x.cc", 21, 0, ""}};
  f.edges = {ab, ba};
  f.fix = "keep one order (\"a\" before \"b\")";
  return f;
}

Finding RaceFinding() {
  Finding f;
  f.kind = FindingKind::kRace;
  f.id = "LG-0000000000000003";
  f.message = "data race on \"hits\"";
  f.location = "/src/race.cc:9";
  f.occurrences = 2;
  f.locks = {FindingLock{"hits", "Shared \"hits\"", "/src/race.cc:2", {}}};
  FindingAccess write, read;
  write.thread.id = 2, write.thread.name = "adder";
  write.write = true;
  write.stack.frames = {SourceFrame{"Add()", "/src/race.cc", 5, 0, ""}};
  read.thread.id = 3, read.thread.name = "reader";
  read.stack.frames = {SourceFrame{"Read()", "/src/race.cc", 9, 0, ""}};
  read.held = {"Lock \"m\""};
  f.accesses = {write, read};
  return f;
}

Finding LongWaitFinding() {
  Finding f;
  f.kind = FindingKind::kLongWait;
  f.id = "LG-0000000000000004";
  f.message = "long wait";
  f.location = "/src/wait.cc:12";
  f.occurrences = 1;
  f.wait_max_ns = 250'000'000;
  f.wait_total_ns = 250'000'000;
  f.locks = {FindingLock{"r", "Lock \"r\"", "/src/wait.cc:3", {}}};
  f.waiter.id = 3, f.waiter.name = "waiter";
  f.holder.id = 2, f.holder.name = "holder";
  f.waiter_stack.frames = {SourceFrame{"Wait()", "/src/wait.cc", 12, 0, ""}};
  f.holder_stack.frames = {SourceFrame{"Hold()", "/src/wait.cc", 7, 0, ""}};
  return f;
}

Finding Misuse() {
  Finding f;
  f.kind = FindingKind::kMisuse;
  f.id = "LG-0000000000000005";
  f.message = "release-unheld: releases Lock \"c\", which is not held";
  f.location = "/src/m.cc:8";
  f.occurrences = 1;
  f.locks = {FindingLock{"c", "Lock \"c\"", "/src/m.cc:2", {}}};
  f.waiter.id = 2, f.waiter.name = "closer";
  f.waiter_stack.frames = {SourceFrame{"Close()", "/src/m.cc", 8, 0, ""},
                           SourceFrame{"??", "", 0, 0, "/lib/libc.so.6+0x1234"}};
  return f;
}

// One finding of each kind: the potential is suppressed, the long wait in the baseline.
Report EveryKind() {
  Report report;
  report.findings.push_back(Deadlock());
  Finding potential = Deadlock();
  potential.kind = FindingKind::kPotential;
  potential.id = "LG-0000000000000002";
  potential.suppressed = true;
  report.findings.push_back(potential);
  report.findings.push_back(RaceFinding());
  Finding wait = LongWaitFinding();
  wait.in_baseline = true;
  report.findings.push_back(wait);
  report.findings.push_back(Misuse());
  report.warnings = {"t.lgtrace: the file ends inside a record at byte 120"};
  return report;
}

SarifOptions Options(const std::string& source_root, bool baseline = false,
                     const std::string& suppressions_file = "") {
  SarifOptions options;
  options.source_root = source_root;
  options.baseline = baseline;
  options.suppressions_file = suppressions_file;
  return options;
}

json Sarif(const Report& report, const SarifOptions& options = {}) {
  return json::parse(FormatSarifReport(report, options));
}

const json& ResultOf(const json& log, const std::string& rule) {
  for (const json& result : log["runs"][0]["results"]) {
    if (result["ruleId"] == rule) return result;
  }
  ADD_FAILURE() << "no result of rule " << rule;
  static const json none = json::object();
  return none;
}

// The related location with this line, by its message.
std::string RelatedAt(const json& result, int line) {
  for (const json& related : result.value("relatedLocations", json::array())) {
    if (related["physicalLocation"]["region"]["startLine"] == line) {
      return related["message"]["text"];
    }
  }
  return "";
}

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(SarifReport, IsValidAgainstTheSarif210Schema) {
  TempDir dir;
  const std::string plain = Write(dir, "plain.sarif", FormatSarifReport(EveryKind(), {}));
  const std::string rooted = Write(
      dir, "rooted.sarif",
      FormatSarifReport(EveryKind(), Options("/src/", /*baseline=*/true, "lockgraph.supp")));
  const std::string empty = Write(dir, "empty.sarif", FormatSarifReport(Report(), {}));
  EXPECT_EQ(SarifSchemaErrors({plain, rooted, empty}), "");

  // The check can fail: a level SARIF does not know.
  json bad = json::parse(FormatSarifReport(EveryKind(), {}));
  bad["runs"][0]["results"][0]["level"] = "fatal";
  const std::string invalid = Write(dir, "invalid.sarif", bad.dump());
  EXPECT_THAT(SarifSchemaErrors({invalid}), HasSubstr("/runs/0/results/0/level: 'fatal'"));
  // And URIs are checked: a space must be percent-encoded.
  json space = json::parse(FormatSarifReport(EveryKind(), {}));
  space["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
      "src/a b.cc";
  const std::string unencoded = Write(dir, "unencoded.sarif", space.dump());
  EXPECT_THAT(SarifSchemaErrors({unencoded}), HasSubstr("'src/a b.cc' is not a 'uri-reference'"));
}

TEST(SarifReport, DeclaresOneRulePerFindingKind) {
  const json log = Sarif(Report());
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_THAT(log["$schema"].get<std::string>(), HasSubstr("sarif-schema-2.1.0.json"));
  ASSERT_THAT(log["runs"], SizeIs(1));
  const json& driver = log["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "lockgraph");
  EXPECT_THAT(driver["version"].get<std::string>(), StartsWith("0."));
  std::vector<std::string> ids, levels;
  for (const json& rule : driver["rules"]) {
    ids.push_back(rule["id"]);
    levels.push_back(rule["defaultConfiguration"]["level"]);
    for (const char* field : {"shortDescription", "fullDescription", "help"}) {
      EXPECT_FALSE(rule[field]["text"].get<std::string>().empty()) << rule["id"] << field;
    }
    EXPECT_FALSE(rule["name"].get<std::string>().empty());
  }
  EXPECT_THAT(ids, ElementsAre("deadlock", "potential", "race", "long-wait", "misuse"));
  EXPECT_THAT(levels, ElementsAre("error", "warning", "error", "warning", "error"));
  EXPECT_THAT(log["runs"][0]["results"], IsEmpty()) << "present, and empty";
}

TEST(SarifReport, ResultHasRuleLevelMessageLocationAndFingerprint) {
  const json log = Sarif(EveryKind());
  const json& results = log["runs"][0]["results"];
  ASSERT_THAT(results, SizeIs(5));
  std::vector<std::string> levels;
  for (const json& result : results) {
    const json& rule = log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"].get<int>()];
    EXPECT_EQ(rule["id"], result["ruleId"]);
    levels.push_back(result["level"]);
  }
  EXPECT_THAT(levels, ElementsAre("error", "warning", "error", "warning", "error"));

  const json& deadlock = results[0];
  EXPECT_EQ(deadlock["ruleId"], "deadlock");
  EXPECT_EQ(deadlock["message"]["text"],
            "lock-order cycle between \"a\" and \"b\". Fix: keep one order (\"a\" before \"b\").");
  ASSERT_THAT(deadlock["locations"], SizeIs(1));
  const json& where = deadlock["locations"][0]["physicalLocation"];
  EXPECT_EQ(where["artifactLocation"]["uri"], "file:///src/x.cc");
  EXPECT_EQ(where["region"]["startLine"], 21);
  EXPECT_EQ(deadlock["partialFingerprints"], json({{"lockgraph/v1", "LG-0000000000000001"}}));
  EXPECT_FALSE(deadlock.contains("suppressions"));
  EXPECT_FALSE(deadlock.contains("baselineState")) << "no baseline given";
}

TEST(SarifReport, CycleEdgesAreRelatedLocationsAndThreadFlows) {
  const json result = Sarif(EveryKind())["runs"][0]["results"][0];
  const std::string first = "thread 2 \"first\" (pid 7)";
  const std::string second = "thread 3 \"second\" (pid 7)";
  EXPECT_EQ(RelatedAt(result, 10), first + " holds Lock \"a\", taken here");
  EXPECT_EQ(RelatedAt(result, 11),
            first + ", holding Lock \"a\", takes Lock \"b\" here (this order: 3 times)");
  EXPECT_EQ(RelatedAt(result, 20), second + " holds Lock \"b\", taken here");
  EXPECT_EQ(RelatedAt(result, 21),
            second + ", holding Lock \"b\", takes Lock \"a\" here (this order: 1 time)");
  EXPECT_EQ(RelatedAt(result, 3), "Lock \"a\", created here");
  EXPECT_EQ(RelatedAt(result, 4), "Lock \"b\", created here");
  std::set<int> ids;
  for (const json& related : result["relatedLocations"]) ids.insert(related["id"].get<int>());
  EXPECT_EQ(ids.size(), 6u) << "distinct ids";

  // The schedule that deadlocks: both first locks (orders 1, 2), then both waits (3, 4).
  ASSERT_THAT(result["codeFlows"], SizeIs(1));
  const json& flows = result["codeFlows"][0]["threadFlows"];
  ASSERT_THAT(flows, SizeIs(2));
  EXPECT_EQ(flows[0]["message"]["text"], first);
  const json& steps = flows[0]["locations"];
  ASSERT_THAT(steps, SizeIs(2));
  EXPECT_EQ(steps[0]["location"]["physicalLocation"]["region"]["startLine"], 10);
  EXPECT_EQ(steps[0]["executionOrder"], 1);
  EXPECT_EQ(steps[1]["location"]["physicalLocation"]["region"]["startLine"], 11);
  EXPECT_EQ(steps[1]["executionOrder"], 3);
  EXPECT_EQ(flows[1]["locations"][0]["executionOrder"], 2);
  EXPECT_EQ(flows[1]["locations"][1]["executionOrder"], 4);
  // The acquisition's whole stack, innermost first.
  const json& frames = steps[1]["stack"]["frames"];
  ASSERT_THAT(frames, SizeIs(2));
  EXPECT_EQ(frames[1]["location"]["physicalLocation"]["region"]["startLine"], 30);
  EXPECT_EQ(frames[1]["location"]["logicalLocations"][0]["fullyQualifiedName"], "main");
}

TEST(SarifReport, RaceLongWaitAndMisuseNameTheirSites) {
  const json log = Sarif(EveryKind());
  const json& race = ResultOf(log, "race");
  EXPECT_EQ(RelatedAt(race, 5), "thread 2 \"adder\" (pid 0) writes here, holding no lock");
  EXPECT_EQ(RelatedAt(race, 9), "thread 3 \"reader\" (pid 0) reads here, holding Lock \"m\"");
  EXPECT_EQ(RelatedAt(race, 2), "Shared \"hits\", declared here");
  EXPECT_EQ(race["occurrenceCount"], 2);
  EXPECT_THAT(race["codeFlows"][0]["threadFlows"], SizeIs(2));

  const json& wait = ResultOf(log, "long-wait");
  EXPECT_EQ(RelatedAt(wait, 12),
            "thread 3 \"waiter\" (pid 0) waited 250.0 ms here for Lock \"r\"");
  EXPECT_EQ(RelatedAt(wait, 7), "thread 2 \"holder\" (pid 0) took Lock \"r\" here and held it");
  EXPECT_EQ(wait["properties"]["waitMaxNs"], 250'000'000);

  const json& misuse = ResultOf(log, "misuse");
  EXPECT_EQ(misuse["locations"][0]["physicalLocation"]["region"]["startLine"], 8);
  EXPECT_EQ(RelatedAt(misuse, 2), "Lock \"c\", created here");
  ASSERT_THAT(misuse["stacks"], SizeIs(1));
  const json& frames = misuse["stacks"][0]["frames"];
  ASSERT_THAT(frames, SizeIs(2));
  EXPECT_EQ(frames[0]["location"]["physicalLocation"]["region"]["startLine"], 8);
  // A frame without a source line: its module, and no physical location.
  EXPECT_EQ(frames[1]["module"], "/lib/libc.so.6+0x1234");
  EXPECT_FALSE(frames[1]["location"].contains("physicalLocation"));
}

TEST(SarifReport, SuppressedAndBaselineFindings) {
  const json log = Sarif(EveryKind(), Options("", /*baseline=*/true, "ci/lockgraph.supp"));
  const json& potential = ResultOf(log, "potential");
  ASSERT_THAT(potential["suppressions"], SizeIs(1));
  EXPECT_EQ(potential["suppressions"][0]["kind"], "external");
  EXPECT_EQ(potential["suppressions"][0]["justification"],
            "matched a rule of ci/lockgraph.supp");
  EXPECT_EQ(ResultOf(log, "long-wait")["baselineState"], "unchanged");
  EXPECT_EQ(ResultOf(log, "deadlock")["baselineState"], "new");
  EXPECT_FALSE(ResultOf(log, "deadlock").contains("suppressions"));
  // The summary counts what fails the build, as the JSON report does.
  const json& summary = log["runs"][0]["properties"]["lockgraph"];
  EXPECT_EQ(summary["findings"]["deadlock"], 1);
  EXPECT_EQ(summary["findings"]["potential"], 0);
  EXPECT_EQ(summary["suppressed"], 1);
  EXPECT_EQ(summary["inBaseline"], 1);
  // Warnings are notifications of the invocation.
  const json& invocation = log["runs"][0]["invocations"][0];
  EXPECT_EQ(invocation["executionSuccessful"], true);
  EXPECT_THAT(invocation["toolExecutionNotifications"][0]["message"]["text"].get<std::string>(),
              HasSubstr("ends inside a record"));
}

TEST(SarifReport, PathsUnderTheSourceRootAreRelativeToIt) {
  Report report;
  Finding f = Misuse();
  f.location = "/src/lib/a b.cc:8";
  f.locks[0].site = "/elsewhere/m.cc:2";
  report.findings.push_back(f);
  Finding relative = Misuse();
  relative.location = "src/rel.cc:4";
  report.findings.push_back(relative);
  Finding unknown = Misuse();
  unknown.location = "?? (libfoo.so+0x10)";
  report.findings.push_back(unknown);

  const json log = Sarif(report, Options("/src/"));
  EXPECT_EQ(log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"], "file:///src/");
  const json& results = log["runs"][0]["results"];
  const json& artifact = results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(artifact["uri"], "lib/a%20b.cc");
  EXPECT_EQ(artifact["uriBaseId"], "SRCROOT");
  const json& outside = results[0]["relatedLocations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(outside["uri"], "file:///elsewhere/m.cc");
  EXPECT_FALSE(outside.contains("uriBaseId"));
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/rel.cc");
  // No line to point at: the function, as a logical location (code scanning wants one).
  ASSERT_THAT(results[2]["locations"], SizeIs(1));
  EXPECT_FALSE(results[2]["locations"][0].contains("physicalLocation"));
  EXPECT_EQ(results[2]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "?? (libfoo.so+0x10)");

  const json plain = Sarif(report);
  EXPECT_FALSE(plain["runs"][0].contains("originalUriBaseIds"));
  EXPECT_EQ(plain["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                 ["artifactLocation"]["uri"],
            "file:///src/lib/a%20b.cc");
}

}  // namespace

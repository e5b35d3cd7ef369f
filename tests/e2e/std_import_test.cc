// `lockgraph analyze --input-format=std` on hand-written STD traces (tests/e2e/std/): the
// deadlock of an ABBA trace names its locks and locations, a cycle ordered by fork and join
// (or by notify and wait) is ruled out, a race without a common lock is reported with both
// locations and the same accesses under a lock are not, and a malformed file is bad input
// (exit 2) named by its line.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

std::string Fixture(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_STD_FIXTURE_DIR, "/", name, ".std");
}

// A location of a fixture as reports print it: the file as given, and the location.
std::string At(const std::string& name, int location) {
  return absl::StrCat(Fixture(name), ":", location);
}

struct Result {
  int exit_code = -1;
  json report;
  std::string stdout_text;
  std::string stderr_text;
};

Result AnalyzeStd(std::vector<std::string> args, bool json_output = true) {
  args.insert(args.begin(), {"analyze", "--input-format=std"});
  if (json_output) args.push_back("--format=json");
  const ProcessResult run = RunLockgraph(args);
  Result out{run.exit_code, json::object(), run.stdout_text, run.stderr_text};
  if (json_output && run.exit_code != 2) {
    out.report = json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(out.report.is_object()) << run.stdout_text << run.stderr_text;
  }
  return out;
}

// "L1 -> L2 by T1, holding since FILE:10, taking at FILE:11"
std::vector<std::string> Edges(const json& finding) {
  std::vector<std::string> out;
  for (const json& e : finding["edges"]) {
    const std::string label = e["thread"];
    const std::string thread = label.substr(label.find('"') + 1,
                                            label.rfind('"') - label.find('"') - 1);
    out.push_back(absl::StrCat(e["from"].get<std::string>(), " -> ", e["to"].get<std::string>(),
                               " by ", thread, ", holding since ",
                               e["held_site"].get<std::string>(), ", taking at ",
                               e["acquire_site"].get<std::string>()));
  }
  return out;
}

TEST(StdImport, AbbaIsADeadlockNamingItsLocksAndLocations) {
  const Result r = AnalyzeStd({Fixture("abba")});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(r.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u) << r.report.dump(2);
  EXPECT_THAT(LockClasses(deadlocks[0]), ElementsAre("L1", "L2"));
  EXPECT_THAT(Edges(deadlocks[0]),
              ElementsAre(absl::StrCat("L1 -> L2 by T1, holding since ", At("abba", 10),
                                       ", taking at ", At("abba", 11)),
                          absl::StrCat("L2 -> L1 by T2, holding since ", At("abba", 20),
                                       ", taking at ", At("abba", 21))));
  EXPECT_THAT(r.report["findings"], testing::SizeIs(1));
  EXPECT_EQ(r.report["summary"]["threads"], 3);

  // The text report reads like one of a program's: the locations stand for source lines.
  const Result text = AnalyzeStd({Fixture("abba")}, /*json_output=*/false);
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.stdout_text, StartsWith(absl::StrCat(
                                    deadlocks[0]["location"].get<std::string>(),
                                    ": error: lock-order cycle between \"L1\" and \"L2\"")));
  EXPECT_THAT(text.stdout_text, HasSubstr(absl::StrCat("holds Lock \"L1\" (taken at ",
                                                       At("abba", 10), ")")));
  EXPECT_THAT(text.stdout_text, HasSubstr(absl::StrCat("#0 ", At("abba", 21), "\n")));
}

TEST(StdImport, ACycleOrderedByForkAndJoinIsRuledOut) {
  const Result r = AnalyzeStd({Fixture("cycle_ordered_by_join")});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_THAT(r.report["findings"], IsEmpty());
  const Result text =
      AnalyzeStd({"--explain", Fixture("cycle_ordered_by_join")}, /*json_output=*/false);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.stdout_text,
              HasSubstr("ruled out: cycle Lock \"L1\" -> Lock \"L2\": ordered by thread "
                        "start/join"));
}

TEST(StdImport, ACycleOrderedByNotifyAndWaitIsRuledOut) {
  const Result r = AnalyzeStd({Fixture("cycle_ordered_by_notify")});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_THAT(r.report["findings"], IsEmpty());
  const Result text =
      AnalyzeStd({"--explain", Fixture("cycle_ordered_by_notify")}, /*json_output=*/false);
  EXPECT_THAT(text.stdout_text, HasSubstr("ruled out: cycle Lock \"L1\" -> Lock \"L2\": ordered "
                                          "by thread start/join or a signal"));
}

TEST(StdImport, ARaceWithoutACommonLockIsReportedWithBothLocations) {
  const Result r = AnalyzeStd({"--fail-on=race", Fixture("race")});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  const std::vector<json> races = FindingsOf(r.report, "race");
  ASSERT_EQ(races.size(), 1u) << r.report.dump(2);
  EXPECT_THAT(LockClasses(races[0]), ElementsAre("V1"));
  EXPECT_THAT(races[0]["message"].get<std::string>(),
              HasSubstr("data race on \"V1\": thread 2 \"T1\" (pid 0) writes and thread 3 "
                        "\"T2\" (pid 0) writes with nothing ordering them (no common lock)"));
  std::vector<std::string> sites;
  for (const json& access : races[0]["accesses"]) {
    sites.push_back(access["site"]);
    EXPECT_THAT(access["held"], IsEmpty());
    EXPECT_TRUE(access["write"].get<bool>());
  }
  EXPECT_THAT(sites, UnorderedElementsAre(At("race", 30), At("race", 40)));
}

TEST(StdImport, TheSameAccessesUnderACommonLockDoNotRace) {
  const Result r = AnalyzeStd({"--fail-on=race", Fixture("race_under_lock")});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_THAT(r.report["findings"], IsEmpty());
}

TEST(StdImport, AMalformedFileIsBadInputNamingItsLine) {
  const Result r = AnalyzeStd({Fixture("malformed")}, /*json_output=*/false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stdout_text, IsEmpty());
  EXPECT_EQ(r.stderr_text,
            absl::StrCat("lockgraph: ", Fixture("malformed"),
                         ": line 3: expected 3 fields thread|op(arg)|location, found 2\n"));
}

// Found by fuzz/std_importer_fuzzer: names are bytes, and the JSON and SARIF writers threw
// (and the analyzer aborted) on a name that is not UTF-8. Such bytes become U+FFFD.
TEST(StdImport, NamesThatAreNotUtf8AreReportedWithReplacementCharacters) {
  TempDir dir;
  const std::string path = dir.path() + "/latin1.std";
  // Thread "T\xe9" and lock "L\xe9" (Latin-1 e-acute) make one order, T2 the other.
  std::ofstream(path) << "T0|fork(T\xe9)|1\nT0|fork(T2)|2\n"
                         "T\xe9|acq(L\xe9)|10\nT\xe9|acq(L2)|11\nT\xe9|rel(L2)|12\n"
                         "T\xe9|rel(L\xe9)|13\n"
                         "T2|acq(L2)|20\nT2|acq(L\xe9)|21\nT2|rel(L\xe9)|22\nT2|rel(L2)|23\n";
  const Result r = AnalyzeStd({path});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(r.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u) << r.report.dump(2);
  EXPECT_THAT(LockClasses(deadlocks[0]), ElementsAre("L2", "L\xef\xbf\xbd"));

  const ProcessResult sarif =
      RunLockgraph({"analyze", "--input-format=std", "--format=sarif", path});
  EXPECT_EQ(sarif.exit_code, 1) << sarif.stderr_text;
  EXPECT_TRUE(json::accept(sarif.stdout_text)) << sarif.stdout_text;
  EXPECT_THAT(sarif.stdout_text, HasSubstr("L\xef\xbf\xbd"));
}

TEST(StdImport, ADirectoryAMissingFileOrAnUnknownFormatIsBadInput) {
  TempDir dir;
  const Result directory = AnalyzeStd({dir.path()}, /*json_output=*/false);
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_THAT(directory.stderr_text, HasSubstr("is a directory, not an STD trace"));
  const Result missing = AnalyzeStd({dir.path() + "/none.std"}, /*json_output=*/false);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.stderr_text, HasSubstr("none.std: cannot open"));
  const ProcessResult unknown =
      RunLockgraph({"analyze", "--input-format=csv", Fixture("abba")});
  EXPECT_EQ(unknown.exit_code, 2);
}

}  // namespace

// `lockgraph analyze --input-format=std` on hand-written STD traces (tests/e2e/std/): the
// deadlock of an ABBA trace names its locks and locations, a cycle ordered by fork and join
// (or by notify and wait) is ruled out, a race without a common lock is reported with both
// locations and the same accesses under a lock are not, and a malformed file is bad input
// (exit 2) named by its line. Lines that break the lock discipline, as recordings of real runs
// have, are repaired with a warning each (--strict: bad input); the public benchmark traces
// (LOCKGRAPH_STD_TRACE_DIR, not in the repository) are analyzed if they are there.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
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

// missed_release.std has the two patterns of the public traces that break the lock discipline:
// three threads in one short synchronized block S, logged out of order (log4j_38137_dlf:
// lines 4-9), and a wait on monitor M whose release is logged after another thread took M
// (memcached_567_dlf: lines 10-16). Then T1, back in M, takes L1 then L2, and T3 L2 then L1.
TEST(StdImport, LinesThatBreakTheLockDisciplineAreRepairedWithAWarningEach) {
  const std::string file = Fixture("missed_release");
  const Result r = AnalyzeStd({"--symbolizer=none", file});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  auto warning = [&](int line, const std::string& text) {
    return absl::StrCat("lockgraph: warning: ", file, ": line ", line, ": ", text, "\n");
  };
  EXPECT_EQ(
      r.stderr_text,
      absl::StrCat(
          warning(5, "acq(S) by thread T2, but T1 holds it (since line 4): repaired as if T1 "
                     "released it just before"),
          warning(6, "acq(S) by thread T3, but T2 holds it (since line 5): repaired as if T2 "
                     "released it just before"),
          warning(8, "rel(S) by thread T1, which does not hold it: ignored"),
          warning(9, "rel(S) by thread T2, which does not hold it: ignored"),
          warning(11, "acq(M) by thread T2, but T1 holds it (since line 10): repaired as if T1 "
                      "released it just before"),
          warning(12, "rel(M) by thread T1, which does not hold it: T2 holds it (since line "
                      "11): ignored"),
          // The report's own warning (on stderr for formats other than text).
          "lockgraph: warning: ", file, ": 6 lines break the lock discipline; the analysis is "
          "of the trace repaired as docs/std-import.md says (--strict: an error)\n"));
  EXPECT_THAT(r.report["warnings"],
              ElementsAre(HasSubstr(": 6 lines break the lock discipline; the analysis is of "
                                    "the trace repaired")));
  // The repairs add no lock-order edge: M -> L1, [M, L1] -> L2 by T1 and L2 -> L1 by T3.
  EXPECT_EQ(r.report["summary"]["dependencies"], 3);
  ASSERT_THAT(r.report["findings"], testing::SizeIs(1)) << r.report.dump(2);
  const std::vector<json> deadlocks = FindingsOf(r.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u);
  EXPECT_THAT(LockClasses(deadlocks[0]), ElementsAre("L1", "L2"));
  EXPECT_THAT(Edges(deadlocks[0]),
              ElementsAre(absl::StrCat("L1 -> L2 by T1, holding since ", At("missed_release", 15),
                                       ", taking at ", At("missed_release", 16)),
                          absl::StrCat("L2 -> L1 by T3, holding since ", At("missed_release", 32),
                                       ", taking at ", At("missed_release", 33))));

  // The text report says so first, on stdout.
  const Result text = AnalyzeStd({"--symbolizer=none", file}, /*json_output=*/false);
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.stdout_text,
              StartsWith(absl::StrCat("lockgraph: warning: ", file, ": 6 lines break the lock "
                                      "discipline")));
  EXPECT_EQ(CountLines(text.stderr_text, "lockgraph: warning: "), 6);
}

TEST(StdImport, StrictMakesTheFirstLineThatBreaksTheLockDisciplineBadInput) {
  const std::string file = Fixture("missed_release");
  const Result r = AnalyzeStd({"--strict", file}, /*json_output=*/false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stdout_text, IsEmpty());
  EXPECT_EQ(r.stderr_text, absl::StrCat("lockgraph: ", file, ": line 5: acq(S) by thread T2, "
                                        "but T1 holds it (since line 4)\n"));
  // A well-formed trace is the same under --strict.
  const Result abba = AnalyzeStd({"--strict", Fixture("abba")});
  EXPECT_EQ(abba.exit_code, 1) << abba.stderr_text;
  EXPECT_THAT(abba.stderr_text, IsEmpty());
  EXPECT_THAT(FindingsOf(abba.report, "deadlock"), testing::SizeIs(1));
  // --strict is about STD traces only.
  const ProcessResult lgtrace = RunLockgraph({"analyze", "--strict", Fixture("abba")});
  EXPECT_EQ(lgtrace.exit_code, 2);
  EXPECT_THAT(lgtrace.stderr_text, HasSubstr("--strict: only with --input-format=std"));
  EXPECT_THAT(RunLockgraph({"analyze", "--help"}).stdout_text, HasSubstr("--strict"));
}

// The public traces of deadlock prediction in STD (docs/std-import.md, "The public traces"):
// the verdict of each, and how many of its lines are repaired. Most are deadlocks of wait and
// notify, which are no lock-order cycle. Not in the repository (log4j's is 300 KB): the test
// reads them from LOCKGRAPH_STD_TRACE_DIR (the environment's, else the CMake cache variable's),
// and is skipped if there is no such directory.
TEST(StdImport, ThePublicTracesImportAndGetAVerdict) {
  const char* from_environment = std::getenv("LOCKGRAPH_STD_TRACE_DIR");
  const std::string dir =
      from_environment != nullptr ? from_environment : LOCKGRAPH_STD_TRACE_DIR;
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no public STD traces in " << dir
                 << " (set LOCKGRAPH_STD_TRACE_DIR in the environment or to CMake)";
  }
  struct Expected {
    int repaired = 0;
    std::vector<std::string> deadlock;  // the locks of the one deadlock; none if empty
  };
  const std::map<std::string, Expected> expected = {
      {"apache_42031_dlf", {}},
      {"cond_var_fn_idiomatic_dlf", {}},
      {"cond_var_fp_dlf", {0, {"10", "8"}}},
      {"cond_var_tn_dlf", {0, {"10", "8"}}},
      {"jdk_8012019_dlf", {}},
      {"log4j_38137_dlf", {368, {}}},
      {"memcached_567_dlf", {2, {}}},
      {"mysql_50038_dlf", {}},
      {"mysql_68251_dlf", {}},
      {"pool_146_dlf", {}},
  };
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".std") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [name, want] : expected) {
    EXPECT_TRUE(std::find(files.begin(), files.end(), absl::StrCat(dir, "/", name, ".std")) !=
                files.end())
        << name << ".std is not in " << dir;
  }
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const Result r = AnalyzeStd({"--symbolizer=none", file});
    ASSERT_NE(r.exit_code, 2) << r.stderr_text;
    const auto it = expected.find(std::filesystem::path(file).stem().string());
    if (it == expected.end()) continue;  // a trace added since: it imports, that is all
    const Expected& want = it->second;
    EXPECT_EQ(r.exit_code, want.deadlock.empty() ? 0 : 1) << r.stderr_text;
    EXPECT_THAT(FindingsOf(r.report, "potential"), IsEmpty());
    const std::vector<json> deadlocks = FindingsOf(r.report, "deadlock");
    if (want.deadlock.empty()) {
      EXPECT_THAT(deadlocks, IsEmpty()) << r.report.dump(2);
    } else {
      ASSERT_EQ(deadlocks.size(), 1u) << r.report.dump(2);
      EXPECT_EQ(LockClasses(deadlocks[0]), want.deadlock);
    }
    // A warning per repaired line, ten at most, then one counting the rest.
    const int shown = std::min(want.repaired, 10);
    EXPECT_EQ(CountLines(r.stderr_text, ": line "), shown) << r.stderr_text;
    if (want.repaired > shown) {
      EXPECT_THAT(r.stderr_text,
                  HasSubstr(absl::StrCat(": ", want.repaired - shown, " more lines that break "
                                         "the lock discipline were repaired (not shown)")));
    }
    if (want.repaired == 0) {
      EXPECT_THAT(r.report["warnings"], IsEmpty());
    } else {
      EXPECT_THAT(r.report["warnings"],
                  ElementsAre(HasSubstr(absl::StrCat(": ", want.repaired,
                                                     " lines break the lock discipline"))));
      const Result strict = AnalyzeStd({"--strict", file}, /*json_output=*/false);
      EXPECT_EQ(strict.exit_code, 2);
      EXPECT_THAT(strict.stderr_text, StartsWith(absl::StrCat("lockgraph: ", file, ": line ")));
    }
  }
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

// Full mode end to end: each program of tests/e2e/full_corpus/ runs with mode=full, then
// `lockgraph analyze` must find exactly the data races and cycles the program has: which
// variable, which threads, read or write, which lines, which locks held; hand-offs through
// join, Event, Queue, Semaphore, Condition, a chain of locks and a SharedLock's writer before
// its readers are not races, two writes under shared holds are; a cycle ordered by an Event
// is ruled out in full mode (and reported in deps mode); a cycle whose threads only meet
// through an unrelated lock is still a deadlock.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kFullCorpus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

// Runs the program in `mode` with its trace in `dir`, then analyzes it as JSON.
json RunAndAnalyze(const std::string& name, const std::string& mode, const TempDir& dir,
             std::vector<std::string> extra = {}) {
  const ProcessResult run =
      RunWithOptions(kFullCorpus.Program(name),
                     absl::StrCat("mode=", mode, ":quiet=1:trace=", dir.path(), "/", name,
                                  ".%p.lgtrace"));
  EXPECT_EQ(run.exit_code, 0) << name << ": " << run.stderr_text;
  std::vector<std::string> args = {"analyze", "--format=json", "--fail-on=never"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(dir.path());
  const ProcessResult analysis = RunLockgraph(args);
  EXPECT_EQ(analysis.exit_code, 0) << analysis.stderr_text;
  json report = json::parse(analysis.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(report.is_object()) << analysis.stdout_text << analysis.stderr_text;
  return report.is_object() ? report : json::object();
}

TEST(FullMode, UnsynchronisedCounterIsARace) {
  TempDir dir;
  const json report = RunAndAnalyze("race_counter", "full", dir);
  const std::vector<json> races = FindingsOf(report, "race");
  ASSERT_EQ(races.size(), 1u) << report.dump(2);
  const json& race = races[0];
  EXPECT_EQ(race["locks"][0]["class"], "hits");
  ASSERT_EQ(race["accesses"].size(), 2u);
  const json& first = race["accesses"][0];
  const json& second = race["accesses"][1];
  EXPECT_THAT(first["thread"]["name"], "adder");
  EXPECT_THAT(second["thread"]["name"], "bumper");
  EXPECT_EQ(first["write"], true);
  EXPECT_EQ(second["write"], true);
  EXPECT_EQ(first["site"], kFullCorpus.Site("race_counter", "race: first"));
  EXPECT_EQ(second["site"], kFullCorpus.Site("race_counter", "race: second"));
  EXPECT_TRUE(first["held"].empty());
  EXPECT_THAT(race["message"].get<std::string>(), HasSubstr("no common lock"));
  EXPECT_EQ(report["summary"]["findings"]["race"], 1);
}

TEST(FullMode, RawMemoryRaceNamesTheAddressAndBothSites) {
  TempDir dir;
  const json report = RunAndAnalyze("raw_race", "full", dir);
  const std::vector<json> races = FindingsOf(report, "race");
  ASSERT_EQ(races.size(), 1u) << report.dump(2);
  EXPECT_THAT(races[0]["message"].get<std::string>(), HasSubstr("4 bytes at 0x"));
  EXPECT_EQ(races[0]["accesses"][0]["site"], kFullCorpus.Site("raw_race", "race: write"));
  EXPECT_EQ(races[0]["accesses"][0]["write"], true);
  EXPECT_EQ(races[0]["accesses"][1]["site"], kFullCorpus.Site("raw_race", "race: read"));
  EXPECT_EQ(races[0]["accesses"][1]["write"], false);
}

// Each of these orders its accesses by a synchronisation lockgraph records.
class NoRace : public ::testing::TestWithParam<const char*> {};

// The only trace file in `dir`, as `lockgraph dump` prints it.
std::string DumpOnlyTrace(const TempDir& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    files.push_back(entry.path().string());
  }
  EXPECT_EQ(files.size(), 1u);
  if (files.size() != 1) return "";
  const ProcessResult dump = RunLockgraph({"dump", files[0]});
  EXPECT_EQ(dump.exit_code, 0) << dump.stderr_text;
  return dump.stdout_text;
}

TEST_P(NoRace, HandOffIsNotARace) {
  TempDir dir;
  const json report = RunAndAnalyze(GetParam(), "full", dir);
  EXPECT_TRUE(FindingsOf(report, "race").empty()) << report.dump(2);
  EXPECT_TRUE(FindingsOf(report, "deadlock").empty()) << report.dump(2);
  // Not clean for want of events: the accesses were recorded and replayed.
  const std::string dump = DumpOnlyTrace(dir);
  EXPECT_THAT(dump, HasSubstr(" write #"));
  EXPECT_THAT(dump, HasSubstr(" read #"));
}

INSTANTIATE_TEST_SUITE_P(FullCorpus, NoRace,
                         ::testing::Values("counter_under_lock", "write_before_join",
                                           "event_handoff", "queue_handoff",
                                           "semaphore_handoff", "condition_handoff",
                                           "lock_chain", "shared_lock_readers"));

TEST(FullMode, WritesUnderASharedHoldRace) {
  // A shared hold orders an access after the exclusive holds before it, not after the other
  // readers': two writes made while reading race.
  TempDir dir;
  const json report = RunAndAnalyze("shared_lock_write_race", "full", dir);
  const std::vector<json> races = FindingsOf(report, "race");
  ASSERT_EQ(races.size(), 1u) << report.dump(2);
  const json& race = races[0];
  EXPECT_EQ(race["locks"][0]["class"], "tally");
  EXPECT_THAT(race["message"].get<std::string>(), HasSubstr("both hold SharedLock \"tally_mu\""));
  std::vector<std::string> accesses;
  for (const json& access : race["accesses"]) {
    EXPECT_EQ(access["write"], true);
    accesses.push_back(absl::StrCat(access["thread"]["name"].get<std::string>(), " at ",
                                    access["site"].get<std::string>()));
    EXPECT_EQ(access["held"].size(), 1u) << access.dump(2);
  }
  EXPECT_THAT(accesses,
              UnorderedElementsAre(
                  absl::StrCat("left at ", kFullCorpus.Site("shared_lock_write_race", "race: left")),
                  absl::StrCat("right at ",
                               kFullCorpus.Site("shared_lock_write_race", "race: right"))));
}

TEST(FullMode, CycleOrderedByAnEventIsRuledOutOnlyInFullMode) {
  TempDir deps_dir, full_dir;
  const json deps = RunAndAnalyze("cycle_ordered_by_event", "deps", deps_dir);
  const std::vector<json> deps_cycles = FindingsOf(deps, "deadlock");
  ASSERT_EQ(deps_cycles.size(), 1u) << deps.dump(2);
  EXPECT_THAT(LockClasses(deps_cycles[0]), UnorderedElementsAre("left", "right"));

  const json full = RunAndAnalyze("cycle_ordered_by_event", "full", full_dir);
  EXPECT_TRUE(FindingsOf(full, "deadlock").empty()) << full.dump(2);
  ASSERT_EQ(full["ruled_out"].size(), 1u) << full.dump(2);
  EXPECT_THAT(full["ruled_out"][0]["reason"].get<std::string>(), HasSubstr("signal"));

  // --explain says why, in text.
  const ProcessResult text = RunLockgraph({"analyze", "--explain", full_dir.path()});
  EXPECT_THAT(text.stdout_text, HasSubstr("ruled out: cycle"));
  EXPECT_THAT(text.stdout_text, HasSubstr("Event set/wait"));
}

TEST(FullMode, CycleMeetingThroughAnUnrelatedLockIsStillADeadlock) {
  TempDir dir;
  const json report = RunAndAnalyze("cycle_common_lock", "full", dir);
  const std::vector<json> cycles = FindingsOf(report, "deadlock");
  ASSERT_EQ(cycles.size(), 1u) << report.dump(2);
  EXPECT_THAT(LockClasses(cycles[0]), UnorderedElementsAre("left", "right"));
  std::vector<std::string> sites;
  for (const json& edge : cycles[0]["edges"]) sites.push_back(edge["acquire_site"]);
  EXPECT_THAT(sites, UnorderedElementsAre(kFullCorpus.Site("cycle_common_lock", "edge: left -> right"),
                                          kFullCorpus.Site("cycle_common_lock", "edge: right -> left")));
}

TEST(FullMode, TextReportShowsBothAccessesAndTheirLocks) {
  TempDir dir;
  RunAndAnalyze("race_counter", "full", dir);
  const ProcessResult text = RunLockgraph({"analyze", "--fail-on=race", dir.path()});
  EXPECT_EQ(text.exit_code, 1) << text.stdout_text << text.stderr_text;
  EXPECT_THAT(text.stdout_text, HasSubstr("error: data race on \"hits\""));
  EXPECT_THAT(text.stdout_text,
              HasSubstr(absl::StrCat("writes at ", kFullCorpus.Site("race_counter", "race: first"),
                                     ", holding no lock")));
  EXPECT_THAT(text.stdout_text, HasSubstr("1 race, "));
}

TEST(FullMode, TraceDumpShowsSignalsAndAccesses) {
  TempDir dir;
  RunAndAnalyze("event_handoff", "full", dir);
  const std::string dump = DumpOnlyTrace(dir);
  EXPECT_THAT(dump, HasSubstr("send #"));
  EXPECT_THAT(dump, HasSubstr("receive #"));
  EXPECT_THAT(dump, HasSubstr("write #"));
  EXPECT_THAT(dump, HasSubstr("read #"));
}

}  // namespace

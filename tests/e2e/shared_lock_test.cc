// lockgraph::SharedLock end to end (issue 15): corpus programs built with the wrappers, run
// with tracing on and analyzed. A cycle of readers only is clean; one whose every lock is
// wanted in a mode its holder blocks is a deadlock naming both locks and lines, which
// `lockgraph confirm` proves by steering a run into it; a reader and a writer that really
// wait for each other are ended by the live check; a release of a hold not had is misuse.
// Every report names the locks' kind "SharedLock".
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/options.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::Counts;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::kCorpus;
using ::lockgraph::testing::Kinds;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::StackHas;
using ::lockgraph::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

constexpr char kCycle[] = "shared_lock_cycle";

struct SharedLockRun {
  ProcessResult run;       // the program's exit status and online report
  ProcessResult analysis;  // `lockgraph analyze --format=json` of its trace
  json report;
};

// Runs corpus program `name` with `args`, its trace in a fresh directory (`options` added to
// LOCKGRAPH_OPTIONS), then analyzes the trace as JSON with `flags`.
SharedLockRun RunSharedLockProgram(const std::string& name, const std::vector<std::string>& args,
                                   const std::string& options = "",
                                   const std::vector<std::string>& flags = {}) {
  TempDir traces;
  std::vector<std::string> argv = {kCorpus.Program(name)};
  argv.insert(argv.end(), args.begin(), args.end());
  SharedLockRun r;
  r.run = RunProcess(argv, {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", traces.path(), "/", name,
                                         ".%p.lgtrace", options)});
  std::vector<std::string> analyze = {"analyze", "--format=json"};
  analyze.insert(analyze.end(), flags.begin(), flags.end());
  analyze.push_back(traces.path());
  r.analysis = RunLockgraph(analyze);
  r.report = json::parse(r.analysis.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(r.report.is_object()) << r.analysis.stderr_text;
  if (!r.report.is_object()) r.report = json::object();
  return r;
}

// "FROM -> TO by THREAD, holding since HELD_SITE, taking at ACQUIRE_SITE (shared)?".
std::vector<std::string> SharedEdgeLines(const json& finding) {
  std::vector<std::string> lines;
  for (const json& e : finding["edges"]) {
    const std::string thread = e["thread"];
    const size_t open = thread.find('"');
    lines.push_back(absl::StrCat(e["from"].get<std::string>(), " -> ",
                                 e["to"].get<std::string>(), " by ",
                                 thread.substr(open, thread.rfind('"') - open + 1),
                                 ", holding since ", e["held_site"].get<std::string>(),
                                 ", taking at ", e["acquire_site"].get<std::string>(),
                                 e.value("shared", false) ? " (shared)" : ""));
  }
  return lines;
}

std::string CycleEdge(const std::string& from, const std::string& to, const std::string& thread,
                      const std::string& held_marker, const std::string& take_marker,
                      bool shared) {
  return absl::StrCat(from, " -> ", to, " by \"", thread, "\", holding since ",
                      kCorpus.Site(kCycle, held_marker), ", taking at ",
                      kCorpus.Site(kCycle, take_marker), shared ? " (shared)" : "");
}

// The cycle P -> Q -> P was ruled out because its readers cannot block.
void ExpectRuledOutAsSharedOnly(const SharedLockRun& r) {
  EXPECT_EQ(r.run.exit_code, 0) << r.run.stderr_text;
  EXPECT_EQ(CountLines(r.run.stderr_text, "lock-order cycle"), 0) << r.run.stderr_text;
  EXPECT_EQ(r.analysis.exit_code, 0) << r.analysis.stderr_text;
  EXPECT_THAT(r.report["findings"], IsEmpty()) << r.report.dump(2);
  EXPECT_THAT(Counts(r.report), ElementsAre(0, 0, 0, 0));
  ASSERT_THAT(r.report["ruled_out"], SizeIs(1)) << r.report.dump(2);
  const json& ruled_out = r.report["ruled_out"][0];
  EXPECT_THAT(ruled_out["locks"], UnorderedElementsAre("SharedLock \"P\"", "SharedLock \"Q\""));
  EXPECT_THAT(ruled_out["reason"].get<std::string>(), StartsWith("shared (reader) acquisitions only"));
}

TEST(SharedLockCorpus, ReadersInOppositeOrdersAreClean) {
  ExpectRuledOutAsSharedOnly(RunSharedLockProgram(kCycle, {"readers"}));
}

TEST(SharedLockCorpus, OneWriterSideIsNotEnoughWhenTheOtherLockIsOnlyRead) {
  // Forward reads P and writes Q; backward writes Q and reads P. They can meet at Q, but at P
  // both read: the cycle cannot close.
  ExpectRuledOutAsSharedOnly(RunSharedLockProgram(kCycle, {"mixed"}));
}

TEST(SharedLockCorpus, ReadersThatWriteTheOtherLockAreADeadlock) {
  const SharedLockRun r = RunSharedLockProgram(kCycle, {"writers"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.stderr_text;
  // The runtime's online check says so at once, naming the kind.
  EXPECT_EQ(CountLines(r.run.stderr_text, "lock-order cycle"), 1) << r.run.stderr_text;
  EXPECT_THAT(r.run.stderr_text, HasSubstr("SharedLock \"P\""));

  EXPECT_EQ(r.analysis.exit_code, 1) << r.analysis.stderr_text;
  ASSERT_THAT(Kinds(r.report), ElementsAre("deadlock")) << r.report.dump(2);
  EXPECT_THAT(r.report["ruled_out"], IsEmpty());
  const json& f = r.report["findings"][0];
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre("P", "Q"));
  for (const json& lock : f["locks"]) {
    EXPECT_EQ(lock["kind"], "SharedLock");
    EXPECT_EQ(lock["site"], kCorpus.Site(kCycle, "// lock: " + lock["class"].get<std::string>()));
  }
  EXPECT_THAT(SharedEdgeLines(f),
              UnorderedElementsAre(
                  CycleEdge("P", "Q", "forward", "writers: forward holds P",
                            "writers: forward takes Q", false),
                  CycleEdge("Q", "P", "backward", "writers: backward holds Q",
                            "writers: backward takes P", false)))
      << f.dump(2);
  for (const json& edge : f["edges"]) {
    EXPECT_TRUE(StackHas(edge["stack"], edge["acquire_site"])) << edge.dump(2);
  }
  EXPECT_EQ(f["message"], "lock-order cycle between \"P\" and \"Q\"");

  // The text report names the kind too.
  TempDir traces;
  const ProcessResult again = RunProcess(
      {kCorpus.Program(kCycle), "writers"},
      {absl::StrCat("LOCKGRAPH_OPTIONS=quiet=1:trace=", traces.path(), "/cycle.%p.lgtrace")});
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  const ProcessResult text = RunLockgraph({"analyze", traces.path()});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.stdout_text, HasSubstr("SharedLock \"P\""));
  EXPECT_THAT(text.stdout_text, HasSubstr("SharedLock \"Q\""));
  EXPECT_THAT(text.stdout_text, HasSubstr(kCorpus.Site(kCycle, "writers: backward takes P")));
}

TEST(SharedLockCorpus, AGateBothThreadsReadIsNoGate) {
  const std::string name = "shared_gate";
  const SharedLockRun r = RunSharedLockProgram(name, {"readers"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.stderr_text;
  // The online check and the analysis agree: readers are inside the gate together.
  EXPECT_EQ(CountLines(r.run.stderr_text, "lock-order cycle"), 1) << r.run.stderr_text;
  EXPECT_EQ(r.analysis.exit_code, 1) << r.analysis.stderr_text;
  ASSERT_THAT(Kinds(r.report), ElementsAre("deadlock")) << r.report.dump(2);
  const json& f = r.report["findings"][0];
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre("A", "B"));
  std::vector<std::string> taken;
  for (const json& edge : f["edges"]) taken.push_back(edge["acquire_site"]);
  EXPECT_THAT(taken, UnorderedElementsAre(kCorpus.Site(name, "gate: forward takes B"),
                                          kCorpus.Site(name, "gate: backward takes A")));
}

TEST(SharedLockCorpus, AGateOneThreadWritesSerializesTheOrders) {
  const std::string name = "shared_gate";
  const SharedLockRun r = RunSharedLockProgram(name, {"writer"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.stderr_text;
  EXPECT_EQ(CountLines(r.run.stderr_text, "lock-order cycle"), 0) << r.run.stderr_text;
  EXPECT_EQ(r.analysis.exit_code, 0) << r.analysis.stderr_text;
  EXPECT_THAT(r.report["findings"], IsEmpty()) << r.report.dump(2);
  ASSERT_THAT(r.report["ruled_out"], SizeIs(1)) << r.report.dump(2);
  EXPECT_THAT(r.report["ruled_out"][0]["reason"].get<std::string>(),
              StartsWith(absl::StrCat("gate lock SharedLock \"gate\" at ",
                                      kCorpus.Site(name, "// lock: gate"))));
}

TEST(SharedLockCorpus, TheDeadlockIsConfirmedBySteering) {
  // Backward waits for forward a second at most; the steering holds forward back, holding P
  // shared, for up to ten seconds, until backward holds Q shared: both then want to write.
  const ProcessResult run =
      RunLockgraph({"confirm", "--format=json", "--pause=10s", "--", kCorpus.Program(kCycle),
                    "writers", "1000"});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  const json report = json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << run.stdout_text << run.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << report.dump(2);
  const json& f = deadlocks[0];
  EXPECT_EQ(f.value("observed", true), false) << "predicted, not seen in the first run";
  EXPECT_EQ(f.value("confirmed", false), true) << f.dump(2);
  std::vector<std::string> sites;
  for (const json& edge : f["confirmation"]["edges"]) {
    sites.push_back(edge["acquire_site"]);
    EXPECT_TRUE(StackHas(edge["stack"], edge["acquire_site"])) << edge.dump(2);
  }
  EXPECT_THAT(sites, UnorderedElementsAre(kCorpus.Site(kCycle, "writers: forward takes Q"),
                                          kCorpus.Site(kCycle, "writers: backward takes P")));
  EXPECT_THAT(run.stderr_text, HasSubstr("deadlock now"));
  EXPECT_THAT(run.stderr_text, HasSubstr("confirmed, the program deadlocked"));
}

TEST(SharedLockCorpus, AReaderAndAWriterWaitingForEachOtherAreEndedByTheLiveCheck) {
  const std::string name = "hang_shared_locks";
  const SharedLockRun r = RunSharedLockProgram(name, {}, ":deadlock_check=100ms");
  EXPECT_EQ(r.run.exit_code, lockgraph::kDeadlockExitStatus) << r.run.stderr_text;
  EXPECT_THAT(r.run.stdout_text, Not(HasSubstr("not reached")));
  const std::string& err = r.run.stderr_text;
  EXPECT_EQ(CountLines(err, "deadlock now"), 1) << err;
  EXPECT_THAT(err, HasSubstr("exit status 86 (on_deadlock=exit)"));
  EXPECT_THAT(err, AllOf(HasSubstr("thread 2 \"reader\" holds SharedLock \"A\""),
                         HasSubstr("and waits as a reader for SharedLock \"B\""),
                         HasSubstr("thread 3 \"writer\" holds SharedLock \"B\"")));
  for (const char* marker :
       {"holds: A (reader)", "holds: B (writer)", "waits: B (reader)", "waits: A (writer)"}) {
    EXPECT_THAT(err, HasSubstr(kCorpus.Site(name, marker))) << marker << "\n" << err;
  }
  // The analysis reports the deadlock as observed, with both waits.
  const std::vector<json> deadlocks = FindingsOf(r.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << r.report.dump(2);
  const json& f = deadlocks[0];
  EXPECT_EQ(f.value("observed", false), true) << f.dump(2);
  EXPECT_THAT(f["message"].get<std::string>(), HasSubstr("happened in this run"));
  std::vector<std::string> waits;
  for (const json& edge : f["edges"]) waits.push_back(edge["acquire_site"]);
  EXPECT_THAT(waits, UnorderedElementsAre(kCorpus.Site(name, "waits: B (reader)"),
                                          kCorpus.Site(name, "waits: A (writer)")));
  for (const json& lock : f["locks"]) EXPECT_EQ(lock["kind"], "SharedLock");
}

TEST(SharedLockCorpus, ReleasesOfHoldsNotHadAreMisuseAtTheirCalls) {
  const std::string name = "shared_lock_misuse";
  const SharedLockRun r = RunSharedLockProgram(name, {}, "", {"--fail-on=misuse"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.stderr_text;
  EXPECT_EQ(CountLines(r.run.stderr_text, "misuse (release-unheld)"), 1) << r.run.stderr_text;
  EXPECT_EQ(CountLines(r.run.stderr_text, "misuse (release-wrong-mode)"), 1);

  EXPECT_EQ(r.analysis.exit_code, 1) << r.analysis.stderr_text;
  ASSERT_THAT(Kinds(r.report), ElementsAre("misuse", "misuse")) << r.report.dump(2);
  EXPECT_THAT(Counts(r.report), ElementsAre(0, 0, 0, 2));
  std::vector<std::string> found;
  for (const json& f : FindingsOf(r.report, "misuse")) {
    EXPECT_THAT(LockClasses(f), ElementsAre("config"));
    EXPECT_EQ(f["locks"][0]["kind"], "SharedLock");
    EXPECT_EQ(f["thread"]["name"], "closer");
    ASSERT_THAT(f["stack"], Not(IsEmpty()));
    EXPECT_THAT(f["stack"][0].get<std::string>(), EndsWith(" " + f["location"].get<std::string>()));
    const std::string message = f["message"];
    found.push_back(absl::StrCat(message.substr(0, message.find(':')), " at ",
                                 f["location"].get<std::string>()));
  }
  EXPECT_THAT(found, UnorderedElementsAre(
                         absl::StrCat("release-unheld at ",
                                      kCorpus.Site(name, "misuse: unlock_shared unheld")),
                         absl::StrCat("release-wrong-mode at ",
                                      kCorpus.Site(name, "misuse: unlock_shared of a writer"))));
}

}  // namespace

// Deadlocks that happen (issue 14): programs that really hang, traced under `lockgraph run`
// (preload_corpus/hang_*) and built with the wrappers (corpus/hang_*), are ended by the live
// check with a "deadlock now" report naming every waiting line, exit status 86, and the
// analysis reports the deadlock as observed. A lock that is only slow is not a deadlock.
#include <unistd.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/options.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::Corpus;
using ::lockgraph::testing::Counts;
using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::kCorpus;
using ::lockgraph::testing::kPreloadCorpus;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::StackHas;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;
using json = ::nlohmann::json;

struct HungRun {
  ProcessResult run;  // lockgraph run's (or the program's) exit status and output
  json report;        // the JSON report of the run's traces
};

// Runs a preload corpus program under `lockgraph run`, or a wrapper corpus program on its
// own with its trace in a directory, then analyzes the traces as JSON. deadlock_check is
// short so that the suite stays fast; one test keeps the default.
HungRun RunHung(const Corpus& corpus, const std::string& name,
                const std::string& options = "deadlock_check=100ms",
                const std::vector<std::string>& args = {}) {
  TempDir traces;
  HungRun hung;
  if (&corpus == &kPreloadCorpus) {
    std::vector<std::string> argv = {LockgraphCommand(), "run", "--trace-dir", traces.path(),
                                     "--", corpus.Program(name)};
    argv.insert(argv.end(), args.begin(), args.end());
    hung.run = RunProcess(argv, {"LOCKGRAPH_OPTIONS=" + options});
  } else {
    hung.run = RunProcess({corpus.Program(name)},
                          {"LOCKGRAPH_OPTIONS=" + options + ":trace=" + traces.path() + "/" +
                           name + ".lgtrace"});
  }
  const ProcessResult analyzed =
      RunLockgraph({"analyze", "--format=json", traces.path()});
  hung.report = json::parse(analyzed.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(hung.report.is_object()) << analyzed.stderr_text;
  if (!hung.report.is_object()) hung.report = json::object();
  return hung;
}

// The "deadlock now" report names each waiting line and each line where a lock of the cycle
// was taken; the program was ended with exit status 86, and said so.
void ExpectEndedWithReport(const HungRun& hung, const Corpus& corpus, const std::string& name,
                           const std::vector<std::string>& markers) {
  EXPECT_EQ(hung.run.exit_code, lockgraph::kDeadlockExitStatus) << hung.run.stderr_text;
  EXPECT_EQ(CountLines(hung.run.stderr_text, "deadlock now"), 1) << hung.run.stderr_text;
  EXPECT_THAT(hung.run.stderr_text, HasSubstr("exit status 86 (on_deadlock=exit)"));
  for (const std::string& marker : markers) {
    EXPECT_THAT(hung.run.stderr_text, HasSubstr(corpus.Site(name, marker)))
        << marker << "\n" << hung.run.stderr_text;
  }
  EXPECT_THAT(hung.run.stdout_text, Not(HasSubstr("not reached")));
}

// The "deadlock now" report of a run's stderr (the online report may hold others before it).
std::string DeadlockNowReport(const HungRun& hung) {
  const std::string& text = hung.run.stderr_text;
  const size_t begin = text.find("deadlock now");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find("lockgraph: ending the program", begin) - begin);
}

// The analysis has one deadlock, observed, whose edges wait at `wait_markers` (in any
// order): each edge's stack starts at a waiting line.
void ExpectObservedDeadlock(const HungRun& hung, const Corpus& corpus, const std::string& name,
                            const std::vector<std::string>& wait_markers) {
  const std::vector<json> deadlocks = FindingsOf(hung.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << hung.report.dump(2);
  const json& f = deadlocks[0];
  EXPECT_EQ(f.value("observed", false), true) << f.dump(2);
  EXPECT_THAT(f["message"].get<std::string>(), HasSubstr("happened in this run"));
  std::vector<std::string> expected;
  for (const std::string& marker : wait_markers) expected.push_back(corpus.Site(name, marker));
  std::vector<std::string> waits;
  for (const json& edge : f["edges"]) {
    waits.push_back(edge["acquire_site"]);
    EXPECT_TRUE(StackHas(edge["stack"], edge["acquire_site"])) << edge.dump(2);
  }
  EXPECT_THAT(waits, UnorderedElementsAreArray(expected)) << f.dump(2);
}

TEST(LiveDeadlock, TwoLocksUnderThePreloadEndWithTheReport) {
  const std::string name = "hang_two_locks";
  // The default deadlock_check (1 s): the hang ends within seconds.
  const HungRun hung = RunHung(kPreloadCorpus, name, "");
  ExpectEndedWithReport(hung, kPreloadCorpus, name,
                        {"holds: A", "holds: B", "waits: A", "waits: B"});
  ExpectObservedDeadlock(hung, kPreloadCorpus, name, {"waits: A", "waits: B"});
}

TEST(LiveDeadlock, ThreeThreadRingUnderThePreloadEndsWithTheReport) {
  const std::string name = "hang_three_locks";
  const HungRun hung = RunHung(kPreloadCorpus, name);
  ExpectEndedWithReport(hung, kPreloadCorpus, name, {"holds: own lock", "waits: next lock"});
  // The three threads wait on one line, for three different locks.
  EXPECT_EQ(CountLines(DeadlockNowReport(hung), "and waits for"), 3) << hung.run.stderr_text;
  ExpectObservedDeadlock(hung, kPreloadCorpus, name,
                         {"waits: next lock", "waits: next lock", "waits: next lock"});
}

TEST(LiveDeadlock, SelfDeadlockUnderThePreloadIsReportedBeforeItBlocks) {
  const std::string name = "hang_self";
  // A deadlock_check of an hour: the one-thread case does not wait for it.
  const HungRun hung = RunHung(kPreloadCorpus, name, "deadlock_check=1h");
  ExpectEndedWithReport(hung, kPreloadCorpus, name, {"holds: registry", "waits: registry again"});
  ExpectObservedDeadlock(hung, kPreloadCorpus, name, {"waits: registry again"});
}

TEST(LiveDeadlock, TwoLocksWithTheWrappersEndWithTheReport) {
  const std::string name = "hang_two_locks";
  const HungRun hung = RunHung(kCorpus, name);
  ExpectEndedWithReport(hung, kCorpus, name, {"holds: first", "waits: second"});
  EXPECT_THAT(hung.run.stderr_text, HasSubstr("\"A\""));
  EXPECT_THAT(hung.run.stderr_text, HasSubstr("\"B\""));
  ExpectObservedDeadlock(hung, kCorpus, name, {"waits: second", "waits: second"});
}

TEST(LiveDeadlock, ThreeThreadRingWithTheWrappersEndsWithTheReport) {
  const std::string name = "hang_three_locks";
  const HungRun hung = RunHung(kCorpus, name);
  ExpectEndedWithReport(hung, kCorpus, name, {"holds: own lock", "waits: next lock"});
  for (const char* thread : {"ring-0", "ring-1", "ring-2"}) {
    EXPECT_THAT(hung.run.stderr_text, HasSubstr(thread));
  }
  ExpectObservedDeadlock(hung, kCorpus, name,
                         {"waits: next lock", "waits: next lock", "waits: next lock"});
}

TEST(LiveDeadlock, SelfDeadlockWithTheWrappersIsReportedBeforeItBlocks) {
  const std::string name = "hang_self";
  const HungRun hung = RunHung(kCorpus, name, "deadlock_check=1h");
  ExpectEndedWithReport(hung, kCorpus, name, {"holds: registry", "waits: registry again"});
  ExpectObservedDeadlock(hung, kCorpus, name, {"waits: registry again"});
}

TEST(LiveDeadlock, OnDeadlockAbortAborts) {
  const std::string name = "hang_self";
  const ProcessResult under_run =
      RunProcess({LockgraphCommand(), "run", "--", kPreloadCorpus.Program(name)},
                 {"LOCKGRAPH_OPTIONS=on_deadlock=abort"});
  EXPECT_EQ(under_run.exit_code, 128 + 6) << under_run.stderr_text;  // SIGABRT
  EXPECT_THAT(under_run.stderr_text, HasSubstr("aborting (on_deadlock=abort)"));
}

// "file:line" of the line of tests/e2e/programs/process_locks.cc holding `marker`.
std::string ProcessLocksSite(const std::string& marker) {
  return std::string(LOCKGRAPH_PROCESS_SOURCE) + ":" +
         std::to_string(lockgraph::testing::LineOf(LOCKGRAPH_PROCESS_SOURCE, marker));
}

TEST(LiveDeadlock, TwoProcessesDeadlockedOnProcessLocksBothEndWithTheirPart) {
  TempDir traces;
  const std::string prefix = "lg-e2e." + std::to_string(getpid()) + ".hang";
  const ProcessResult run = RunProcess(
      {LOCKGRAPH_PROCESS_PROGRAM, "hang", prefix},
      {"LOCKGRAPH_OPTIONS=deadlock_check=100ms:trace=" + traces.path() + "/p.%p.lgtrace"});
  // Each child ends with exit status 86; the parent sees both.
  EXPECT_THAT(run.stdout_text, HasSubstr("forward 86 backward 86")) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 1);
  // Each process reports the deadlock: its own thread with the stack, the other by name.
  EXPECT_EQ(CountLines(run.stderr_text, "deadlock now: 2 threads of several processes"), 2)
      << run.stderr_text;
  EXPECT_EQ(CountLines(run.stderr_text, "(its stack is in that process's report and trace)"), 2);
  // Both wait on one line, each printing its own stack.
  EXPECT_EQ(CountLines(run.stderr_text, ProcessLocksSite("hang: waits for the other lock")), 2)
      << run.stderr_text;
  // The two parts, in two traces, are one observed deadlock between the two processes.
  const ProcessResult analyzed = RunLockgraph({"analyze", "--format=json", traces.path()});
  const json report = json::parse(analyzed.stdout_text, nullptr, false);
  ASSERT_TRUE(report.is_object()) << analyzed.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << report.dump(2);
  const json& f = deadlocks[0];
  EXPECT_EQ(f.value("observed", false), true);
  std::vector<std::string> waits;
  std::vector<uint64_t> pids;
  for (const json& edge : f["edges"]) {
    waits.push_back(edge["acquire_site"]);
    pids.push_back(edge["pid"]);
  }
  EXPECT_THAT(waits, UnorderedElementsAreArray({ProcessLocksSite("hang: waits for the other lock"),
                                               ProcessLocksSite("hang: waits for the other lock")}));
  ASSERT_THAT(pids, SizeIs(2));
  EXPECT_NE(pids[0], pids[1]);
  EXPECT_THAT(report["warnings"], IsEmpty());
}

TEST(LiveDeadlock, ASlowHolderIsNotADeadlock) {
  // The holder keeps the lock two seconds; with the default deadlock_check the waiter checks
  // once a second and finds no cycle.
  const HungRun hung = RunHung(kPreloadCorpus, "long_hold", "", {"2000"});
  EXPECT_EQ(hung.run.exit_code, 0) << hung.run.stderr_text;
  EXPECT_THAT(hung.run.stderr_text, Not(HasSubstr("deadlock now")));
  EXPECT_THAT(FindingsOf(hung.report, "deadlock"), IsEmpty());
}

}  // namespace

// Python programs under lockgraph (issue 16): the programs of python_corpus/ are plain
// threading, queue and multiprocessing code, run unmodified under `lockgraph run` and
// `python3 -m lockgraph`, and rewritten to `import lockgraph` directly; the findings name the
// programs' own Python lines.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::Counts;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::StackHas;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

const std::string kPython = LOCKGRAPH_PYTHON;
const std::string kPythonDir = LOCKGRAPH_PYTHON_DIR;  // the build tree's package's parent

std::string Program(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_PYTHON_CORPUS_DIR, "/", name);
}

// "file:line" of the first line of `file` that holds `marker`.
std::string SiteIn(const std::string& file, const std::string& marker) {
  const int line = LineOf(file, marker);
  EXPECT_GT(line, 0) << marker << " is not in " << file;
  return absl::StrCat(file, ":", line);
}
std::string Site(const std::string& name, const std::string& marker) {
  return SiteIn(Program(name), marker);
}

// A run whose traces are kept in a directory of their own.
struct PythonRun {
  TempDir dir;
  ProcessResult result;
  std::string traces() const { return dir.path() + "/traces"; }
  json Json() const {
    const ProcessResult analysis =
        RunLockgraph({"analyze", "--format=json", "--fail-on=never", traces()});
    EXPECT_EQ(analysis.exit_code, 0) << analysis.stderr_text;
    return json::parse(analysis.stdout_text, nullptr, /*allow_exceptions=*/false);
  }
  std::string Report(const std::string& format) const {
    return RunLockgraph({"analyze", "--format=" + format, "--fail-on=never", traces()})
        .stdout_text;
  }
};

// Waits in these programs (a consumer waiting for work, a thread for an Event) last as long
// as the machine is slow: only the long-wait test counts them.
constexpr const char* kNoLongWaits = "long_wait=1h";

// `lockgraph run -- python3 PROGRAM ARGS...`.
std::unique_ptr<PythonRun> RunUnmodified(const std::string& program,
                                   const std::vector<std::string>& args = {},
                                   const std::string& options = kNoLongWaits) {
  auto run = std::make_unique<PythonRun>();
  std::vector<std::string> argv = {LockgraphCommand(), "run", "--trace-dir", run->traces(), "--",
                                   kPython, program};
  argv.insert(argv.end(), args.begin(), args.end());
  run->result = RunProcess(argv, {"LOCKGRAPH_OPTIONS=" + options});
  return run;
}

// `python3 PROGRAM ARGS...` with lockgraph importable and traces in the run's directory, no
// preload: the program uses lockgraph itself (or `-m lockgraph` does).
std::unique_ptr<PythonRun> RunDirect(const std::vector<std::string>& python_args,
                                     const std::string& options = kNoLongWaits) {
  auto run = std::make_unique<PythonRun>();
  std::filesystem::create_directories(run->traces());
  std::vector<std::string> argv = {kPython};
  argv.insert(argv.end(), python_args.begin(), python_args.end());
  run->result = RunProcess(argv, {"PYTHONPATH=" + kPythonDir,
                                  absl::StrCat("LOCKGRAPH_OPTIONS=", options, ":trace=",
                                               run->traces(), "/%p.lgtrace")});
  return run;
}

// The program rewritten to use lockgraph's primitives in place of threading's and queue's.
std::string WrittenWithLockgraph(const std::string& name, const TempDir& dir) {
  std::ifstream in(Program(name));
  std::stringstream text;
  text << in.rdbuf();
  const std::string rewritten =
      absl::StrReplaceAll(text.str(), {{"import threading\n", "import lockgraph as threading\n"},
                                       {"import queue\n", "import lockgraph as queue\n"}});
  EXPECT_NE(rewritten, text.str()) << name << " imports neither threading nor queue";
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << rewritten;
  return path;
}

std::vector<std::string> Classes(const json& finding) { return LockClasses(finding); }

// The edge of `finding` from lock class `from`.
json EdgeFrom(const json& finding, const std::string& from) {
  for (const json& edge : finding["edges"]) {
    if (edge["from"] == from) return edge;
  }
  ADD_FAILURE() << "no edge from " << from << " in " << finding.dump(1);
  return json::object();
}

// The four lines of abba.py's cycle, in a finding of a program with abba.py's text at `file`.
void ExpectAbbaLines(const json& finding, const std::string& file) {
  EXPECT_THAT(Classes(finding), UnorderedElementsAre("accounts", "audit_log"));
  const json deposit = EdgeFrom(finding, "accounts");
  EXPECT_EQ(deposit["held_site"], SiteIn(file, "deposit holds accounts"));
  EXPECT_EQ(deposit["acquire_site"], SiteIn(file, "deposit takes audit_log"));
  EXPECT_TRUE(StackHas(deposit["stack"], SiteIn(file, "deposit takes audit_log")));
  EXPECT_THAT(deposit["stack"][0].get<std::string>(), HasSubstr("deposit "));
  EXPECT_THAT(deposit["thread"].get<std::string>(), HasSubstr("\"depositor\""));
  const json rotate = EdgeFrom(finding, "audit_log");
  EXPECT_EQ(rotate["held_site"], SiteIn(file, "rotate holds audit_log"));
  EXPECT_EQ(rotate["acquire_site"], SiteIn(file, "rotate takes accounts"));
  EXPECT_THAT(rotate["thread"].get<std::string>(), HasSubstr("\"rotator\""));
  for (const json& lock : finding["locks"]) {
    EXPECT_THAT(lock["site"].get<std::string>(), HasSubstr(file + ":")) << lock.dump();
  }
}

TEST(PythonUnmodified, AbbaIsReportedWithItsFourPythonLines) {
  const auto run = RunUnmodified(Program("abba.py"));
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  // At once, on stderr, with the lines in it.
  const std::string& online = run->result.stderr_text;
  EXPECT_THAT(online, HasSubstr("lock-order cycle: possible deadlock between 2 locks"));
  EXPECT_THAT(online, HasSubstr("(taken at " + Site("abba.py", "deposit holds accounts") +
                                " in deposit)"));
  EXPECT_THAT(online, HasSubstr("#0 rotate " + Site("abba.py", "rotate takes accounts")));
  EXPECT_THAT(online, Not(HasSubstr("std::scoped_lock")));

  const json report = run->Json();
  EXPECT_THAT(Counts(report), ElementsAre(1, 0, 0, 0)) << report.dump(1);
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  ExpectAbbaLines(deadlocks[0], Program("abba.py"));
  EXPECT_EQ(deadlocks[0]["location"], Site("abba.py", "rotate takes accounts"));

  const std::string text = run->Report("text");
  EXPECT_THAT(text, HasSubstr(Site("abba.py", "rotate takes accounts") + ": error: lock-order "
                              "cycle between \"accounts\" and \"audit_log\""));
  EXPECT_THAT(text, HasSubstr("#0 deposit " + Site("abba.py", "deposit takes audit_log")));
  EXPECT_THAT(text, Not(HasSubstr("no line information")));
  // SARIF's locations are the script's file and lines.
  const json sarif = json::parse(run->Report("sarif"));
  const json& location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_THAT(location["artifactLocation"]["uri"].get<std::string>(), HasSubstr("abba.py"));
  EXPECT_EQ(location["region"]["startLine"], LineOf(Program("abba.py"), "rotate takes accounts"));
  const std::string html = run->Report("html");
  EXPECT_THAT(html, HasSubstr("abba.py:" + std::to_string(LineOf(Program("abba.py"),
                                                                   "deposit takes audit_log"))));
}

// A relative --trace-dir is the directory lockgraph run was started in, wherever the program
// goes (CPython's test runner works in a directory of its own).
TEST(PythonUnmodified, RelativeTraceDirHoldsTheTracesOfAProgramThatChangesDirectory) {
  TempDir dir;
  const ProcessResult run = RunProcess(
      {LockgraphCommand(), "run", "--trace-dir", "traces", "--", kPython, "-c",
       "import os, runpy; os.chdir('/'); runpy.run_path('" + Program("abba.py") + "')"},
      {absl::StrCat("LOCKGRAPH_OPTIONS=", kNoLongWaits)}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("failed")));
  const ProcessResult analysis =
      RunLockgraph({"analyze", "--format=json", "--fail-on=never", dir.path() + "/traces"});
  ASSERT_EQ(analysis.exit_code, 0) << analysis.stderr_text;
  EXPECT_THAT(FindingsOf(json::parse(analysis.stdout_text), "deadlock"), SizeIs(1));
}

TEST(PythonUnmodified, ThreeThreadCycleNamesEveryLock) {
  const auto run = RunUnmodified(Program("three_cycle.py"));
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const json report = run->Json();
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << report.dump(1);
  EXPECT_THAT(Classes(deadlocks[0]), UnorderedElementsAre("first", "second", "third"));
  ASSERT_THAT(deadlocks[0]["edges"], SizeIs(3));
  for (const json& edge : deadlocks[0]["edges"]) {
    EXPECT_EQ(edge["held_site"], Site("three_cycle.py", "takes its first lock"));
    EXPECT_EQ(edge["acquire_site"], Site("three_cycle.py", "then its second"));
  }
}

TEST(PythonUnmodified, CycleThroughConditionWaitIsFound) {
  const auto run = RunUnmodified(Program("condition_cycle.py"));
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const json report = run->Json();
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << report.dump(1);
  EXPECT_THAT(Classes(deadlocks[0]), UnorderedElementsAre("ledger", "ready_lock"));
  // The waiter's edge is the wait's re-acquisition of the condition's lock.
  EXPECT_EQ(EdgeFrom(deadlocks[0], "ledger")["acquire_site"],
            Site("condition_cycle.py", "the wait takes ready_lock back"));
  EXPECT_EQ(EdgeFrom(deadlocks[0], "ready_lock")["acquire_site"],
            Site("condition_cycle.py", "notifier takes ledger"));
}

// Patterns that cannot deadlock, and the seed's everyday patterns: nothing is reported, and
// the programs do what they do without lockgraph.
class PythonClean : public ::testing::TestWithParam<const char*> {};

TEST_P(PythonClean, NothingIsReported) {
  const auto run = RunUnmodified(Program(GetParam()));
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  EXPECT_THAT(run->result.stderr_text, Not(HasSubstr("lockgraph: WARNING")));
  EXPECT_THAT(run->result.stderr_text, Not(HasSubstr("Traceback")));
  const json report = run->Json();
  EXPECT_THAT(Counts(report), ElementsAre(0, 0, 0, 0)) << report.dump(1);
}

INSTANTIATE_TEST_SUITE_P(Programs, PythonClean,
                         ::testing::Values("gate_lock.py", "join_order.py", "same_thread.py",
                                           "seed_threads.py", "seed_queue.py", "seed_pool.py"),
                         [](const auto& info) {
                           return absl::StrReplaceAll(info.param, {{".py", ""}});
                         });

TEST(PythonUnmodified, SeedProgramsPrintWhatTheyPrintWithoutLockgraph) {
  EXPECT_THAT(RunUnmodified(Program("seed_threads.py"))->result.stdout_text,
              HasSubstr("counter 4000"));
  EXPECT_THAT(RunUnmodified(Program("seed_queue.py"))->result.stdout_text,
              HasSubstr("results 50"));
  EXPECT_THAT(RunUnmodified(Program("seed_pool.py"))->result.stdout_text, HasSubstr("most "));
}

TEST(PythonUnmodified, ReleasingAnUnheldLockRaisesAndIsReported) {
  const auto run = RunUnmodified(Program("misuse.py"));
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  EXPECT_THAT(run->result.stdout_text, HasSubstr("RuntimeError: release unlocked lock"));
  const json report = run->Json();
  const std::vector<json> misuse = FindingsOf(report, "misuse");
  ASSERT_THAT(misuse, SizeIs(1)) << report.dump(1);
  EXPECT_EQ(misuse[0]["location"], Site("misuse.py", "releases an unheld lock"));
  EXPECT_THAT(misuse[0]["message"].get<std::string>(), HasSubstr("Lock \"spare\""));
}

TEST(PythonUnmodified, LongWaitNamesTheWaitersAndTheHoldersLines) {
  const auto run = RunUnmodified(Program("long_wait.py"), {}, "long_wait=100ms");
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const json report = run->Json();
  const std::vector<json> waits = FindingsOf(report, "long-wait");
  json on_ledger;
  for (const json& wait : waits) {
    if (wait["message"].get<std::string>().find("Lock \"ledger\"") != std::string::npos) {
      on_ledger = wait;
    }
  }
  ASSERT_FALSE(on_ledger.is_null()) << report.dump(1);
  EXPECT_EQ(on_ledger["location"], Site("long_wait.py", "wait waits for ledger"));
  EXPECT_THAT(on_ledger["message"].get<std::string>(), HasSubstr("held by thread 2 \"holder\""));
  EXPECT_THAT(run->Report("text"),
              HasSubstr("#0 hold " + Site("long_wait.py", "hold takes ledger")));
}

TEST(PythonUnmodified, RealDeadlockIsReportedAndEndsTheProgram) {
  const auto run = RunUnmodified(Program("real_deadlock.py"));
  EXPECT_EQ(run->result.exit_code, 86) << run->result.stderr_text;
  const std::string& stderr_text = run->result.stderr_text;
  EXPECT_THAT(stderr_text, HasSubstr("deadlock now"));
  EXPECT_THAT(stderr_text, HasSubstr(Site("real_deadlock.py", "one waits for south")));
  EXPECT_THAT(stderr_text, HasSubstr(Site("real_deadlock.py", "two waits for north")));
  const std::vector<json> deadlocks = FindingsOf(run->Json(), "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  EXPECT_TRUE(deadlocks[0]["observed"].get<bool>());
  EXPECT_THAT(Classes(deadlocks[0]), UnorderedElementsAre("north", "south"));
}

TEST(PythonUnmodified, ConfirmSteersTheAbbaIntoItsDeadlock) {
  const ProcessResult confirm =
      RunLockgraph({"confirm", "--", kPython, Program("abba.py")});
  EXPECT_EQ(confirm.exit_code, 1) << confirm.stderr_text;
  EXPECT_THAT(confirm.stdout_text + confirm.stderr_text,
              HasSubstr("confirmed: the program deadlocked when steered toward this cycle"));
}

// Full mode: races on lockgraph.Shared state, under `lockgraph run` (where the interpreter's
// GIL must order nothing) and with lockgraph used directly.
TEST(PythonFullMode, RaceOnSharedStateIsFoundUnlessALockOrdersIt) {
  for (const bool preload : {true, false}) {
    SCOPED_TRACE(preload ? "lockgraph run" : "import lockgraph");
    auto run_race = [&](const std::string& variant) {
      const std::string options = "mode=full:long_wait=1h";
      return preload ? RunUnmodified(Program("race.py"), {variant}, options)
                     : RunDirect({Program("race.py"), variant}, options);
    };
    const auto unlocked = run_race("unlocked");
    ASSERT_EQ(unlocked->result.exit_code, 0) << unlocked->result.stderr_text;
    EXPECT_THAT(unlocked->result.stdout_text, HasSubstr("total 200"));
    const json report = unlocked->Json();
    const std::vector<json> races = FindingsOf(report, "race");
    ASSERT_THAT(races, Not(::testing::IsEmpty())) << report.dump(1);
    EXPECT_EQ(races[0]["location"], Site("race.py", "add races on total"));
    EXPECT_THAT(races[0]["message"].get<std::string>(), HasSubstr("data race on \"total\""));
    EXPECT_THAT(unlocked->Report("text"), Not(HasSubstr("had no partner")));

    const auto locked = run_race("locked");
    ASSERT_EQ(locked->result.exit_code, 0) << locked->result.stderr_text;
    EXPECT_THAT(FindingsOf(locked->Json(), "race"), ::testing::IsEmpty());
  }
}

// multiprocessing, under every start method Debian's Python has.
class PythonProcesses : public ::testing::TestWithParam<const char*> {};

TEST_P(PythonProcesses, OppositeOrdersOfTwoProcessesMeetInTheMergedGraph) {
  const auto run = RunUnmodified(Program("mp_pair.py"), {GetParam()});
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const json report = run->Json();
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << report.dump(1);
  EXPECT_THAT(Classes(deadlocks[0]), UnorderedElementsAre("index", "journal"));
  const json forward = EdgeFrom(deadlocks[0], "journal");
  const json backward = EdgeFrom(deadlocks[0], "index");
  EXPECT_NE(forward["pid"], backward["pid"]);  // two processes
  EXPECT_EQ(forward["acquire_site"], Site("mp_pair.py", "forward takes index"));
  EXPECT_EQ(backward["acquire_site"], Site("mp_pair.py", "backward takes journal"));
}

TEST_P(PythonProcesses, SeedProcessesAreClean) {
  const auto run = RunUnmodified(Program("seed_multiprocessing.py"), {GetParam()});
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  EXPECT_THAT(run->result.stdout_text, HasSubstr("got 10"));
  const json report = run->Json();
  EXPECT_THAT(Counts(report), ElementsAre(0, 0, 0, 0)) << report.dump(1);
}

TEST_P(PythonProcesses, ProcessLocksWrittenWithLockgraphMeetToo) {
  const auto run = RunDirect({Program("mp_pair_direct.py"), GetParam()});
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(run->Json(), "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  EXPECT_THAT(Classes(deadlocks[0]), UnorderedElementsAre("index", "journal"));
}

// Start and join order a parent's orders before and after a child's opposite one, when the
// parent forks or spawns the child (not under forkserver: docs/python.md).
TEST(PythonProcessOrder, StartAndJoinOrderParentAndChild) {
  for (const char* method : {"fork", "spawn"}) {
    const auto run = RunUnmodified(Program("mp_ordered.py"), {method});
    ASSERT_EQ(run->result.exit_code, 0) << method << run->result.stderr_text;
    const json report = run->Json();
    EXPECT_THAT(Counts(report), ElementsAre(0, 0, 0, 0)) << method << report.dump(1);
    const std::string explained = RunLockgraph({"analyze", "--explain", run->traces()}).stdout_text;
    EXPECT_THAT(explained, HasSubstr("ruled out")) << method;
  }
}

INSTANTIATE_TEST_SUITE_P(StartMethods, PythonProcesses,
                         ::testing::Values("fork", "spawn", "forkserver"));

// `python3 -m lockgraph`: the same program, the same finding, no lockgraph command.
TEST(PythonModule, RunsAnUnmodifiedProgram) {
  const auto run = RunDirect({"-m", "lockgraph", Program("abba.py")});
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(run->Json(), "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  ExpectAbbaLines(deadlocks[0], Program("abba.py"));
}

TEST(PythonModule, BadUsageIsAnErrorWithExitStatus2) {
  const auto none = RunDirect({"-m", "lockgraph"});
  EXPECT_EQ(none->result.exit_code, 2);
  EXPECT_THAT(none->result.stderr_text, HasSubstr("usage: python3 -m lockgraph"));
  const auto missing = RunDirect({"-m", "lockgraph", "/nonexistent/app.py"});
  EXPECT_EQ(missing->result.exit_code, 2);
  EXPECT_THAT(missing->result.stderr_text, HasSubstr("/nonexistent/app.py: no such file"));
}

// The same programs with `import lockgraph as threading`: lockgraph's primitives used
// directly, without the preload; the same verdicts.
TEST(PythonDirect, AbbaIsReportedWithItsFourPythonLines) {
  TempDir sources;
  const std::string program = WrittenWithLockgraph("abba.py", sources);
  const auto run = RunDirect({program});
  ASSERT_EQ(run->result.exit_code, 0) << run->result.stderr_text;
  const json report = run->Json();
  EXPECT_THAT(Counts(report), ElementsAre(1, 0, 0, 0)) << report.dump(1);
  ExpectAbbaLines(FindingsOf(report, "deadlock")[0], program);
}

TEST(PythonDirect, CyclesAreFound) {
  for (const char* name : {"three_cycle.py", "condition_cycle.py"}) {
    TempDir sources;
    const auto run = RunDirect({WrittenWithLockgraph(name, sources)});
    ASSERT_EQ(run->result.exit_code, 0) << name << run->result.stderr_text;
    EXPECT_THAT(FindingsOf(run->Json(), "deadlock"), SizeIs(1)) << name;
  }
}

TEST(PythonDirect, CleanProgramsStayClean) {
  for (const char* name : {"gate_lock.py", "join_order.py", "same_thread.py", "seed_threads.py",
                           "seed_queue.py", "seed_pool.py"}) {
    TempDir sources;
    const auto run = RunDirect({WrittenWithLockgraph(name, sources)});
    ASSERT_EQ(run->result.exit_code, 0) << name << run->result.stderr_text;
    EXPECT_THAT(Counts(run->Json()), ElementsAre(0, 0, 0, 0)) << name;
  }
}

}  // namespace

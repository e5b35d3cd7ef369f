// `lockgraph run` on programs nobody changed for lockgraph (issue 5, items 2, 3 and 5): the
// corpus of analyze_test.cc written again with std::mutex, std::thread and raw pthread_* and
// sem_* calls (tests/e2e/preload_corpus/, linked to pthreads only), traced through
// liblockgraph_preload.so; then fork, 200 threads, output, exit code and signals passing
// through; then multithreaded compressors from Debian's packages, whose output must survive
// the round trip.
//
// How the preload names things, which the checks below follow (docs/analysis.md, "Classes
// under the preload"):
// - a lock in static storage (most of the corpus: globals) is a class of its own, named by
//   its variable ("a", "forks[2]", "x.mu") and labelled "pthread_mutex a";
// - a lock in a heap block has the class of its allocation site and offset;
// - any other lock's class is the line of its first lock (or of pthread_rwlock_init/sem_init)
//   in the program's own code, named "FILE:LINE" once symbolized and labelled "pthread_mutex
//   first used at FILE:LINE"; two such locks first taken on one line share a class;
// - threads have no names: "thread N", numbered when they start running. The corpus starts
//   its threads one at a time (StartInOrder in preload_corpus/sequencing.h), so main is 1
//   and the threads are 2, 3, ... in the order the program starts them.
// Lines are found by marker comments, as in analyze_test.cc.
#include <signal.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::Counts;
using ::lockgraph::testing::DependencyCount;
using ::lockgraph::testing::FindInPath;
using ::lockgraph::testing::Kinds;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunAndSignalWhenReady;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::StackHas;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kPreloadCorpus;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;
using json = ::nlohmann::json;

// ---- The corpus programs and their sources ----

// The label of a preload lock in static storage: its variable.
std::string Var(const std::string& variable, const std::string& kind = "pthread_mutex") {
  return absl::StrCat(kind, " ", variable);
}

// ---- Running under `lockgraph run` ----

struct TracedRun {
  int exit_code = -1;  // lockgraph's
  std::string stdout_text;
  std::string stderr_text;  // the program's stderr and the runtime's online reports
  json report;              // the JSON report (-o)
};

// `lockgraph run --format=json -o REPORT FLAGS... -- COMMAND...`, with LOCKGRAPH_OPTIONS set
// to `options` (so that the test's own environment does not leak into the runtime).
TracedRun RunUnder(const std::vector<std::string>& command,
                   const std::vector<std::string>& flags = {}, const std::string& options = "") {
  TempDir out;
  const std::string report = out.path() + "/report.json";
  std::vector<std::string> argv = {LockgraphCommand(), "run", "--format=json", "-o", report};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  const ProcessResult run = RunProcess(argv, {"LOCKGRAPH_OPTIONS=" + options});
  TracedRun result{run.exit_code, run.stdout_text, run.stderr_text, json()};
  result.report = json::parse(ReadFile(report), nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(result.report.is_object())
      << "no JSON report from " << command[0] << ": " << run.stderr_text;
  if (!result.report.is_object()) result.report = json::object();
  return result;
}

TracedRun RunPreloadCorpus(const std::string& name, const std::vector<std::string>& args = {},
                    const std::vector<std::string>& flags = {}, const std::string& options = "") {
  std::vector<std::string> command = {kPreloadCorpus.Program(name)};
  command.insert(command.end(), args.begin(), args.end());
  return RunUnder(command, flags, options);
}

// The online report's header line, once per cycle the runtime saw closing.
int OnlineCycles(const TracedRun& run) {
  return CountLines(run.stderr_text, "lockgraph: WARNING: lock-order cycle");
}

// ---- Reading a JSON report ----

std::vector<std::string> Labels(const json& finding) {
  std::vector<std::string> labels;
  for (const json& lock : finding["locks"]) labels.push_back(lock["label"]);
  return labels;
}

int Summary(const json& report, const std::string& field) {
  return report["summary"].value(field, -1);
}

// One line per edge, readable in a failure message. Locks are named by their labels, which
// hold their sites; threads by their number.
std::string LabelledEdgeLine(const std::string& from, const std::string& to, int thread,
                     const std::string& held_site, const std::string& acquire_site) {
  return absl::StrCat(from, " -> ", to, " by thread ", thread, ", holding since ", held_site,
                      ", taking at ", acquire_site);
}

std::vector<std::string> LabelledEdgeLines(const json& finding) {
  std::vector<std::string> lines;
  const json& locks = finding["locks"];
  const json& edges = finding["edges"];
  for (size_t i = 0; i < edges.size() && !locks.empty(); ++i) {
    const json& e = edges[i];
    lines.push_back(LabelledEdgeLine(locks[i]["label"], locks[(i + 1) % locks.size()]["label"],
                             e["thread_id"].get<int>(), e["held_site"], e["acquire_site"]));
  }
  return lines;
}

const json* EdgeByThread(const json& finding, int thread) {
  for (const json& e : finding["edges"]) {
    if (e["thread_id"] == thread) return &e;
  }
  return nullptr;
}

// The shape every cycle finding has: edge i goes from locks[i] to locks[i+1], the edges close
// the cycle, each is taken by another thread of `program`'s process, and every preload lock
// is of a class named by the line of `program`'s source where it was first used.
void ExpectWellFormedCycle(const json& finding, const std::string& program) {
  const json& locks = finding["locks"];
  const json& edges = finding["edges"];
  ASSERT_EQ(locks.size(), edges.size()) << finding.dump(2);
  std::set<uint64_t> threads;
  for (size_t i = 0; i < edges.size(); ++i) {
    EXPECT_EQ(edges[i]["from"], locks[i]["class"]) << "edge " << i;
    EXPECT_EQ(edges[i]["to"], locks[(i + 1) % locks.size()]["class"]) << "edge " << i;
    EXPECT_FALSE(edges[i]["try"].get<bool>()) << "edge " << i;
    EXPECT_FALSE(edges[i]["held_site_is_first_use"].get<bool>()) << "edge " << i;
    EXPECT_GE(edges[i]["count"].get<int>(), 1) << "edge " << i;
    EXPECT_THAT(edges[i]["stack"], Not(IsEmpty())) << "edge " << i;
    if (!edges[i]["stack"].empty()) {
      EXPECT_THAT(edges[i]["stack"][0].get<std::string>(),
                  EndsWith(" " + edges[i]["acquire_site"].get<std::string>()));
    }
    EXPECT_EQ(edges[i]["pid"], edges[0]["pid"]) << "an instance cycle is in one process";
    EXPECT_THAT(edges[i]["thread"].get<std::string>(),
                StartsWith(absl::StrCat("thread ", edges[i]["thread_id"].get<int>(), " ")));
    threads.insert(edges[i]["thread_id"].get<uint64_t>());
  }
  EXPECT_EQ(threads.size(), edges.size()) << "the threads of a witness are distinct";
  EXPECT_FALSE(threads.count(1)) << "main takes no lock in these programs";
  for (const json& lock : locks) {
    // A variable is its class, declared in the program; a class by site is its site.
    if (lock["site_is"] == "declared") {
      const std::string label = lock["label"];
      EXPECT_EQ(lock["class"], label.substr(label.find(' ') + 1));
    } else {
      EXPECT_EQ(lock["class"], lock["site"]);
    }
    EXPECT_THAT(lock["site"].get<std::string>(), HasSubstr("/" + program + ".cc:"));
  }
  EXPECT_THAT(finding["fix"].get<std::string>(), HasSubstr("std::scoped_lock"));
  EXPECT_THAT(finding["id"].get<std::string>(), StartsWith("LG-"));
}

// A run the analysis finds clean: the program exited 0, no findings, nothing ruled out unless
// `ruled_out`, no warnings.
void ExpectClean(const TracedRun& run, size_t ruled_out = 0) {
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.report["findings"], IsEmpty()) << run.report["findings"].dump(2);
  EXPECT_THAT(Counts(run.report), ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(run.report["ruled_out"], SizeIs(ruled_out)) << run.report["ruled_out"].dump(2);
  EXPECT_THAT(run.report["warnings"], IsEmpty());
  EXPECT_EQ(Summary(run.report, "traces"), 1);
}

// ---- The corpus, program by program ----

TEST(PreloadCorpus, TwoLockCycleIsOneDeadlockBetweenBothThreads) {
  const std::string name = "two_lock_cycle";
  const TracedRun run = RunPreloadCorpus(name);
  // `lockgraph run` exits with the program's code (0) by default (--fail-on=never).
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;

  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(run.report["ruled_out"], IsEmpty());
  EXPECT_EQ(Summary(run.report, "threads"), 3);
  EXPECT_EQ(Summary(run.report, "locks"), 2);
  EXPECT_EQ(Summary(run.report, "dependencies"), 2);
  const json& f = run.report["findings"][0];
  ExpectWellFormedCycle(f, name);
  const std::string a = Var("a");
  const std::string b = Var("b");
  EXPECT_THAT(Labels(f), UnorderedElementsAre(a, b));
  for (const json& lock : f["locks"]) EXPECT_EQ(lock["kind"], "pthread_mutex");
  EXPECT_THAT(LabelledEdgeLines(f),
              UnorderedElementsAre(
                  LabelledEdgeLine(a, b, 2, kPreloadCorpus.Site(name, "held: A (forward)"), kPreloadCorpus.Site(name, "edge: A -> B")),
                  LabelledEdgeLine(b, a, 3, kPreloadCorpus.Site(name, "held: B (backward)"), kPreloadCorpus.Site(name, "edge: B -> A"))));
  EXPECT_EQ(f["message"], "lock-order cycle between a and b");
  // Both orders were taken once: the report points at the newer one, backward's.
  EXPECT_EQ(f["location"], kPreloadCorpus.Site(name, "edge: B -> A"));
  EXPECT_THAT(f["fix"].get<std::string>(), HasSubstr(kPreloadCorpus.Site(name, "edge: B -> A")));
}

TEST(PreloadCorpus, TextReportOnStderrAndFailOnDecidesTheExitCode) {
  const std::string name = "two_lock_cycle";
  const ProcessResult text =
      RunProcess({LockgraphCommand(), "run", "--", kPreloadCorpus.Program(name)}, {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_EQ(text.stdout_text, "") << "the report never mixes with the program's stdout";
  EXPECT_THAT(
      text.stderr_text,
      HasSubstr(absl::StrCat(kPreloadCorpus.Site(name, "edge: B -> A"),
                             ": error: lock-order cycle between a and b [deadlock LG-")));
  EXPECT_THAT(text.stderr_text, HasSubstr("lockgraph: 1 deadlock, 0 potential"));

  const ProcessResult fail =
      RunProcess({LockgraphCommand(), "run", "--fail-on=deadlock", "--", kPreloadCorpus.Program(name)},
                 {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(fail.exit_code, 1) << fail.stderr_text;
  const ProcessResult potential =
      RunProcess({LockgraphCommand(), "run", "--fail-on=potential", "--", kPreloadCorpus.Program(name)},
                 {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(potential.exit_code, 1) << "a deadlock is above potential";
}

TEST(PreloadCorpus, ThreeLockCycleNeedsAllThreeThreads) {
  const std::string name = "three_lock_cycle";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(run.report["ruled_out"], IsEmpty());
  EXPECT_EQ(Summary(run.report, "threads"), 4);
  EXPECT_EQ(Summary(run.report, "locks"), 3);
  const json& f = run.report["findings"][0];
  ASSERT_THAT(f["locks"], SizeIs(3));
  ExpectWellFormedCycle(f, name);
  // Three globals, three classes, whichever line first locked each.
  const std::string a = Var("a"), b = Var("b"), c = Var("c");
  EXPECT_THAT(Labels(f), UnorderedElementsAre(a, b, c));
  EXPECT_EQ(Summary(run.report, "classes"), 3);
  const std::string held = kPreloadCorpus.Site(name, "held: outer");
  const std::string taken = kPreloadCorpus.Site(name, "edge: outer -> inner");
  EXPECT_THAT(LabelledEdgeLines(f), UnorderedElementsAre(LabelledEdgeLine(a, b, 2, held, taken),
                                                 LabelledEdgeLine(b, c, 3, held, taken),
                                                 LabelledEdgeLine(c, a, 4, held, taken)));
  // Nest() is shared: the stacks say which call took each order.
  for (const auto& [thread, call] : std::vector<std::pair<int, std::string>>{
           {2, "call: A -> B"}, {3, "call: B -> C"}, {4, "call: C -> A"}}) {
    const json* edge = EdgeByThread(f, thread);
    ASSERT_NE(edge, nullptr) << thread;
    EXPECT_TRUE(StackHas((*edge)["stack"], kPreloadCorpus.Site(name, call))) << (*edge)["stack"].dump();
  }
}

TEST(PreloadCorpus, NaiveDiningPhilosophersDeadlockOverFiveForks) {
  const std::string name = "dining_philosophers";
  const TracedRun run = RunPreloadCorpus(name, {"naive"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(run.report["ruled_out"], IsEmpty());
  EXPECT_EQ(Summary(run.report, "threads"), 6);
  const json& f = run.report["findings"][0];
  ASSERT_THAT(f["locks"], SizeIs(5));
  ExpectWellFormedCycle(f, name);
  // Each fork is an element of the global array: a class of its own, named by its index.
  std::vector<std::string> forks;
  for (int i = 0; i < 5; ++i) forks.push_back(Var(absl::StrCat("forks[", i, "]")));
  EXPECT_THAT(Labels(f), UnorderedElementsAreArray(forks));
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.push_back(LabelledEdgeLine(forks[i], forks[(i + 1) % 5], i + 2,
                                kPreloadCorpus.Site(name, "held: first fork"),
                                kPreloadCorpus.Site(name, "edge: first -> second")));
  }
  EXPECT_THAT(LabelledEdgeLines(f), UnorderedElementsAreArray(expected));
}

TEST(PreloadCorpus, OrderedDiningPhilosophersAreClean) {
  const TracedRun run = RunPreloadCorpus("dining_philosophers", {"ordered"});
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "threads"), 6);
  EXPECT_EQ(Summary(run.report, "locks"), 5);
  EXPECT_EQ(Summary(run.report, "dependencies"), 5);  // lower -> higher, once per philosopher
  // Each fork is a class of its own: no class nests in itself.
  EXPECT_EQ(Summary(run.report, "unnamed_self_nesting"), 0);
}

TEST(PreloadCorpus, GateLockAroundBothOrdersIsCleanAndExplained) {
  const std::string name = "gate_lock";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  // One cycle, A -> B -> A, ruled out once: its class image is not judged again.
  ExpectClean(run, /*ruled_out=*/1);
  ASSERT_THAT(run.report["ruled_out"], SizeIs(1));
  const json& r = run.report["ruled_out"][0];
  EXPECT_THAT(r["locks"], UnorderedElementsAre(Var("a"), Var("b")));
  EXPECT_EQ(r["level"], "instance");
  const std::string gate = absl::StrCat("gate lock ", Var("gate"));
  EXPECT_THAT(r["reason"].get<std::string>(),
              AllOf(StartsWith(gate), EndsWith("is held around every order")));

  // --explain names the gate in the text report.
  const ProcessResult explained = RunProcess(
      {LockgraphCommand(), "run", "--explain", "--", kPreloadCorpus.Program(name)}, {"LOCKGRAPH_OPTIONS="});
  EXPECT_EQ(explained.exit_code, 0);
  EXPECT_EQ(CountLines(explained.stderr_text, "lockgraph: ruled out: cycle "), 1)
      << explained.stderr_text;
  EXPECT_THAT(explained.stderr_text, HasSubstr(": " + gate));
}

TEST(PreloadCorpus, OrdersSeparatedByJoinThenStartAreCleanAndExplained) {
  const std::string name = "join_then_start";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  ExpectClean(run, /*ruled_out=*/1);
  ASSERT_THAT(run.report["ruled_out"], SizeIs(1));
  const json& r = run.report["ruled_out"][0];
  EXPECT_THAT(r["locks"], UnorderedElementsAre(Var("a"), Var("b")));
  EXPECT_EQ(r["level"], "instance");
  EXPECT_THAT(r["reason"].get<std::string>(), StartsWith("ordered by thread start/join"));

  const ProcessResult explained = RunProcess(
      {LockgraphCommand(), "run", "--explain", "--", kPreloadCorpus.Program(name)}, {"LOCKGRAPH_OPTIONS="});
  EXPECT_EQ(explained.exit_code, 0);
  EXPECT_EQ(CountLines(explained.stderr_text, "lockgraph: ruled out: cycle "), 1);
  EXPECT_THAT(explained.stderr_text, HasSubstr(": ordered by thread start/join"));
}

TEST(PreloadCorpus, TryLockBackOffIsClean) {
  // The program exits 0 only if its first try_lock failed and the retry succeeded.
  const TracedRun run = RunPreloadCorpus("try_lock_backoff");
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  // B -> A was taken by a successful try_lock: recorded, but no edge, so no cycle at all.
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "dependencies"), 2);
  EXPECT_EQ(Summary(run.report, "cycles_checked"), 0);
}

TEST(PreloadCorpus, RecursiveMutexReentryAddsNoEdge) {
  const TracedRun run = RunPreloadCorpus("recursive_reentry");
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  // Not even a ruled-out cycle: an L -> R edge from the re-entry would make one.
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "cycles_checked"), 0);
  EXPECT_EQ(Summary(run.report, "dependencies"), 2);  // R -> L in each thread, nothing else
  EXPECT_EQ(Summary(run.report, "locks"), 2);
}

TEST(PreloadCorpus, TransferCalledBothWaysIsADeadlockBetweenTwoAccounts) {
  const std::string name = "transfer_swapped";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;
  // One deadlock; its class image (the same two classes) is no separate potential.
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(run.report["ruled_out"], IsEmpty());
  const json& f = run.report["findings"][0];
  ExpectWellFormedCycle(f, name);
  // x.mu and y.mu: members of two global objects, two classes (the wrappers' one class,
  // Account::mu, needs a constructor the preload does not see).
  const std::string x = Var("x.mu");
  const std::string y = Var("y.mu");
  const std::string held = kPreloadCorpus.Site(name, "held: from");
  const std::string taken = kPreloadCorpus.Site(name, "edge: from -> to");
  EXPECT_THAT(LabelledEdgeLines(f),
              UnorderedElementsAre(LabelledEdgeLine(x, y, 2, held, taken), LabelledEdgeLine(y, x, 3, held, taken)));
  // The stacks tell the two calls apart.
  const json* xy = EdgeByThread(f, 2);
  const json* yx = EdgeByThread(f, 3);
  ASSERT_NE(xy, nullptr);
  ASSERT_NE(yx, nullptr);
  EXPECT_TRUE(StackHas((*xy)["stack"], kPreloadCorpus.Site(name, "call: transfer(x, y)"))) << (*xy)["stack"];
  EXPECT_TRUE(StackHas((*yx)["stack"], kPreloadCorpus.Site(name, "call: transfer(y, x)"))) << (*yx)["stack"];
}

// The wrappers' `potential` (analyze_test.cc: ClassesNestedBothWaysOnOtherAccounts...) needs
// a class per member lock. Under the preload the four accounts of transfer_potential are four
// global objects, each mutex a class of its own: two nestings (transfer's and audit's), no
// class cycle. So the preload reports nothing at all: the hazard is out of its sight (it sees
// it for heap objects, one class per allocation site: lock_names_test.cc), and it gives no
// false deadlock either.
TEST(PreloadCorpus, ClassesNestedBothWaysOnOtherObjectsAreNotSeen) {
  const std::string name = "transfer_potential";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "classes"), 4);
  EXPECT_EQ(Summary(run.report, "locks"), 4);
  EXPECT_EQ(Summary(run.report, "dependencies"), 2);
  EXPECT_EQ(Summary(run.report, "cycles_checked"), 0);
  std::set<std::string> classes;
  for (const json& s : run.report["stats"]) classes.insert(s["class"]);
  EXPECT_THAT(classes, UnorderedElementsAre("c1.mu", "c2.mu", "s1.mu", "s2.mu"));
}

// Runs long_hold with the runtime recording waits of 50 ms and more (LOCKGRAPH_OPTIONS, which
// `lockgraph run` keeps, adding its trace=), and --long-wait=100ms.
TracedRun RunLongHold(const std::vector<std::string>& flags = {}) {
  std::vector<std::string> all = {"--long-wait=100ms"};
  all.insert(all.end(), flags.begin(), flags.end());
  return RunPreloadCorpus("long_hold", {}, all, "long_wait=50ms");
}

TEST(PreloadCorpus, LongHoldIsALongWait) {
  const std::string name = "long_hold";
  TempDir traces;
  const TracedRun run = RunLongHold({"--trace-dir", traces.path()});
  EXPECT_EQ(run.exit_code, 0) << "a long wait does not fail the default --fail-on=never";
  EXPECT_EQ(run.stderr_text, "");
  ASSERT_THAT(Kinds(run.report), ElementsAre("long-wait"));
  EXPECT_THAT(Counts(run.report), ElementsAre(0, 0, 1, 0));
  const json& f = run.report["findings"][0];
  EXPECT_THAT(Labels(f), ElementsAre(Var("resource")));
  EXPECT_THAT(f["edges"], IsEmpty());
  EXPECT_EQ(f["waiter"]["thread"]["id"], 3);
  EXPECT_EQ(f["waiter"]["thread"]["name"], "thread-3");
  const std::string waits = kPreloadCorpus.Site(name, "waiter: waits for resource");
  ASSERT_THAT(f["waiter"]["stack"], Not(IsEmpty()));
  EXPECT_THAT(f["waiter"]["stack"][0].get<std::string>(), EndsWith(" " + waits));
  EXPECT_EQ(f["location"], waits);
  EXPECT_EQ(f["occurrences"], 1);
  EXPECT_GE(f["wait_max_ns"].get<uint64_t>(), 100'000'000u);
  EXPECT_EQ(f["wait_total_ns"], f["wait_max_ns"]);
  EXPECT_THAT(
      f["message"].get<std::string>(),
      AllOf(StartsWith("long wait: thread 3 "), HasSubstr(Var("resource"))));

  // The runtime ran with the user's options plus lockgraph's trace path.
  const std::vector<std::string> files = traces.Files(".lgtrace");
  ASSERT_THAT(files, SizeIs(1));
  const ProcessResult dump = RunLockgraph({"dump", files[0]});
  EXPECT_THAT(
      dump.stdout_text,
      HasSubstr(absl::StrCat("options=\"long_wait=50ms:trace=", traces.path(), "/%p.lgtrace\"")));
  // Below the threshold, no finding.
  const ProcessResult high =
      RunLockgraph({"analyze", "--format=json", "--long-wait=10s", traces.path()});
  EXPECT_EQ(high.exit_code, 0) << high.stderr_text;
  const json report = json::parse(high.stdout_text, nullptr, false);
  ASSERT_TRUE(report.is_object()) << high.stdout_text;
  EXPECT_THAT(report["findings"], IsEmpty());
}

TEST(PreloadCorpus, LongWaitNamesTheHolderAndItsStack) {
  const std::string name = "long_hold";
  const TracedRun run = RunLongHold();
  ASSERT_THAT(Kinds(run.report), ElementsAre("long-wait"));
  const json& f = run.report["findings"][0];
  EXPECT_EQ(f["holder"]["thread"]["id"], 2);
  EXPECT_EQ(f["holder"]["thread"]["pid"], f["waiter"]["thread"]["pid"]);
  EXPECT_THAT(f["holder"]["stack"][0].get<std::string>(),
              EndsWith(" " + kPreloadCorpus.Site(name, "holder: takes resource")));
  EXPECT_THAT(f["message"].get<std::string>(), HasSubstr("held by thread 2 "));
}

// merge_x_then_y takes X -> Y, merge_y_then_x Y -> X, each in its own program. Under the
// wrappers the locks are named "X" and "Y" and the merged traces have a class cycle (a
// potential). Under the preload a class is the source line of the first lock: the two
// programs' mutexes are four classes, and no cycle spans them. Running both into one --trace-dir and
// analyzing it finds nothing.
TEST(PreloadCorpus, TwoProgramsTakingOppositeOrdersDoNotMerge) {
  TempDir traces;
  const TracedRun first = RunUnder({kPreloadCorpus.Program("merge_x_then_y")}, {"--trace-dir", traces.path()});
  ExpectClean(first);
  // The second run's report covers every trace in the directory, the first run's too.
  const TracedRun second = RunUnder({kPreloadCorpus.Program("merge_y_then_x")}, {"--trace-dir", traces.path()});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_THAT(second.report["findings"], IsEmpty());
  EXPECT_EQ(Summary(second.report, "traces"), 2);
  ASSERT_THAT(traces.Files(".lgtrace"), SizeIs(2));

  const ProcessResult analyzed = RunLockgraph({"analyze", "--format=json", traces.path()});
  EXPECT_EQ(analyzed.exit_code, 0) << analyzed.stderr_text;
  const json report = json::parse(analyzed.stdout_text, nullptr, false);
  ASSERT_TRUE(report.is_object()) << analyzed.stdout_text;
  EXPECT_THAT(report["findings"], IsEmpty()) << report["findings"].dump(2);
  EXPECT_THAT(report["ruled_out"], IsEmpty());
  EXPECT_EQ(Summary(report, "traces"), 2);
  EXPECT_EQ(Summary(report, "classes"), 4);
  EXPECT_EQ(Summary(report, "dependencies"), 2);
  EXPECT_EQ(Summary(report, "cycles_checked"), 0);
}

// One program, run twice, taking X -> Y in one run and Y -> X in the other; both mutexes are
// first locked in Touch(), so each has one class in both runs, and the merged traces hold the
// class cycle X -> Y -> X: a `potential` (as the wrappers report for merge_x/y_then_x/y).
TEST(PreloadCorpus, OneProgramTakingBothOrdersInTwoRunsIsAPotential) {
  const std::string name = "merge_either_order";
  TempDir traces;
  for (const std::string order : {"x-then-y", "y-then-x"}) {
    const TracedRun run = RunUnder({kPreloadCorpus.Program(name), order}, {"--trace-dir", traces.path()});
    EXPECT_EQ(run.exit_code, 0) << order << run.stderr_text;
    EXPECT_THAT(Kinds(run.report), Not(Contains("deadlock"))) << order;
  }
  const ProcessResult analyzed =
      RunLockgraph({"analyze", "--format=json", "--fail-on=potential", traces.path()});
  const json report = json::parse(analyzed.stdout_text, nullptr, false);
  ASSERT_TRUE(report.is_object()) << analyzed.stdout_text << analyzed.stderr_text;
  EXPECT_EQ(Summary(report, "traces"), 2);
  EXPECT_EQ(Summary(report, "dependencies"), 2);
  EXPECT_EQ(analyzed.exit_code, 1) << analyzed.stderr_text;
  EXPECT_EQ(Summary(report, "classes"), 2);
  ASSERT_THAT(Kinds(report), ElementsAre("potential"));
  const json& f = report["findings"][0];
  EXPECT_THAT(Labels(f), UnorderedElementsAre(Var("x"), Var("y")));
  ASSERT_THAT(f["edges"], SizeIs(2));
  EXPECT_NE(f["edges"][0]["pid"], f["edges"][1]["pid"]);
  std::set<std::string> acquired;
  for (const json& e : f["edges"]) acquired.insert(e["acquire_site"]);
  EXPECT_THAT(acquired,
              UnorderedElementsAre(kPreloadCorpus.Site(name, "edge: X -> Y"), kPreloadCorpus.Site(name, "edge: Y -> X")));
}

// The same ABBA program built without optimization, as in a Debug build. The deadlock
// between the two instances is found either way; the classes must still be user lines.
TEST(PreloadCorpus, UnoptimizedBuildKeepsUserSitesAsClasses) {
  const std::string name = "two_lock_cycle";
  const TracedRun run = RunPreloadCorpus("two_lock_cycle_O0");
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  const json& f = run.report["findings"][0];
  ASSERT_THAT(f["edges"], SizeIs(2));
  std::set<std::string> acquired;
  for (const json& e : f["edges"]) acquired.insert(e["acquire_site"]);
  EXPECT_THAT(acquired,
              UnorderedElementsAre(kPreloadCorpus.Site(name, "edge: A -> B"), kPreloadCorpus.Site(name, "edge: B -> A")));
  const std::vector<std::string> labels = Labels(f);
  EXPECT_THAT(labels, UnorderedElementsAre(Var("a"), Var("b")));
  // Unoptimized, the return address recorded for a held lock is in std::mutex::lock; the
  // report names the lock's first use instead (docs/preload.md, "Debug builds").
  std::set<std::string> held;
  for (const json& e : f["edges"]) {
    held.insert(e["held_site"]);
    EXPECT_TRUE(e["held_site_is_first_use"].get<bool>());
  }
  EXPECT_THAT(held,
              UnorderedElementsAre(kPreloadCorpus.Site(name, "first use: A"), kPreloadCorpus.Site(name, "first use: B")));
  EXPECT_THAT(run.stderr_text,
              HasSubstr(absl::StrCat("(taken inside the C++ library; first used at ",
                                     kPreloadCorpus.Site(name, "first use: B"), ")")));
}

// docs/reports.md: `locks[].site` is the lock's site, as `stats[].site` is its class's: for a
// variable, its declaration.
TEST(PreloadCorpus, LockSitesNameTheDeclaration) {
  const std::string name = "two_lock_cycle";
  const TracedRun run = RunPreloadCorpus(name);
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  std::set<std::string> stats_sites;
  for (const json& s : run.report["stats"]) stats_sites.insert(s["site"]);
  EXPECT_THAT(stats_sites, UnorderedElementsAre(kPreloadCorpus.Site(name, "std::mutex a;"),
                                                kPreloadCorpus.Site(name, "std::mutex b;")));
  std::set<std::string> sites;
  for (const json& lock : run.report["findings"][0]["locks"]) sites.insert(lock["site"]);
  EXPECT_EQ(sites, stats_sites);
  const TracedRun gate = RunPreloadCorpus("gate_lock");
  ASSERT_THAT(gate.report["ruled_out"], SizeIs(1));
  EXPECT_EQ(gate.report["ruled_out"][0]["reason"],
            absl::StrCat("gate lock ", Var("gate"), " at ",
                         kPreloadCorpus.Site("gate_lock", "std::mutex gate, a, b;"),
                         " is held around every order"));
}

TEST(PreloadCorpus, SharedMutexReadersInBothOrdersAreClean) {
  const std::string name = "shared_mutex_cycle";
  const TracedRun run = RunPreloadCorpus(name, {"readers"});
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  ExpectClean(run, /*ruled_out=*/1);
  ASSERT_THAT(run.report["ruled_out"], SizeIs(1));
  const json& r = run.report["ruled_out"][0];
  EXPECT_THAT(r["locks"], UnorderedElementsAre(Var("p", "pthread_rwlock"),
                                               Var("q", "pthread_rwlock")));
  EXPECT_EQ(r["level"], "instance");
  EXPECT_THAT(r["reason"].get<std::string>(), StartsWith("shared (reader) acquisitions only"));

  const ProcessResult explained =
      RunProcess({LockgraphCommand(), "run", "--explain", "--", kPreloadCorpus.Program(name), "readers"},
                 {"LOCKGRAPH_OPTIONS="});
  EXPECT_EQ(explained.exit_code, 0);
  EXPECT_THAT(explained.stderr_text, HasSubstr(": shared (reader) acquisitions only"));
}

TEST(PreloadCorpus, SharedMutexWithAWriterIsADeadlock) {
  const std::string name = "shared_mutex_cycle";
  const TracedRun run = RunPreloadCorpus(name, {"writer"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  const json& f = run.report["findings"][0];
  ExpectWellFormedCycle(f, name);
  const std::string p = Var("p", "pthread_rwlock");
  const std::string q = Var("q", "pthread_rwlock");
  for (const json& lock : f["locks"]) EXPECT_EQ(lock["kind"], "pthread_rwlock");
  EXPECT_THAT(LabelledEdgeLines(f),
              UnorderedElementsAre(LabelledEdgeLine(p, q, 2, kPreloadCorpus.Site(name, "held: P (forward, shared)"),
                                            kPreloadCorpus.Site(name, "edge: P -> Q (shared)")),
                                   LabelledEdgeLine(q, p, 3, kPreloadCorpus.Site(name, "held: Q (backward, exclusive)"),
                                            kPreloadCorpus.Site(name, "edge: Q -> P (exclusive)"))));
  ASSERT_NE(EdgeByThread(f, 2), nullptr);
  ASSERT_NE(EdgeByThread(f, 3), nullptr);
  EXPECT_TRUE((*EdgeByThread(f, 2))["shared"].get<bool>());
  EXPECT_FALSE((*EdgeByThread(f, 3))["shared"].get<bool>());
}

TEST(PreloadCorpus, RwlockReadThenWriteBothWaysIsADeadlock) {
  const std::string name = "rwlock_cycle";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "rwlocks done\n");
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  const json& f = run.report["findings"][0];
  ExpectWellFormedCycle(f, name);
  // Initialized by pthread_rwlock_init: the class is the init site.
  const std::string p = Var("p", "pthread_rwlock");
  const std::string q = Var("q", "pthread_rwlock");
  EXPECT_THAT(LabelledEdgeLines(f),
              UnorderedElementsAre(LabelledEdgeLine(p, q, 2, kPreloadCorpus.Site(name, "held: P (forward, read)"),
                                            kPreloadCorpus.Site(name, "edge: P -> Q (write)")),
                                   LabelledEdgeLine(q, p, 3, kPreloadCorpus.Site(name, "held: Q (backward, read)"),
                                            kPreloadCorpus.Site(name, "edge: Q -> P (write)"))));
  for (const json& e : f["edges"]) EXPECT_FALSE(e["shared"].get<bool>()) << "writes";
}

TEST(PreloadCorpus, ConditionVariableProducerConsumerIsClean) {
  const TracedRun run = RunPreloadCorpus("condition_variable");
  EXPECT_EQ(run.stdout_text, "sum 5050\n");
  EXPECT_EQ(run.stderr_text, "") << "no misuse, no cycle reported online";
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "threads"), 3);
  EXPECT_EQ(Summary(run.report, "dependencies"), 0);
  // The mutex was seen: 200 lock()s, plus one re-acquisition per wakeup.
  ASSERT_THAT(run.report["stats"], SizeIs(1));
  EXPECT_EQ(run.report["stats"][0]["kind"], "pthread_mutex");
  EXPECT_GE(run.report["stats"][0]["acquisitions"].get<int>(), 200);
}

TEST(PreloadCorpus, SemaphoreOfOneIsALockInTheCycle) {
  const std::string name = "semaphore";
  const TracedRun run = RunPreloadCorpus(name, {"lock"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(OnlineCycles(run), 1) << run.stderr_text;
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(run.report), ElementsAre(1, 0, 0, 0));
  const json& f = run.report["findings"][0];
  ExpectWellFormedCycle(f, name);
  const std::string sem = Var("sem", "sem_t");
  const std::string mu = Var("mu");
  EXPECT_THAT(LabelledEdgeLines(f),
              UnorderedElementsAre(LabelledEdgeLine(sem, mu, 2, kPreloadCorpus.Site(name, "held: sem (forward)"),
                                            kPreloadCorpus.Site(name, "edge: sem -> mutex")),
                                   LabelledEdgeLine(mu, sem, 3, kPreloadCorpus.Site(name, "held: mutex (backward)"),
                                            kPreloadCorpus.Site(name, "edge: mutex -> sem"))));
}

TEST(PreloadCorpus, SemaphorePostedByAnotherThreadIsASignalWithNoEdges) {
  const TracedRun run = RunPreloadCorpus("semaphore", {"signal"});
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  ExpectClean(run);
  // sem -> mutex was recorded before the semaphore turned out to be a signal; it is dropped.
  EXPECT_EQ(Summary(run.report, "cycles_checked"), 0);
  EXPECT_EQ(Summary(run.report, "locks"), 2);
}

TEST(PreloadCorpus, MutexBuiltAgainAtTheSameAddressIsANewNode) {
  const std::string name = "address_reuse";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_THAT(run.stdout_text, StartsWith("both objects at 0x"));
  EXPECT_EQ(OnlineCycles(run), 0) << run.stderr_text;
  // Merged into one node, the objects would give A -> B -> A between two unordered threads.
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "locks"), 3);
  EXPECT_EQ(Summary(run.report, "dependencies"), 2);
  EXPECT_EQ(Summary(run.report, "cycles_checked"), 0);
  // The buffer's two objects are two classes of one variable: they never coexist.
  std::set<std::string> classes;
  for (const json& s : run.report["stats"]) classes.insert(s["class"]);
  EXPECT_THAT(classes, UnorderedElementsAre("buffer", "buffer #2", "b"));
}

// ---- Fork, many threads, output and exit code, signals ----

// A program linked with the shared runtime, under the preload: two copies of the runtime share
// one process recorder, and must register the fork hooks once (twice, fork() deadlocked).
TEST(PreloadProcess, ForkWithTheSharedRuntimeLinkedIn) {
  const ProcessResult run = RunProcess(
      {"/usr/bin/timeout", "60", LockgraphCommand(), "run", "--", LOCKGRAPH_FORK_SHARED_PROGRAM},
      {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "forked fine\n");
}

// In full mode the child's locks go on counting acquisitions from the parent's: the replay
// takes the fork as their order, and finds every event a partner.
TEST(PreloadProcess, ForkInFullModeReplaysWithoutWarnings) {
  const TracedRun run = RunUnder({kPreloadCorpus.Program("fork_with_threads")}, {}, "mode=full");
  EXPECT_EQ(run.exit_code, 3) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "child: took a and b\nparent: child exited 0\n");
  EXPECT_THAT(run.report["findings"], IsEmpty()) << run.report["findings"].dump(2);
  EXPECT_THAT(run.report["warnings"], IsEmpty());
  EXPECT_EQ(Summary(run.report, "traces"), 2);
}

// A process the program leaves running when it ends becomes lockgraph's child (lockgraph is
// its subreaper) and is waited for: its trace is read whole, and its cycle reported. The
// orphan takes its locks only once its parent has ended.
TEST(PreloadProcess, AnOrphanIsWaitedForAndItsCycleReported) {
  const std::string name = "orphan_cycle";
  const TracedRun run = RunPreloadCorpus(name);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("still running")));
  EXPECT_EQ(Summary(run.report, "traces"), 1) << "the orphan's: its parent took no lock";
  ASSERT_THAT(Kinds(run.report), ElementsAre("deadlock")) << run.report.dump(2);
  const json& f = run.report["findings"][0];
  const std::string a = Var("a");
  const std::string b = Var("b");
  EXPECT_THAT(LabelledEdgeLines(f),
              UnorderedElementsAre(
                  LabelledEdgeLine(a, b, 2, kPreloadCorpus.Site(name, "held: A (forward)"),
                                   kPreloadCorpus.Site(name, "edge: A -> B")),
                  LabelledEdgeLine(b, a, 3, kPreloadCorpus.Site(name, "held: B (backward)"),
                                   kPreloadCorpus.Site(name, "edge: B -> A"))));
  ASSERT_THAT(f["edges"], SizeIs(2));
  EXPECT_EQ(f["edges"][0]["pid"], f["edges"][1]["pid"]) << "both in the orphan";
}

// One that does not end is waited for only so long: the report comes, and says so.
TEST(PreloadProcess, AnOrphanThatRunsOnDoesNotHoldTheReport) {
  const std::string program = kPreloadCorpus.Program("two_lock_cycle");
  const TracedRun run = RunUnder(
      {"/bin/sh", "-c", "sleep 8 </dev/null >/dev/null 2>&1 & exec " + program});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("were still running 5 s after it ended"));
  EXPECT_THAT(Kinds(run.report), ElementsAre("deadlock"));
}

TEST(PreloadProcess, ForkWithThreadsRunningWritesTwoValidTraces) {
  TempDir traces;
  const TracedRun run = RunUnder({kPreloadCorpus.Program("fork_with_threads")}, {"--trace-dir", traces.path()});
  EXPECT_EQ(run.exit_code, 3) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "child: took a and b\nparent: child exited 0\n");
  EXPECT_EQ(run.stderr_text, "");
  EXPECT_THAT(run.report["findings"], IsEmpty()) << run.report["findings"].dump(2);
  EXPECT_THAT(run.report["warnings"], IsEmpty());
  EXPECT_EQ(Summary(run.report, "traces"), 2);
  EXPECT_EQ(Summary(run.report, "threads"), 3);  // the parent's main and worker, the child's

  const std::vector<std::string> files = traces.Files(".lgtrace");
  ASSERT_THAT(files, SizeIs(2));
  std::map<uint64_t, Trace> by_pid;
  for (const std::string& file : files) {
    auto trace = ReadTraceFile(file);
    ASSERT_TRUE(trace.ok()) << trace.status();
    EXPECT_THAT(trace->warnings, IsEmpty()) << file;
    by_pid[trace->process.pid] = *std::move(trace);
  }
  const Trace* parent = nullptr;
  const Trace* child = nullptr;
  for (const auto& [pid, trace] : by_pid) {
    (trace.process.parent_tid != 0 ? child : parent) = &trace;
  }
  ASSERT_NE(parent, nullptr);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->process.ppid, parent->process.pid);
  EXPECT_EQ(child->process.parent_tid, 1u);  // main forked
  EXPECT_EQ(DependencyCount(*parent), 1);       // a -> b before the fork
  EXPECT_EQ(DependencyCount(*child), 1);        // a -> b in the child, in its own file
}

TEST(PreloadProcess, TwoHundredThreadsInOneOrderAreClean) {
  // 200 threads queue for one mutex: on a loaded machine a preempted holder makes waits past
  // the default 100 ms (217 ms once under ASan in CI). Long waits are not what this tests.
  const TracedRun run = RunPreloadCorpus("many_threads", {}, {"--long-wait=1h"});
  EXPECT_EQ(run.stdout_text, "total 19900\n");
  EXPECT_EQ(run.stderr_text, "");
  ExpectClean(run);
  EXPECT_EQ(Summary(run.report, "threads"), 201);
  EXPECT_EQ(Summary(run.report, "locks"), 2);
  EXPECT_EQ(Summary(run.report, "dependencies"), 200);  // first -> second, once per thread
}

TEST(PreloadProcess, OutputAndExitCodePassThrough) {
  const std::string program = kPreloadCorpus.Program("output_exit_code");
  const ProcessResult native = RunProcess({program});
  ASSERT_EQ(native.exit_code, 7);
  ASSERT_EQ(native.stdout_text,
            "line 1: plain stdout\nline 2: from a thread holding two mutexes\n"
            "line 3: no trailing newline after this: 100%");
  for (const std::string fail_on : {"never", "deadlock", "misuse"}) {
    const ProcessResult traced = RunProcess(
        {LockgraphCommand(), "run", "--fail-on=" + fail_on, "--", program}, {"LOCKGRAPH_OPTIONS="});
    EXPECT_EQ(traced.exit_code, 7) << fail_on << ": " << traced.stderr_text;
    EXPECT_EQ(traced.stdout_text, native.stdout_text) << fail_on;
    EXPECT_THAT(traced.stderr_text, StartsWith(native.stderr_text)) << fail_on;
    EXPECT_THAT(traced.stderr_text,
                HasSubstr("lockgraph: 0 deadlocks, 0 potential, 0 races, 0 long waits, 0 misuse"));
  }
  EXPECT_EQ(native.stderr_text, "output_exit_code: a line on stderr\n");
}

// Spawns `lockgraph run -- wait_for_sigterm ARGS` in its own process group, waits for the
// program's "ready", sends SIGTERM to lockgraph (not to the program), and collects the rest.
// Never hangs: if nothing happens within 30 s, the whole group is killed and the test fails.
ProcessResult SignalLockgraphRun(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LockgraphCommand(), "run", "--", kPreloadCorpus.Program("wait_for_sigterm")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunAndSignalWhenReady(argv, {"LOCKGRAPH_OPTIONS="}, SIGTERM, /*stall_seconds=*/30);
}

TEST(PreloadProcess, SigtermToLockgraphIsForwardedToTheProgram) {
  const ProcessResult run = SignalLockgraphRun({});
  EXPECT_EQ(run.signal, 0);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "ready\ngot SIGTERM\n");
  EXPECT_THAT(run.stderr_text, HasSubstr("lockgraph: 0 deadlocks, 0 potential"));
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("ended by signal")));
}

TEST(PreloadProcess, SigtermEndsAProgramThatDoesNotHandleIt) {
  const ProcessResult run = SignalLockgraphRun({"default"});
  EXPECT_EQ(run.signal, 0) << "lockgraph itself is not killed: it reports and exits";
  EXPECT_EQ(run.exit_code, 128 + SIGTERM) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "ready\n");
  EXPECT_THAT(run.stderr_text,
              HasSubstr(absl::StrCat(kPreloadCorpus.Program("wait_for_sigterm"), " was ended by signal 15")));
}

TEST(PreloadProcess, AProgramWithoutATraceIsSaidSo) {
  const ProcessResult lockless =
      RunProcess({LockgraphCommand(), "run", "--", "true"}, {"LOCKGRAPH_OPTIONS="});
  EXPECT_EQ(lockless.exit_code, 0);
  EXPECT_THAT(lockless.stderr_text,
              HasSubstr("lockgraph: true wrote no trace: it took no lock that lockgraph sees"));

  const ProcessResult killed =
      RunProcess({LockgraphCommand(), "run", "--", "sh", "-c", "kill -9 $$"},
                 {"LOCKGRAPH_OPTIONS="});
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  EXPECT_THAT(killed.stderr_text, HasSubstr("lockgraph: sh was ended by signal 9"));
  EXPECT_THAT(killed.stderr_text,
              HasSubstr("lockgraph: sh wrote no trace before the signal ended it"));
}

// ---- Real programs nobody here wrote: Debian's multithreaded compressors ----

// A few MB that compress somewhat: words from a small vocabulary mixed with random bytes,
// from a fixed seed, so every run compresses the same input.
std::string MakeInput(size_t size) {
  std::mt19937 random(20240611);
  std::vector<std::string> words;
  for (int i = 0; i < 500; ++i) {
    std::string word(3 + random() % 8, ' ');
    for (char& c : word) c = static_cast<char>('a' + random() % 26);
    words.push_back(word + ' ');
  }
  std::string data;
  data.reserve(size + 64);
  while (data.size() < size) {
    if (random() % 10 < 7) {
      data += words[random() % words.size()];
    } else {
      for (int i = 0; i < 16; ++i) data.push_back(static_cast<char>(random() & 0xff));
    }
  }
  data.resize(size);
  return data;
}

class PreloadRealPrograms : public ::testing::Test {
 protected:
  void SetUp() override {
    input_ = dir_.path() + "/input.bin";
    original_ = MakeInput(4 << 20);
    std::ofstream(input_, std::ios::binary) << original_;
    ASSERT_EQ(ReadFile(input_).size(), original_.size());
  }

  // `lockgraph run -- COMMAND`: the program exits 0, and the report holds no lock-order
  // finding and no misuse (a long wait would be a true statement about contention, and is
  // allowed). The preload must have seen the program's threads and locks: a clean report of
  // a program it could not see would prove nothing.
  TracedRun Traced(const std::vector<std::string>& command, int min_threads,
                   const std::string& options = "") {
    TracedRun run = RunUnder(command, {}, options);
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    for (const json& f : run.report["findings"]) {
      EXPECT_NE(f["kind"], "deadlock") << f.dump(2);
      EXPECT_NE(f["kind"], "potential") << f.dump(2);
      EXPECT_NE(f["kind"], "misuse") << f.dump(2);
      EXPECT_NE(f["kind"], "race") << f.dump(2);
    }
    EXPECT_THAT(run.stderr_text, Not(HasSubstr("lock-order cycle")));
    EXPECT_THAT(run.report["warnings"], IsEmpty());
    EXPECT_GE(Summary(run.report, "threads"), min_threads) << command[0];
    int acquisitions = 0;
    for (const json& s : run.report["stats"]) acquisitions += s["acquisitions"].get<int>();
    EXPECT_GT(acquisitions, 0) << command[0] << " took no lock the preload saw";
    return run;
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // The original bytes, compared without printing megabytes on a failure.
  void ExpectOriginal(const std::string& bytes, const std::string& what) {
    EXPECT_EQ(bytes.size(), original_.size()) << what;
    EXPECT_TRUE(bytes == original_) << what << ": the round trip changed the data";
  }

  TempDir dir_;
  std::string input_;
  std::string original_;
};

TEST_F(PreloadRealPrograms, PigzRoundTrip) {
  const std::string pigz = FindInPath("pigz");
  if (pigz.empty()) GTEST_SKIP() << "pigz is not installed (scripts/install-deps.sh)";
  // main, a writer and 4 compressing threads.
  const TracedRun compressed = Traced({pigz, "-p", "4", "-c", input_}, 5);
  ASSERT_GT(compressed.stdout_text.size(), 1000u);
  EXPECT_LT(compressed.stdout_text.size(), original_.size());
  const std::string gz = Write("input.gz", compressed.stdout_text);
  // Decompression under lockgraph too (pigz reads, checks and writes on threads).
  const TracedRun decompressed = Traced({pigz, "-d", "-c", gz}, 2);
  ExpectOriginal(decompressed.stdout_text, "pigz -d under lockgraph run");
}

// Full mode: every pthread lock operation of pigz's threads is an event; the trace is valid
// (objects pigz frees and allocates again at one address are new objects), the replay finds a
// partner for every event (no warning) and the output is right.
TEST_F(PreloadRealPrograms, PigzRoundTripInFullMode) {
  const std::string pigz = FindInPath("pigz");
  if (pigz.empty()) GTEST_SKIP() << "pigz is not installed (scripts/install-deps.sh)";
  const TracedRun compressed = Traced({pigz, "-p", "4", "-c", input_}, 5, "mode=full");
  const std::string gz = Write("input.gz", compressed.stdout_text);
  const TracedRun decompressed = Traced({pigz, "-d", "-c", gz}, 2, "mode=full");
  ExpectOriginal(decompressed.stdout_text, "pigz -d in full mode");
}

TEST_F(PreloadRealPrograms, XzRoundTrip) {
  const std::string xz = FindInPath("xz");
  if (xz.empty()) GTEST_SKIP() << "xz is not installed (xz-utils, scripts/install-deps.sh)";
  // 1 MiB blocks, so that the 4 MB input keeps both of -T2's threads busy.
  const TracedRun compressed = Traced({xz, "-T2", "--block-size=1MiB", "-c", input_}, 3);
  ASSERT_GT(compressed.stdout_text.size(), 1000u);
  EXPECT_LT(compressed.stdout_text.size(), original_.size());
  const std::string compressed_path = Write("input.xz", compressed.stdout_text);
  const ProcessResult native = RunProcess({xz, "-d", "-c", compressed_path});
  EXPECT_EQ(native.exit_code, 0) << native.stderr_text;
  ExpectOriginal(native.stdout_text, "xz -d");
  // xz 5.4 decompresses a multi-block file on threads as well.
  const TracedRun decompressed = Traced({xz, "-T2", "-d", "-c", compressed_path}, 2);
  ExpectOriginal(decompressed.stdout_text, "xz -T2 -d under lockgraph run");
}

TEST_F(PreloadRealPrograms, ZstdRoundTrip) {
  const std::string zstd = FindInPath("zstd");
  if (zstd.empty()) GTEST_SKIP() << "zstd is not installed (scripts/install-deps.sh)";
  const TracedRun compressed = Traced({zstd, "-q", "-T2", "-c", input_}, 3);
  ASSERT_GT(compressed.stdout_text.size(), 1000u);
  EXPECT_LT(compressed.stdout_text.size(), original_.size());
  const std::string compressed_path = Write("input.zst", compressed.stdout_text);
  const ProcessResult native = RunProcess({zstd, "-q", "-d", "-c", compressed_path});
  EXPECT_EQ(native.exit_code, 0) << native.stderr_text;
  ExpectOriginal(native.stdout_text, "zstd -d");
}

}  // namespace

// `lockgraph analyze` on the corpus (tests/e2e/corpus/): each program is built with the
// wrappers, run with tracing on, and its findings are checked exactly — kind, lock classes,
// threads and the source lines of every edge — in JSON, and once per kind in text. Then the
// CI flags (--fail-on, --suppressions, --baseline), stable ids, bad input and `stats`.
//
// Lines are found by their marker comments (`// edge: A -> B`), so editing a corpus program
// does not break the tests as long as the markers stay.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::Counts;
using ::lockgraph::testing::Kinds;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::StackHas;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kCorpus;
using ::testing::AllOf;
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

// "file:line" of the first line of `source` holding `marker`: a site as reports print it (the
// file as the compiler saw it, which CMake gives as an absolute path).
std::string SiteIn(const std::string& source, const std::string& marker) {
  const int line = LineOf(source, marker);
  EXPECT_GT(line, 0) << "no line of " << source << " holds \"" << marker << "\"";
  return absl::StrCat(source, ":", line);
}

// Runs `program` with its trace written into `dir` (as NAME.PID.lgtrace) and the runtime's
// options `extra`; returns its stderr, the online report. The program must exit 0.
std::string RunTraced(const std::string& program, const std::string& dir,
                      const std::string& extra = "") {
  const std::string name = std::filesystem::path(program).filename().string();
  const ProcessResult run =
      RunWithOptions(program, absl::StrCat("trace=", dir, "/", name, ".%p.lgtrace", extra));
  EXPECT_EQ(run.exit_code, 0) << program << " failed: " << run.stderr_text;
  return run.stderr_text;
}

std::string RunCorpus(const std::string& name, const TempDir& dir,
                      const std::string& extra = "") {
  return RunTraced(kCorpus.Program(name), dir.path(), extra);
}

// ---- Running the analyzer ----

struct Analysis {
  int exit_code = -1;
  json report;  // parsed stdout (JSON runs)
  std::string stdout_text;
  std::string stderr_text;
};

Analysis Analyze(std::vector<std::string> args) {
  args.insert(args.begin(), "analyze");
  const ProcessResult run = RunLockgraph(args);
  return {run.exit_code, json(), run.stdout_text, run.stderr_text};
}

Analysis AnalyzeJson(std::vector<std::string> args) {
  args.insert(args.begin(), "--format=json");
  Analysis analysis = Analyze(std::move(args));
  analysis.report = json::parse(analysis.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(analysis.report.is_object())
      << "not a JSON report: " << analysis.stdout_text << analysis.stderr_text;
  if (!analysis.report.is_object()) analysis.report = json::object();
  return analysis;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// ---- Reading a JSON report ----

// The name in a thread label: `thread 2 "forward" (pid 1234)` -> forward.
std::string ThreadName(const std::string& label) {
  const size_t open = label.find('"');
  const size_t close = label.rfind('"');
  if (open == std::string::npos || close <= open) return "";
  return label.substr(open + 1, close - open - 1);
}

// One line per edge, readable in a failure message.
std::string EdgeLine(const std::string& from, const std::string& to, const std::string& thread,
                     const std::string& held_site, const std::string& acquire_site) {
  return absl::StrCat(from, " -> ", to, " by \"", thread, "\", holding since ", held_site,
                      ", taking at ", acquire_site);
}

std::vector<std::string> EdgeLines(const json& finding) {
  std::vector<std::string> lines;
  for (const json& e : finding["edges"]) {
    lines.push_back(EdgeLine(e["from"], e["to"], ThreadName(e["thread"]), e["held_site"],
                             e["acquire_site"]));
  }
  return lines;
}

// Checks the shape every cycle finding has: edge i goes from locks[i] to locks[i+1], the
// edges close the cycle, and each edge is taken by another thread.
void ExpectWellFormedCycle(const json& finding) {
  const json& locks = finding["locks"];
  const json& edges = finding["edges"];
  ASSERT_EQ(locks.size(), edges.size()) << finding.dump(2);
  std::set<std::pair<uint64_t, uint64_t>> threads;
  for (size_t i = 0; i < edges.size(); ++i) {
    EXPECT_EQ(edges[i]["from"], locks[i]["class"]) << "edge " << i;
    EXPECT_EQ(edges[i]["to"], locks[(i + 1) % locks.size()]["class"]) << "edge " << i;
    EXPECT_FALSE(edges[i]["try"].get<bool>()) << "edge " << i;
    EXPECT_GE(edges[i]["count"].get<int>(), 1) << "edge " << i;
    EXPECT_THAT(edges[i]["stack"], Not(IsEmpty())) << "edge " << i;
    // The acquisition's stack starts at its site.
    if (!edges[i]["stack"].empty()) {
      EXPECT_THAT(edges[i]["stack"][0].get<std::string>(),
                  EndsWith(" " + edges[i]["acquire_site"].get<std::string>()));
    }
    threads.insert({edges[i]["pid"].get<uint64_t>(), edges[i]["thread_id"].get<uint64_t>()});
  }
  EXPECT_EQ(threads.size(), edges.size()) << "the threads of a witness are distinct";
  EXPECT_FALSE(finding["fix"].get<std::string>().empty());
}

const json* EdgeByThread(const json& finding, const std::string& thread) {
  for (const json& e : finding["edges"]) {
    if (ThreadName(e["thread"]) == thread) return &e;
  }
  return nullptr;
}

// The text report's first line is the JSON finding in the compiler's style.
void ExpectTextFirstLine(const std::vector<std::string>& args, const json& finding,
                         const std::string& severity, int exit_code) {
  const Analysis text = Analyze(args);
  EXPECT_EQ(text.exit_code, exit_code) << text.stderr_text;
  EXPECT_EQ(FirstLine(text.stdout_text),
            absl::StrCat(finding["location"].get<std::string>(), ": ", severity, ": ",
                         finding["message"].get<std::string>(), " [",
                         finding["kind"].get<std::string>(), " ",
                         finding["id"].get<std::string>(), "]"))
      << text.stdout_text;
}

// A program the analysis must find clean: no findings, nothing ruled out unless `ruled_out`.
void ExpectClean(const Analysis& a, size_t ruled_out = 0) {
  EXPECT_EQ(a.exit_code, 0) << a.stderr_text;
  EXPECT_THAT(a.report["findings"], IsEmpty()) << a.report["findings"].dump(2);
  EXPECT_THAT(Counts(a.report), ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(a.report["ruled_out"], SizeIs(ruled_out)) << a.report["ruled_out"].dump(2);
  EXPECT_THAT(a.report["warnings"], IsEmpty());
}

// ---- The corpus, program by program ----

TEST(AnalyzeCorpus, TwoLockCycleIsOneDeadlockBetweenBothThreads) {
  const std::string name = "two_lock_cycle";
  TempDir dir;
  const std::string online = RunCorpus(name, dir);
  // The runtime's online check gives the same verdict, at once.
  EXPECT_EQ(CountLines(online, "lock-order cycle"), 1) << online;

  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  EXPECT_EQ(a.report["schema_version"], 1);
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(a.report), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(a.report["ruled_out"], IsEmpty());
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre("A", "B"));
  for (const json& lock : f["locks"]) {
    EXPECT_EQ(lock["site"], kCorpus.Site(name, "// lock: " + lock["class"].get<std::string>()));
    EXPECT_EQ(lock["kind"], "Lock");
  }
  EXPECT_THAT(EdgeLines(f),
              UnorderedElementsAre(EdgeLine("A", "B", "forward", kCorpus.Site(name, "// held: A (forward)"),
                                            kCorpus.Site(name, "// edge: A -> B")),
                                   EdgeLine("B", "A", "backward",
                                            kCorpus.Site(name, "// held: B (backward)"),
                                            kCorpus.Site(name, "// edge: B -> A"))));
  EXPECT_EQ(f["message"], "lock-order cycle between \"A\" and \"B\"");
  // Both orders were taken once: the report points at the newer one, backward's.
  EXPECT_EQ(f["location"], kCorpus.Site(name, "// edge: B -> A"));
  EXPECT_THAT(f["fix"].get<std::string>(),
              AllOf(HasSubstr(kCorpus.Site(name, "// edge: B -> A")), HasSubstr("std::scoped_lock")));
  EXPECT_FALSE(f["suppressed"].get<bool>());
  EXPECT_FALSE(f["in_baseline"].get<bool>());
  EXPECT_THAT(f["id"].get<std::string>(), StartsWith("LG-"));

  ExpectTextFirstLine({dir.path()}, f, "error", 1);
}

TEST(AnalyzeCorpus, ThreeLockCycleNeedsAllThreeThreads) {
  const std::string name = "three_lock_cycle";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 1);

  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_THAT(a.report["ruled_out"], IsEmpty());
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre("A", "B", "C"));
  const std::string held = kCorpus.Site(name, "// held: outer");
  const std::string taken = kCorpus.Site(name, "// edge: outer -> inner");
  EXPECT_THAT(EdgeLines(f), UnorderedElementsAre(EdgeLine("A", "B", "first", held, taken),
                                                 EdgeLine("B", "C", "second", held, taken),
                                                 EdgeLine("C", "A", "third", held, taken)));
  // Nest() is shared: the stacks say which call took each order.
  for (const auto& [thread, call] : std::vector<std::pair<std::string, std::string>>{
           {"first", "// call: A -> B"}, {"second", "// call: B -> C"},
           {"third", "// call: C -> A"}}) {
    const json* edge = EdgeByThread(f, thread);
    ASSERT_NE(edge, nullptr) << thread;
    EXPECT_TRUE(StackHas((*edge)["stack"], kCorpus.Site(name, call))) << (*edge)["stack"].dump();
  }
  EXPECT_EQ(f["message"], "lock-order cycle between \"A\", \"B\" and \"C\"");
}

TEST(AnalyzeCorpus, NaiveDiningPhilosophersDeadlockOverFiveForks) {
  const std::string name = "dining_philosophers_naive";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 1);

  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_THAT(a.report["ruled_out"], IsEmpty());
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre("fork0", "fork1", "fork2", "fork3", "fork4"));
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.push_back(EdgeLine(absl::StrCat("fork", i), absl::StrCat("fork", (i + 1) % 5),
                                absl::StrCat("philosopher", i), kCorpus.Site(name, "// held: left fork"),
                                kCorpus.Site(name, "// edge: left -> right")));
  }
  EXPECT_THAT(EdgeLines(f), UnorderedElementsAreArray(expected));
}

TEST(AnalyzeCorpus, OrderedDiningPhilosophersAreClean) {
  const std::string name = "dining_philosophers_ordered";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);
  const Analysis a = AnalyzeJson({dir.path()});
  ExpectClean(a);
  EXPECT_EQ(a.report["summary"]["dependencies"], 5);  // one lower -> higher per philosopher
  EXPECT_EQ(a.report["summary"]["cycles_checked"], 0);
}

TEST(AnalyzeCorpus, GateLockAroundBothOrdersIsCleanAndExplained) {
  const std::string name = "gate_lock";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);

  const Analysis a = AnalyzeJson({dir.path()});
  // One cycle, A -> B -> A, ruled out once: its class image is not judged again.
  ExpectClean(a, /*ruled_out=*/1);
  ASSERT_THAT(a.report["ruled_out"], SizeIs(1));
  const json& r = a.report["ruled_out"][0];
  EXPECT_THAT(r["locks"], UnorderedElementsAre("Lock \"A\"", "Lock \"B\""));
  EXPECT_EQ(r["level"], "instance");
  const std::string gate = absl::StrCat("gate lock Lock \"gate\" at ", kCorpus.Site(name, "// lock: gate"));
  EXPECT_THAT(r["reason"].get<std::string>(), StartsWith(gate));

  const Analysis plain = Analyze({dir.path()});
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_THAT(plain.stdout_text, HasSubstr("1 cycle ruled out (--explain lists them)"));
  EXPECT_THAT(plain.stdout_text, Not(HasSubstr("gate lock")));
  const Analysis explained = Analyze({"--explain", dir.path()});
  EXPECT_EQ(explained.exit_code, 0);
  const std::vector<std::string> lines = Lines(explained.stdout_text);
  ASSERT_THAT(lines, SizeIs(2)) << explained.stdout_text;
  EXPECT_THAT(lines[0], AllOf(StartsWith("lockgraph: ruled out: cycle Lock \""),
                              HasSubstr(absl::StrCat(": ", gate))));
  EXPECT_THAT(lines[1], StartsWith("lockgraph: 0 deadlocks, 0 potential, 0 races, 0 long waits, 0 misuse; "
                                   "1 cycle ruled out; "));
}

TEST(AnalyzeCorpus, OrdersSeparatedByJoinThenStartAreCleanAndExplained) {
  const std::string name = "join_then_start";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);

  const Analysis a = AnalyzeJson({dir.path()});
  ExpectClean(a, /*ruled_out=*/1);
  ASSERT_THAT(a.report["ruled_out"], SizeIs(1));
  const json& r = a.report["ruled_out"][0];
  EXPECT_THAT(r["locks"], UnorderedElementsAre("Lock \"A\"", "Lock \"B\""));
  EXPECT_EQ(r["level"], "instance");
  EXPECT_THAT(r["reason"].get<std::string>(), StartsWith("ordered by thread start/join"));

  const Analysis explained = Analyze({"--explain", dir.path()});
  EXPECT_EQ(explained.exit_code, 0);
  EXPECT_EQ(CountLines(explained.stdout_text, "lockgraph: ruled out: cycle "), 1);
  EXPECT_THAT(explained.stdout_text, HasSubstr(": ordered by thread start/join"));
}

TEST(AnalyzeCorpus, TryLockBackOffIsClean) {
  const std::string name = "try_lock_backoff";
  TempDir dir;
  // The program exits 0 only if its first try_lock failed and the retry succeeded.
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);
  const Analysis a = AnalyzeJson({dir.path()});
  // B -> A was taken by a successful try_lock: recorded, but no edge, so no cycle at all.
  ExpectClean(a);
  EXPECT_EQ(a.report["summary"]["cycles_checked"], 0);
}

TEST(AnalyzeCorpus, RLockReentryAddsNoEdge) {
  const std::string name = "rlock_reentry";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);
  const Analysis a = AnalyzeJson({dir.path()});
  // Not even a ruled-out cycle: an L -> R edge from the re-entry would make one.
  ExpectClean(a);
  EXPECT_EQ(a.report["summary"]["cycles_checked"], 0);
  EXPECT_EQ(a.report["summary"]["dependencies"], 2);  // R -> L in each thread, nothing else
}

TEST(AnalyzeCorpus, TransferCalledBothWaysIsADeadlockBetweenTwoAccounts) {
  const std::string name = "transfer_swapped";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 1);

  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  // One deadlock; the class self-edge Account::mu -> Account::mu is its image, no potential.
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_THAT(Counts(a.report), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(a.report["ruled_out"], IsEmpty());
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  // Two instances of one class, named by the member's construction site.
  const std::string mu = kCorpus.Site(name, "// lock: Account::mu");
  EXPECT_THAT(LockClasses(f), ElementsAre(mu, mu));
  for (const json& lock : f["locks"]) EXPECT_EQ(lock["site"], mu);
  const std::string held = kCorpus.Site(name, "// held: from");
  const std::string taken = kCorpus.Site(name, "// edge: from -> to");
  EXPECT_THAT(EdgeLines(f), UnorderedElementsAre(EdgeLine(mu, mu, "pay_x_to_y", held, taken),
                                                 EdgeLine(mu, mu, "pay_y_to_x", held, taken)));
  // The stacks tell the two calls apart.
  const json* xy = EdgeByThread(f, "pay_x_to_y");
  const json* yx = EdgeByThread(f, "pay_y_to_x");
  ASSERT_NE(xy, nullptr);
  ASSERT_NE(yx, nullptr);
  EXPECT_TRUE(StackHas((*xy)["stack"], kCorpus.Site(name, "// call: transfer(x, y)")));
  EXPECT_TRUE(StackHas((*yx)["stack"], kCorpus.Site(name, "// call: transfer(y, x)")));
}

TEST(AnalyzeCorpus, DeadlockWithinOneClassSuggestsAFixThatCanBeFollowed) {
  const std::string name = "transfer_swapped";
  TempDir dir;
  RunCorpus(name, dir, ":quiet=1");
  const Analysis a = AnalyzeJson({dir.path()});
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  const json& f = a.report["findings"][0];
  const std::string mu = absl::StrCat(
      "transfer_swapped.cc:", LineOf(kCorpus.Source(name), "// lock: Account::mu"));
  EXPECT_THAT(f["message"].get<std::string>(), Not(HasSubstr(mu + " and " + mu)));
  EXPECT_THAT(f["fix"].get<std::string>(), Not(HasSubstr(mu + " before " + mu)));
  EXPECT_THAT(f["fix"].get<std::string>(), HasSubstr("std::scoped_lock"));
}

TEST(AnalyzeCorpus, ForksOfOneClassGiveOneDeadlockAndNoPotential) {
  const std::string name = "dining_philosophers_one_class";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 1);
  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1);
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  const std::string fork = kCorpus.Site(name, "// lock: forks (one class)");
  EXPECT_THAT(LockClasses(f), ElementsAre(fork, fork, fork, fork, fork));
}

TEST(AnalyzeCorpus, TwoMemberLocksTakenInOneOrderAreClean) {
  const std::string name = "member_locks_one_order";
  TempDir dir;
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);
  ExpectClean(AnalyzeJson({dir.path()}));
}

TEST(AnalyzeCorpus, ClassesNestedBothWaysOnOtherAccountsAreAPotentialDeadlock) {
  const std::string name = "transfer_potential";
  TempDir dir;
  // No instance cycle: the online check (instances only) stays silent.
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "lock-order cycle"), 0);

  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 0) << "a potential does not fail the default --fail-on=deadlock";
  ASSERT_THAT(Kinds(a.report), ElementsAre("potential"));
  EXPECT_THAT(Counts(a.report), ElementsAre(0, 1, 0, 0));
  EXPECT_THAT(a.report["ruled_out"], IsEmpty());
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  const std::string checking = kCorpus.Site(name, "// lock: Checking::mu");
  const std::string savings = kCorpus.Site(name, "// lock: Savings::mu");
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre(checking, savings));
  EXPECT_THAT(EdgeLines(f),
              UnorderedElementsAre(
                  EdgeLine(checking, savings, "payer", kCorpus.Site(name, "// held: Checking (transfer)"),
                           kCorpus.Site(name, "// edge: Checking -> Savings")),
                  EdgeLine(savings, checking, "auditor", kCorpus.Site(name, "// held: Savings (audit)"),
                           kCorpus.Site(name, "// edge: Savings -> Checking"))));
  // The message names both classes (by file base name and line).
  EXPECT_THAT(f["message"].get<std::string>(),
              AllOf(StartsWith("possible lock-order cycle between classes "),
                    HasSubstr(absl::StrCat("transfer_potential.cc:",
                                           LineOf(kCorpus.Source(name), "// lock: Checking::mu"))),
                    HasSubstr(absl::StrCat("transfer_potential.cc:",
                                           LineOf(kCorpus.Source(name), "// lock: Savings::mu")))));
  // The newer order (the audit's) is the one to change.
  EXPECT_EQ(f["location"], kCorpus.Site(name, "// edge: Savings -> Checking"));

  ExpectTextFirstLine({dir.path()}, f, "warning", 0);
}

TEST(AnalyzeCorpus, LongHoldIsALongWaitWithWaiterAndHolder) {
  const std::string name = "long_hold";
  TempDir dir;
  // The runtime records waits of at least its long_wait: 50ms, below the analysis threshold.
  EXPECT_EQ(RunCorpus(name, dir, ":long_wait=50ms"), "");

  const Analysis a = AnalyzeJson({"--long-wait=100ms", dir.path()});
  EXPECT_EQ(a.exit_code, 0) << "a long wait does not fail the default --fail-on=deadlock";
  ASSERT_THAT(Kinds(a.report), ElementsAre("long-wait"));
  EXPECT_THAT(Counts(a.report), ElementsAre(0, 0, 1, 0));
  const json& f = a.report["findings"][0];
  EXPECT_THAT(LockClasses(f), ElementsAre("resource"));
  EXPECT_EQ(f["locks"][0]["site"], kCorpus.Site(name, "// lock: resource"));
  EXPECT_THAT(f["edges"], IsEmpty());
  EXPECT_EQ(f["waiter"]["thread"]["name"], "waiter");
  EXPECT_EQ(f["holder"]["thread"]["name"], "holder");
  EXPECT_EQ(f["waiter"]["thread"]["pid"], f["holder"]["thread"]["pid"]);
  EXPECT_NE(f["waiter"]["thread"]["id"], f["holder"]["thread"]["id"]);
  const std::string waits = kCorpus.Site(name, "// waiter: waits for resource");
  ASSERT_THAT(f["waiter"]["stack"], Not(IsEmpty()));
  ASSERT_THAT(f["holder"]["stack"], Not(IsEmpty()));
  EXPECT_THAT(f["waiter"]["stack"][0].get<std::string>(), EndsWith(" " + waits));
  EXPECT_THAT(f["holder"]["stack"][0].get<std::string>(),
              EndsWith(" " + kCorpus.Site(name, "// holder: takes resource")));
  EXPECT_EQ(f["location"], waits);
  EXPECT_EQ(f["occurrences"], 1);
  EXPECT_GE(f["wait_max_ns"].get<uint64_t>(), 100'000'000u);
  EXPECT_EQ(f["wait_total_ns"], f["wait_max_ns"]);
  EXPECT_THAT(f["message"].get<std::string>(),
              AllOf(StartsWith("long wait: thread "), HasSubstr("\"waiter\""),
                    HasSubstr("Lock \"resource\""), HasSubstr("held by thread "),
                    HasSubstr("\"holder\"")));

  ExpectTextFirstLine({"--long-wait=100ms", dir.path()}, f, "warning", 0);

  // Below the threshold, no finding.
  const Analysis high = AnalyzeJson({"--long-wait=10s", dir.path()});
  ExpectClean(high);
}

TEST(AnalyzeCorpus, ReleaseOfAnUnheldLockIsMisuseAtTheRelease) {
  const std::string name = "release_unheld";
  TempDir dir;
  // The runtime reports it online too, and lets the program go on.
  EXPECT_EQ(CountLines(RunCorpus(name, dir), "misuse (release-unheld)"), 1);

  const Analysis a = AnalyzeJson({"--fail-on=misuse", dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  ASSERT_THAT(Kinds(a.report), ElementsAre("misuse"));
  EXPECT_THAT(Counts(a.report), ElementsAre(0, 0, 0, 1));
  const json& f = a.report["findings"][0];
  EXPECT_THAT(LockClasses(f), ElementsAre("config"));
  EXPECT_EQ(f["locks"][0]["site"], kCorpus.Site(name, "// lock: config"));
  const std::string release = kCorpus.Site(name, "// misuse: release unheld");
  EXPECT_EQ(f["location"], release);
  EXPECT_EQ(f["thread"]["name"], "closer");
  ASSERT_THAT(f["stack"], Not(IsEmpty()));
  EXPECT_THAT(f["stack"][0].get<std::string>(), EndsWith(" " + release));
  EXPECT_EQ(f["occurrences"], 1);
  EXPECT_THAT(f["message"].get<std::string>(),
              AllOf(StartsWith("release-unheld: "), HasSubstr("\"config\"")));
  EXPECT_THAT(f["edges"], IsEmpty());

  // An error, but below the default --fail-on=deadlock.
  ExpectTextFirstLine({dir.path()}, f, "error", 0);
}

TEST(AnalyzeCorpus, StatsShowTheContendedLock) {
  const std::string name = "long_hold";
  TempDir dir;
  RunCorpus(name, dir, ":long_wait=50ms:quiet=1");
  const ProcessResult text = RunLockgraph({"stats", dir.path()});
  EXPECT_EQ(text.exit_code, 0) << text.stderr_text;
  const std::vector<std::string> lines = Lines(text.stdout_text);
  ASSERT_GE(lines.size(), 2u) << text.stdout_text;
  EXPECT_THAT(lines[0], StartsWith("class "));
  // Sorted by total wait: the lock waited for 500 ms comes first.
  const std::vector<std::string> row = absl::StrSplit(lines[1], ' ', absl::SkipWhitespace());
  ASSERT_GE(row.size(), 4u) << lines[1];
  EXPECT_EQ(row[0], "resource");
  EXPECT_EQ(row[1], "Lock");
  int acquired = 0, contended = 0;
  ASSERT_TRUE(absl::SimpleAtoi(row[2], &acquired)) << lines[1];
  ASSERT_TRUE(absl::SimpleAtoi(row[3], &contended)) << lines[1];
  EXPECT_EQ(acquired, 2);
  EXPECT_GE(contended, 1);

  const ProcessResult as_json = RunLockgraph({"stats", "--format=json", dir.path()});
  EXPECT_EQ(as_json.exit_code, 0) << as_json.stderr_text;
  const json stats = json::parse(as_json.stdout_text, nullptr, false);
  ASSERT_TRUE(stats.is_object()) << as_json.stdout_text;
  ASSERT_THAT(stats["stats"], Not(IsEmpty()));
  const json& first = stats["stats"][0];
  EXPECT_EQ(first["class"], "resource");
  EXPECT_EQ(first["site"], kCorpus.Site(name, "// lock: resource"));
  EXPECT_GE(first["contended"].get<int>(), 1);
  EXPECT_GE(first["wait_max_ns"].get<uint64_t>(), 100'000'000u);
  EXPECT_GE(first["wait_total_ns"].get<uint64_t>(), first["wait_max_ns"].get<uint64_t>());
}

TEST(AnalyzeCorpus, TwoProgramsFormACycleOnlyWhenMerged) {
  TempDir x_then_y, y_then_x;
  EXPECT_EQ(RunCorpus("merge_x_then_y", x_then_y), "");
  EXPECT_EQ(RunCorpus("merge_y_then_x", y_then_x), "");
  ExpectClean(AnalyzeJson({x_then_y.path()}));
  ExpectClean(AnalyzeJson({y_then_x.path()}));

  // Together: lock instances belong to their process (instance ids are per process, so no
  // instance cycle spans two programs), but classes merge by name. The cycle X -> Y -> X
  // exists between classes only: a `potential`, the deadlock waiting to happen when both
  // orders run in one program.
  const auto check = [](const Analysis& a) {
    EXPECT_EQ(a.exit_code, 0) << a.stderr_text;
    ASSERT_THAT(Kinds(a.report), ElementsAre("potential"));
    EXPECT_THAT(Counts(a.report), ElementsAre(0, 1, 0, 0));
    EXPECT_EQ(a.report["summary"]["traces"], 2);
    const json& f = a.report["findings"][0];
    ExpectWellFormedCycle(f);
    EXPECT_THAT(LockClasses(f), UnorderedElementsAre("X", "Y"));
    EXPECT_EQ(f["message"],
              "possible lock-order cycle between classes \"X\" and \"Y\" (no run took both "
              "orders on the same locks)");
    EXPECT_THAT(EdgeLines(f),
                UnorderedElementsAre(
                    EdgeLine("X", "Y", "x_then_y", kCorpus.Site("merge_x_then_y", "std::lock_guard hold_x"),
                             kCorpus.Site("merge_x_then_y", "// edge: X -> Y")),
                    EdgeLine("Y", "X", "y_then_x", kCorpus.Site("merge_y_then_x", "std::lock_guard hold_y"),
                             kCorpus.Site("merge_y_then_x", "// edge: Y -> X"))));
    ASSERT_THAT(f["edges"], SizeIs(2));
    EXPECT_NE(f["edges"][0]["pid"], f["edges"][1]["pid"]);
  };
  {
    SCOPED_TRACE("two directories");
    const Analysis both = AnalyzeJson({x_then_y.path(), y_then_x.path()});
    check(both);
    EXPECT_EQ(AnalyzeJson({"--fail-on=potential", x_then_y.path(), y_then_x.path()}).exit_code,
              1);
  }
  {
    SCOPED_TRACE("two trace files");
    ASSERT_THAT(x_then_y.Files(".lgtrace"), SizeIs(1));
    ASSERT_THAT(y_then_x.Files(".lgtrace"), SizeIs(1));
    check(AnalyzeJson({x_then_y.Files(".lgtrace")[0], y_then_x.Files(".lgtrace")[0]}));
  }
  {
    SCOPED_TRACE("one directory holding both");
    TempDir both;
    RunCorpus("merge_x_then_y", both);
    RunCorpus("merge_y_then_x", both);
    check(AnalyzeJson({both.path()}));
  }
}

// ---- Processes: ProcessLock orders taken by several processes meet by the locks' names ----

struct ProcessRun {
  ProcessResult run;
  std::string prefix;  // of the ProcessLocks' names: alpha is PREFIX.alpha
};

// Runs tests/e2e/programs/process_locks.cc SCENARIO, each process's trace in `dir`.
ProcessRun RunProcesses(const std::string& scenario, const TempDir& dir,
                        const std::string& extra = "") {
  ProcessRun out;
  out.prefix = absl::StrCat("lg-e2e.", getpid(), ".", scenario);
  out.run = ::lockgraph::testing::RunProcess(
      {LOCKGRAPH_PROCESS_PROGRAM, scenario, out.prefix},
      {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", dir.path(), "/p.%p.lgtrace", extra)});
  EXPECT_EQ(out.run.exit_code, 0) << out.run.stderr_text;
  return out;
}

std::string ProcessSite(const std::string& marker) {
  return SiteIn(LOCKGRAPH_PROCESS_SOURCE, marker);
}

TEST(AnalyzeProcesses, SiblingsTakingProcessLocksBothWaysAreADeadlock) {
  TempDir dir;
  const ProcessRun p = RunProcesses("siblings", dir);
  // Each process took one order: none of them alone can see the cycle.
  EXPECT_EQ(CountLines(p.run.stderr_text, "lock-order cycle"), 0) << p.run.stderr_text;
  EXPECT_THAT(dir.Files(".lgtrace"), SizeIs(3));  // the parent's (its joins) and two children's

  const Analysis a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_THAT(a.report["ruled_out"], IsEmpty());
  EXPECT_EQ(a.report["summary"]["locks"], 2);  // one per name, whichever process opened it
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  const std::string alpha = p.prefix + ".alpha", beta = p.prefix + ".beta";
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre(alpha, beta));
  for (const json& lock : f["locks"]) {
    EXPECT_EQ(lock["kind"], "ProcessLock");
    EXPECT_EQ(lock["site"],
              ProcessSite(lock["class"] == alpha ? "// lock: alpha" : "// lock: beta"));
  }
  // The forked children continue their parent's main thread.
  EXPECT_THAT(EdgeLines(f),
              UnorderedElementsAre(EdgeLine(alpha, beta, "main", ProcessSite("// held: alpha"),
                                            ProcessSite("// edge: alpha -> beta")),
                                   EdgeLine(beta, alpha, "main", ProcessSite("// held: beta"),
                                            ProcessSite("// edge: beta -> alpha"))));
  ASSERT_THAT(f["edges"], SizeIs(2));
  EXPECT_NE(f["edges"][0]["pid"], f["edges"][1]["pid"]);  // two processes
  EXPECT_EQ(f["message"],
            absl::StrCat("lock-order cycle between \"", alpha, "\" and \"", beta, "\""));
  ExpectTextFirstLine({dir.path()}, f, "error", 1);
}

TEST(AnalyzeProcesses, SiblingsStartedAfterTheOtherWasJoinedAreOrdered) {
  TempDir dir;
  RunProcesses("siblings-joined", dir);
  const Analysis a = AnalyzeJson({dir.path()});
  // The fork of the second child comes after the join of the first: the cycle is ruled out.
  ExpectClean(a, /*ruled_out=*/1);
  ASSERT_THAT(a.report["ruled_out"], SizeIs(1));
  const json& r = a.report["ruled_out"][0];
  EXPECT_EQ(r["level"], "instance");
  EXPECT_THAT(r["locks"], SizeIs(2));
  EXPECT_THAT(r["reason"].get<std::string>(), StartsWith("ordered by thread start/join"));
}

TEST(AnalyzeProcesses, ParentTakingTheOtherOrderAfterJoiningTheChildIsOrdered) {
  TempDir dir;
  RunProcesses("parent-after-join", dir);
  const Analysis a = AnalyzeJson({dir.path()});
  ExpectClean(a, /*ruled_out=*/1);
  ASSERT_THAT(a.report["ruled_out"], SizeIs(1));
  EXPECT_THAT(a.report["ruled_out"][0]["reason"].get<std::string>(),
              StartsWith("ordered by thread start/join"));
}

TEST(AnalyzeProcesses, TwoProgramsUnderThePreloadMeetByLockNames) {
  // Two runs of a program, each taking the ProcessLocks in one order, under `lockgraph run`
  // with one trace directory: unrelated processes (nothing orders them), one lock per name.
  // The program links the shared runtime, which the preload then provides, so the preload's
  // interposer sees the robust mutex inside each ProcessLock: it must not become a
  // pthread_mutex lock of its own, with edges doubling the ProcessLocks'.
  TempDir dir;
  const std::string prefix = absl::StrCat("lg-e2e.", getpid(), ".preload");
  auto run = [&](const std::string& scenario) {
    return ::lockgraph::testing::RunProcess(
        {LockgraphCommand(), "run", "--fail-on=deadlock", "--trace-dir", dir.path(), "--",
         LOCKGRAPH_PROCESS_SHARED_PROGRAM, scenario, prefix},
        {"LOCKGRAPH_OPTIONS="});
  };
  const ProcessResult forward = run("forward");
  EXPECT_EQ(forward.exit_code, 0) << forward.stderr_text;
  const ProcessResult backward = run("backward");
  EXPECT_EQ(backward.exit_code, 1) << "the analysis after it sees the deadlock: "
                                   << backward.stderr_text;
  const std::vector<std::string> files = dir.Files(".lgtrace");
  EXPECT_THAT(files, SizeIs(2));
  for (const std::string& file : files) {
    absl::StatusOr<::lockgraph::analyzer::Trace> trace = ::lockgraph::analyzer::ReadTraceFile(file);
    ASSERT_TRUE(trace.ok()) << trace.status();
    for (const auto& [id, instance] : trace->instances) {
      EXPECT_EQ(instance.kind, ::lockgraph::format::SyncKind::kProcessLock)
          << file << ": instance " << id << " of class "
          << trace->String(trace->classes.at(instance.class_id).name_sid);
    }
  }
  const Analysis a = AnalyzeJson({dir.path()});
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_EQ(a.report["summary"]["locks"], 2);
  EXPECT_EQ(a.report["summary"]["dependencies"], 2);
  const json& f = a.report["findings"][0];
  ExpectWellFormedCycle(f);
  EXPECT_THAT(LockClasses(f), UnorderedElementsAre(prefix + ".alpha", prefix + ".beta"));
}

TEST(AnalyzeProcesses, ProcessQueueHandOffInFullModeIsTracedAsSendsAndReceives) {
  TempDir dir;
  const ProcessRun p = RunProcesses("queue", dir, ":mode=full");
  const Analysis a = AnalyzeJson({dir.path()});
  ExpectClean(a);  // read without error or warning
  EXPECT_EQ(a.report["summary"]["traces"], 2);
  std::string dumps;
  for (const std::string& file : dir.Files(".lgtrace")) {
    const ProcessResult dump = RunLockgraph({"dump", file});
    EXPECT_EQ(dump.exit_code, 0) << dump.stderr_text;
    EXPECT_THAT(dump.stdout_text, HasSubstr("kind=ProcessQueue"));
    EXPECT_THAT(dump.stdout_text, HasSubstr("global-name=\"pq:"));
    dumps += dump.stdout_text;
  }
  // Every item: put (a send) in the parent, got (a receive of the same number) in the child.
  EXPECT_EQ(CountLines(dumps, " send #"), 100) << dumps;
  EXPECT_EQ(CountLines(dumps, " receive #"), 100);
  EXPECT_EQ(CountLines(dumps, "\"numbers\" seq=100"), 2);
  // The parent's join of the child, as a record and as an event.
  const std::string consumer = p.run.stdout_text.substr(p.run.stdout_text.find(' ') + 1);
  const std::string pid = consumer.substr(0, consumer.find('\n'));
  EXPECT_EQ(CountLines(dumps, absl::StrCat("process-join tid=1@")), 1);
  EXPECT_EQ(CountLines(dumps, absl::StrCat("joined-pid=", pid, " ")), 1);
  EXPECT_EQ(CountLines(dumps, absl::StrCat(" join-process pid=", pid)), 1);
}

// ---- CI: --fail-on ----

// Exit codes per --fail-on, for a program whose only finding is of one kind. Severity order:
// deadlock > potential > long-wait > misuse; --fail-on=K fails on K and every kind before it.
TEST(AnalyzeFailOn, FailsOnTheKindAndEveryMoreSevereOne) {
  struct Case {
    std::string program;
    std::string options;  // the runtime's
    std::map<std::string, int> exit_codes;  // --fail-on value ("" for the default) -> exit
  };
  const std::vector<Case> cases = {
      {"two_lock_cycle", "",
       {{"", 1}, {"deadlock", 1}, {"potential", 1}, {"long-wait", 1}, {"misuse", 1},
        {"never", 0}}},
      {"transfer_potential", "",
       {{"", 0}, {"deadlock", 0}, {"potential", 1}, {"long-wait", 1}, {"misuse", 1},
        {"never", 0}}},
      {"long_hold", ":long_wait=50ms",
       {{"", 0}, {"deadlock", 0}, {"potential", 0}, {"long-wait", 1}, {"misuse", 1},
        {"never", 0}}},
      {"gate_lock", "",
       {{"", 0}, {"deadlock", 0}, {"potential", 0}, {"long-wait", 0}, {"misuse", 0},
        {"never", 0}}},
  };
  for (const Case& c : cases) {
    TempDir dir;
    RunCorpus(c.program, dir, c.options + ":quiet=1");
    for (const auto& [fail_on, exit_code] : c.exit_codes) {
      std::vector<std::string> args = {"--long-wait=100ms", dir.path()};
      if (!fail_on.empty()) args.insert(args.begin(), "--fail-on=" + fail_on);
      const Analysis a = Analyze(args);
      EXPECT_EQ(a.exit_code, exit_code)
          << c.program << " --fail-on=" << (fail_on.empty() ? "(default)" : fail_on) << "\n"
          << a.stdout_text << a.stderr_text;
    }
  }
}

// ---- CI: suppressions ----

class AnalyzeSuppressions : public ::testing::Test {
 protected:
  void SetUp() override { RunCorpus("two_lock_cycle", traces_, ":quiet=1"); }

  // Analyzes two_lock_cycle with a suppressions file holding `rules`.
  Analysis WithRules(const std::string& rules, bool as_json = false) {
    const std::string path = absl::StrCat(files_.path(), "/rules", ++files_written_, ".supp");
    std::ofstream(path) << rules;
    std::vector<std::string> args = {"--suppressions", path, traces_.path()};
    return as_json ? AnalyzeJson(args) : Analyze(args);
  }

  TempDir traces_;
  TempDir files_;
  int files_written_ = 0;
};

TEST_F(AnalyzeSuppressions, ByClassGlob) {
  const Analysis text = WithRules("# the ABBA of the corpus\nclass:[AB]\n");
  EXPECT_EQ(text.exit_code, 0) << text.stdout_text << text.stderr_text;
  EXPECT_THAT(text.stdout_text, Not(HasSubstr(": error: ")));
  EXPECT_THAT(text.stdout_text,
              HasSubstr("lockgraph: 0 deadlocks, 0 potential, 0 races, 0 long waits, 0 misuse (and 1 "
                        "suppressed, 0 in the baseline)"));

  const Analysis json_run = WithRules("class:[AB]\n", /*as_json=*/true);
  EXPECT_EQ(json_run.exit_code, 0);
  ASSERT_THAT(Kinds(json_run.report), ElementsAre("deadlock"));  // kept, marked
  EXPECT_TRUE(json_run.report["findings"][0]["suppressed"].get<bool>());
  EXPECT_EQ(json_run.report["summary"]["suppressed"], 1);
  EXPECT_THAT(Counts(json_run.report), ElementsAre(0, 0, 0, 0));
}

TEST_F(AnalyzeSuppressions, ByFunctionGlob) {
  const Analysis a = WithRules("function:*Backward*\n");
  EXPECT_EQ(a.exit_code, 0) << a.stdout_text << a.stderr_text;
  EXPECT_THAT(a.stdout_text, HasSubstr("(and 1 suppressed, 0 in the baseline)"));
}

TEST_F(AnalyzeSuppressions, ByFileGlob) {
  const Analysis a = WithRules("file:*/corpus/two_lock_cycle.cc\n");
  EXPECT_EQ(a.exit_code, 0) << a.stdout_text << a.stderr_text;
  EXPECT_THAT(a.stdout_text, HasSubstr("(and 1 suppressed, 0 in the baseline)"));
}

TEST_F(AnalyzeSuppressions, RulesThatDoNotMatchSuppressNothing) {
  for (const std::string rules :
       {"class:Z*\n", "potential class:A\n", "long-wait file:*two_lock_cycle.cc\n",
        "function:NoSuchFunction\n", "file:*/vendor/*\n", "# only a comment\n\n"}) {
    const Analysis a = WithRules(rules);
    EXPECT_EQ(a.exit_code, 1) << rules << a.stdout_text << a.stderr_text;
    EXPECT_THAT(a.stdout_text, Not(HasSubstr("suppressed"))) << rules;
  }
  const Analysis kind = WithRules("deadlock class:A\n");
  EXPECT_EQ(kind.exit_code, 0) << "a rule limited to the finding's kind applies";
}

TEST_F(AnalyzeSuppressions, MalformedFileIsBadInputNamingFileAndLine) {
  for (const auto& [rules, line] : std::vector<std::pair<std::string, int>>{
           {"# comment\nclass:A\nclass A\n", 3},
           {"thread:forward\n", 1},
           {"\nwrong-kind class:A\n", 2},
           {"class:\n", 1}}) {
    const Analysis a = WithRules(rules);
    const std::string path = absl::StrCat(files_.path(), "/rules", files_written_, ".supp");
    EXPECT_EQ(a.exit_code, 2) << rules;
    EXPECT_EQ(a.stdout_text, "") << rules;
    ASSERT_THAT(Lines(a.stderr_text), SizeIs(1)) << a.stderr_text;
    EXPECT_THAT(a.stderr_text, StartsWith(absl::StrCat("lockgraph: ", path, ":", line, ": ")))
        << rules;
  }
  const Analysis missing = Analyze({"--suppressions", files_.path() + "/none.supp",
                                    traces_.path()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.stderr_text, HasSubstr(files_.path() + "/none.supp"));
}

// ---- CI: baselines and ids ----

TEST(AnalyzeBaseline, KnownFindingsDoNotFailTheBuild) {
  TempDir traces, out;
  RunCorpus("two_lock_cycle", traces, ":quiet=1");
  const std::string base = out.path() + "/base.json";
  const Analysis written = Analyze({"--format=json", "-o", base, traces.path()});
  EXPECT_EQ(written.exit_code, 1) << "-o changes where the report goes, not the verdict";
  EXPECT_EQ(written.stdout_text, "");
  const json saved = json::parse(ReadFile(base), nullptr, false);
  ASSERT_TRUE(saved.is_object()) << ReadFile(base);
  ASSERT_THAT(Kinds(saved), ElementsAre("deadlock"));

  const Analysis again = AnalyzeJson({"--baseline", base, traces.path()});
  EXPECT_EQ(again.exit_code, 0) << again.stderr_text;
  ASSERT_THAT(Kinds(again.report), ElementsAre("deadlock"));
  EXPECT_TRUE(again.report["findings"][0]["in_baseline"].get<bool>());
  EXPECT_FALSE(again.report["findings"][0]["suppressed"].get<bool>());
  EXPECT_EQ(again.report["summary"]["in_baseline"], 1);
  EXPECT_THAT(Counts(again.report), ElementsAre(0, 0, 0, 0));
  const Analysis text = Analyze({"--baseline", base, traces.path()});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.stdout_text, Not(HasSubstr(": error: ")));
  EXPECT_THAT(text.stdout_text, HasSubstr("(and 0 suppressed, 1 in the baseline)"));

  // A new finding is not in an older, clean baseline.
  TempDir clean_traces;
  RunCorpus("gate_lock", clean_traces, ":quiet=1");
  const std::string clean = out.path() + "/clean.json";
  EXPECT_EQ(Analyze({"--format=json", "-o", clean, clean_traces.path()}).exit_code, 0);
  const Analysis fresh = AnalyzeJson({"--baseline", clean, traces.path()});
  EXPECT_EQ(fresh.exit_code, 1);
  ASSERT_THAT(Kinds(fresh.report), ElementsAre("deadlock"));
  EXPECT_FALSE(fresh.report["findings"][0]["in_baseline"].get<bool>());
}

TEST(AnalyzeBaseline, UnreadableBaselineIsBadInput) {
  TempDir traces, out;
  RunCorpus("two_lock_cycle", traces, ":quiet=1");
  const std::string not_json = out.path() + "/notes.txt";
  std::ofstream(not_json) << "not a report\n";
  for (const std::string& path : {not_json, out.path() + "/missing.json"}) {
    const Analysis a = Analyze({"--baseline", path, traces.path()});
    EXPECT_EQ(a.exit_code, 2) << path;
    ASSERT_THAT(Lines(a.stderr_text), SizeIs(1)) << a.stderr_text;
    EXPECT_THAT(a.stderr_text, StartsWith("lockgraph: " + path + ": "));
  }
}

TEST(AnalyzeIds, StableAcrossRuns) {
  TempDir first, second;
  RunCorpus("two_lock_cycle", first, ":quiet=1");
  RunCorpus("two_lock_cycle", second, ":quiet=1");
  const Analysis a = AnalyzeJson({first.path()});
  const Analysis b = AnalyzeJson({second.path()});
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  ASSERT_THAT(Kinds(b.report), ElementsAre("deadlock"));
  EXPECT_EQ(a.report["findings"][0]["id"], b.report["findings"][0]["id"]);
  // Another hazard has another id.
  TempDir other;
  RunCorpus("transfer_swapped", other, ":quiet=1");
  const Analysis c = AnalyzeJson({other.path()});
  ASSERT_THAT(Kinds(c.report), ElementsAre("deadlock"));
  EXPECT_NE(c.report["findings"][0]["id"], a.report["findings"][0]["id"]);
}

// transfer_swapped built a second time from a copy with every line moved down (by CMake,
// corpus/shift_lines.cmake): its lock class is named by another file:line, and the edges are
// on other lines, yet it is the same hazard, so it keeps its id (a baseline stays valid).
TEST(AnalyzeIds, UnchangedWhenUnrelatedLinesMove) {
  TempDir original, moved;
  RunCorpus("transfer_swapped", original, ":quiet=1");
  RunTraced(LOCKGRAPH_MOVED_PROGRAM, moved.path(), ":quiet=1");
  const Analysis a = AnalyzeJson({original.path()});
  const Analysis b = AnalyzeJson({moved.path()});
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  ASSERT_THAT(Kinds(b.report), ElementsAre("deadlock"));
  const json& fa = a.report["findings"][0];
  const json& fb = b.report["findings"][0];
  EXPECT_EQ(fa["location"], kCorpus.Site("transfer_swapped", "// edge: from -> to"));
  EXPECT_EQ(fb["location"], SiteIn(LOCKGRAPH_MOVED_SOURCE, "// edge: from -> to"));
  EXPECT_EQ(LineOf(LOCKGRAPH_MOVED_SOURCE, "// edge: from -> to"),
            LineOf(kCorpus.Source("transfer_swapped"), "// edge: from -> to") + 7);
  EXPECT_EQ(fb["locks"][0]["class"], SiteIn(LOCKGRAPH_MOVED_SOURCE, "// lock: Account::mu"));
  EXPECT_EQ(fa["id"], fb["id"]);

  // And a baseline written before the move still covers the finding.
  TempDir out;
  const std::string base = out.path() + "/base.json";
  EXPECT_EQ(Analyze({"--format=json", "-o", base, original.path()}).exit_code, 1);
  EXPECT_EQ(Analyze({"--baseline", base, moved.path()}).exit_code, 0);
}

// ---- Bad input (one clear line naming the file, exit 2) ----

class AnalyzeBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    RunCorpus("two_lock_cycle", traces_, ":quiet=1");
    const std::vector<std::string> files = traces_.Files(".lgtrace");
    ASSERT_THAT(files, SizeIs(1));
    good_ = files[0];
    bytes_ = ReadFile(good_);
    ASSERT_GT(bytes_.size(), 16u);
    // Record offsets from `lockgraph dump`: lines "@OFFSET type ...".
    const ProcessResult dump = RunLockgraph({"dump", good_});
    ASSERT_EQ(dump.exit_code, 0) << dump.stderr_text;
    int index = 0;
    for (const std::string& line : Lines(dump.stdout_text)) {
      if (line.empty() || line[0] != '@') continue;
      ++index;
      const std::vector<std::string> words = absl::StrSplit(line, ' ');
      uint64_t offset = 0;
      ASSERT_TRUE(absl::SimpleAtoi(words[0].substr(1), &offset)) << line;
      records_.push_back({offset, words.size() > 1 ? words[1] : "", index});
    }
    ASSERT_GE(records_.size(), 10u);
  }

  struct RecordAt {
    uint64_t offset;
    std::string type;
    int index;  // 1-based
  };

  const RecordAt& First(const std::string& type) {
    for (const RecordAt& r : records_) {
      if (r.type == type) return r;
    }
    ADD_FAILURE() << "no " << type << " record";
    return records_[0];
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = absl::StrCat(bad_.path(), "/", name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Analyzing `args` is bad input: exit 2, no report, one line on stderr that starts with
  // `path` and holds `detail`; the same with --format=json.
  void ExpectBad(const std::vector<std::string>& args, const std::string& path,
                 const std::string& detail) {
    const Analysis a = Analyze(args);
    EXPECT_EQ(a.exit_code, 2) << path;
    EXPECT_EQ(a.stdout_text, "") << path;
    ASSERT_THAT(Lines(a.stderr_text), SizeIs(1)) << a.stderr_text;
    EXPECT_THAT(a.stderr_text, StartsWith(absl::StrCat("lockgraph: ", path, ": ")));
    EXPECT_THAT(a.stderr_text, HasSubstr(detail));
    const Analysis j = Analyze({"--format=json", args.back()});
    EXPECT_EQ(j.exit_code, 2) << path;
    EXPECT_EQ(j.stdout_text, "") << "no report from bad input";
  }

  TempDir traces_;
  TempDir bad_;
  std::string good_;
  std::string bytes_;
  std::vector<RecordAt> records_;
};

TEST_F(AnalyzeBadInput, EmptyFile) {
  const std::string path = Write("empty.lgtrace", "");
  ExpectBad({path}, path, "not a lockgraph trace");
}

TEST_F(AnalyzeBadInput, HeaderWithoutRecords) {
  const std::string path = Write("header.lgtrace", bytes_.substr(0, 16));
  ExpectBad({path}, path, "no process record");
}

TEST_F(AnalyzeBadInput, NotATrace) {
  const std::string path = Write("text.lgtrace", "lock A\nlock B\nthis is not a trace file\n");
  ExpectBad({path}, path, "not a lockgraph trace");
}

TEST_F(AnalyzeBadInput, WrongVersion) {
  std::string bytes = bytes_;
  bytes[8] = 9;  // u32 version, little-endian, after the 8-byte magic
  const std::string path = Write("version.lgtrace", bytes);
  ExpectBad({path}, path, "version 9 is not supported");
}

TEST_F(AnalyzeBadInput, RecordClaimingAnAbsurdLength) {
  const RecordAt& dep = First("dependency");
  std::string bytes = bytes_;
  // The record's type varint is one byte; its length varint follows: make it 2^32 - 1.
  bytes.replace(dep.offset + 1, 5, std::string("\xff\xff\xff\xff\x0f", 5));
  const std::string path = Write("length.lgtrace", bytes);
  ExpectBad({path}, path, absl::StrCat("byte ", dep.offset, ": record ", dep.index, " claims "));
}

TEST_F(AnalyzeBadInput, CorruptRecordPayload) {
  const RecordAt& dep = First("dependency");
  std::string bytes = bytes_;
  const uint8_t length = static_cast<uint8_t>(bytes[dep.offset + 1]);
  ASSERT_LT(length, 0x80) << "a one-byte length varint";
  for (size_t i = 0; i < length; ++i) bytes[dep.offset + 2 + i] = '\xff';
  const std::string path = Write("payload.lgtrace", bytes);
  ExpectBad({path}, path,
            absl::StrCat("byte ", dep.offset, ": record ", dep.index, " (dependency): "));
}

TEST_F(AnalyzeBadInput, RecordReferringToAnUndefinedLock) {
  // A dependency placed before the definitions it refers to.
  const RecordAt& dep = First("dependency");
  const RecordAt& process = First("process");
  const size_t end = records_[dep.index].offset;  // the next record
  const std::string record = bytes_.substr(dep.offset, end - dep.offset);
  const size_t after_process = records_[process.index].offset;
  std::string bytes = bytes_.substr(0, after_process) + record + bytes_.substr(after_process);
  const std::string path = Write("undefined.lgtrace", bytes);
  ExpectBad({path}, path,
            absl::StrCat("byte ", after_process, ": record ", process.index + 1,
                         " (dependency): refers to undefined"));
}

TEST_F(AnalyzeBadInput, TruncatedTraceKeepsItsWholeRecordsWithAWarning) {
  // Cut inside the last record: every dependency is before it, so the deadlock is still found.
  const RecordAt& last = records_.back();
  const std::string path = Write("cut.lgtrace", bytes_.substr(0, last.offset + 2));
  const std::string warning = absl::StrCat(path, ": the file ends inside a record at byte ",
                                           last.offset);
  const Analysis a = AnalyzeJson({path});
  EXPECT_EQ(a.exit_code, 1) << "the findings decide, not the cut";
  ASSERT_THAT(Kinds(a.report), ElementsAre("deadlock"));
  EXPECT_THAT(LockClasses(a.report["findings"][0]), UnorderedElementsAre("A", "B"));
  ASSERT_THAT(a.report["warnings"], SizeIs(1));
  EXPECT_THAT(a.report["warnings"][0].get<std::string>(), StartsWith(warning));
  ASSERT_THAT(Lines(a.stderr_text), SizeIs(1)) << a.stderr_text;
  EXPECT_THAT(a.stderr_text, StartsWith("lockgraph: warning: " + warning));

  const Analysis text = Analyze({path});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.stdout_text + text.stderr_text, HasSubstr("warning: " + warning));

  // Cut before the first dependency: nothing to find, still a warning, exit 0.
  const RecordAt& dep = First("dependency");
  const std::string early = Write("early.lgtrace", bytes_.substr(0, dep.offset + 3));
  const Analysis b = AnalyzeJson({early});
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_THAT(b.report["findings"], IsEmpty());
  ASSERT_THAT(b.report["warnings"], SizeIs(1));
  EXPECT_THAT(b.report["warnings"][0].get<std::string>(),
              StartsWith(absl::StrCat(early, ": the file ends inside a record at byte ",
                                      dep.offset)));
}

TEST_F(AnalyzeBadInput, OneBadTraceAmongGoodOnesIsStillBadInput) {
  const std::string path = Write("empty.lgtrace", "");
  const Analysis a = Analyze({good_, path});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_THAT(a.stderr_text, StartsWith("lockgraph: " + path + ": "));
  // In a directory too.
  std::ofstream(traces_.path() + "/zz-empty.lgtrace");
  const Analysis dir = Analyze({traces_.path()});
  EXPECT_EQ(dir.exit_code, 2);
  EXPECT_THAT(dir.stderr_text, StartsWith("lockgraph: " + traces_.path() + "/zz-empty.lgtrace: "));
}

TEST_F(AnalyzeBadInput, MissingPath) {
  const std::string path = bad_.path() + "/no-such.lgtrace";
  ExpectBad({path}, path, "no such file or directory");
}

TEST_F(AnalyzeBadInput, DirectoryWithoutTraces) {
  std::ofstream(bad_.path() + "/notes.txt") << "no traces here\n";
  ExpectBad({bad_.path()}, bad_.path(), "no trace files");
}

TEST_F(AnalyzeBadInput, OutputThatCannotBeWritten) {
  // One line naming the file and why, exit 2, and nothing on stdout.
  for (const auto& [path, why] : std::vector<std::pair<std::string, std::string>>{
           {bad_.path() + "/no/such/dir/report.json", "No such file or directory"},
           {bad_.path(), "Is a directory"}}) {
    for (const std::string format : {"text", "json"}) {
      const Analysis a = Analyze({"--format=" + format, "-o", path, good_});
      EXPECT_EQ(a.exit_code, 2) << path;
      EXPECT_EQ(a.stdout_text, "");
      EXPECT_EQ(a.stderr_text,
                absl::StrCat("lockgraph: ", path, ": cannot write the report: ", why, "\n"));
    }
  }
}

TEST_F(AnalyzeBadInput, UnknownFlag) {
  const Analysis a = Analyze({"--no-such-flag", good_});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_EQ(a.stdout_text, "");
  EXPECT_THAT(FirstLine(a.stderr_text), HasSubstr("--no-such-flag"));
}

TEST_F(AnalyzeBadInput, ASymbolizerThatIsNotThereIsBadUsage) {
  // Not a report without names: the user asked for a symbolizer that does not exist.
  const std::string missing = bad_.path() + "/no-such-llvm-symbolizer";
  const Analysis a = Analyze({"--symbolizer=" + missing, good_});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_EQ(a.stdout_text, "");
  EXPECT_THAT(FirstLine(a.stderr_text), HasSubstr(missing + " is not an executable"));
  for (const char* command : {"stats", "dump"}) {
    const ProcessResult r = RunLockgraph({command, "--symbolizer=" + missing, good_});
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.stderr_text;
  }
  EXPECT_EQ(Analyze({"--symbolizer=none", good_}).exit_code, 1) << "none: no names, a report";
}

TEST_F(AnalyzeBadInput, BadFlagValues) {
  for (const std::string value : {"abc", "-5ms", "100"}) {
    const Analysis a = Analyze({"--long-wait=" + value, good_});
    EXPECT_EQ(a.exit_code, 2) << value;
    EXPECT_EQ(a.stdout_text, "") << value;
    ASSERT_THAT(Lines(a.stderr_text), SizeIs(1)) << a.stderr_text;
    EXPECT_THAT(a.stderr_text, StartsWith("lockgraph: --long-wait: '" + value + "'"));
  }
  const Analysis fail_on = Analyze({"--fail-on=sometimes", good_});
  EXPECT_EQ(fail_on.exit_code, 2);
  EXPECT_THAT(FirstLine(fail_on.stderr_text), HasSubstr("sometimes"));
  const Analysis format = Analyze({"--format=xml", good_});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_THAT(FirstLine(format.stderr_text), HasSubstr("xml"));
  const Analysis no_path = Analyze({});
  EXPECT_EQ(no_path.exit_code, 2);
}

}  // namespace

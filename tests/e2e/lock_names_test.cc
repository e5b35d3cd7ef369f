// Reports that name locks as the code does (issue 15): under the preload, a mutex in static
// storage is named by its variable (and member or element), a heap mutex's class is its
// allocation site and offset, so the class of a mutex never depends on which thread touched
// it first; every finding has a place even in a program built without debug information; and
// stacks show the program's frames without the C++ library's call machinery between them.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::Counts;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::kCorpus;
using ::lockgraph::testing::kPreloadCorpus;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

// A program run under `lockgraph run` with its traces kept, so that every format can be
// asked of them.
struct KeptRun {
  TempDir dir;
  ProcessResult run;  // lockgraph run's (its stderr has the online reports)
  std::string traces() const { return dir.path() + "/traces"; }

  // `lockgraph analyze --format=FORMAT ARGS... TRACES`'s stdout.
  std::string Report(const std::string& format, const std::vector<std::string>& args = {}) const {
    std::vector<std::string> argv = {"analyze", "--format=" + format, "--fail-on=never"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(traces());
    const ProcessResult analysis = RunLockgraph(argv);
    EXPECT_EQ(analysis.exit_code, 0) << analysis.stderr_text;
    return analysis.stdout_text;
  }
  json Json(const std::vector<std::string>& args = {}) const {
    return json::parse(Report("json", args), nullptr, /*allow_exceptions=*/false);
  }
};

std::unique_ptr<KeptRun> RunKept(const std::string& program) {
  auto kept = std::make_unique<KeptRun>();
  kept->run = RunProcess({LockgraphCommand(), "run", "--trace-dir", kept->traces(), "--",
                          program},
                         {"LOCKGRAPH_OPTIONS="});
  return kept;
}

std::vector<std::string> LockField(const json& finding, const std::string& field) {
  std::vector<std::string> values;
  for (const json& lock : finding["locks"]) values.push_back(lock[field]);
  return values;
}

std::vector<std::vector<std::string>> LabelsOfDeadlocks(const json& report) {
  std::vector<std::vector<std::string>> labels;
  for (const json& f : FindingsOf(report, "deadlock")) {
    std::vector<std::string> locks = LockField(f, "label");
    std::sort(locks.begin(), locks.end());
    labels.push_back(locks);
  }
  return labels;
}

// ---- Names of locks in static storage ----

TEST(LockNames, MutexesInStaticStorageAreNamedByTheirVariablesInEveryFormat) {
  const std::unique_ptr<KeptRun> kept = RunKept(kPreloadCorpus.Program("named_locks"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const json report = kept->Json();
  EXPECT_THAT(LabelsOfDeadlocks(report),
              UnorderedElementsAre(
                  ElementsAre("pthread_mutex g_accounts", "pthread_mutex s_audit_log"),
                  ElementsAre("pthread_mutex g_bank.ledger", "pthread_mutex g_locks[2]"),
                  ElementsAre("pthread_mutex ledger::g_journal", "pthread_mutex main::s_registry")))
      << report.dump(2);
  // Each lock says where its variable is declared (a member: its object's declaration).
  const auto declared = [](const std::string& marker) {
    return kPreloadCorpus.Site("named_locks", "declared: " + marker);
  };
  for (const json& f : FindingsOf(report, "deadlock")) {
    for (const json& lock : f["locks"]) {
      EXPECT_EQ(lock["site_is"], "declared") << lock.dump();
      const std::string label = lock["label"];
      const std::string variable = label.substr(label.find(' ') + 1);
      const std::string marker = variable == "g_bank.ledger"    ? "g_bank"
                                 : variable == "g_locks[2]"      ? "g_locks"
                                 : variable == "ledger::g_journal" ? "g_journal"
                                 : variable == "main::s_registry"  ? "s_registry"
                                                                   : variable;
      EXPECT_EQ(lock["site"], declared(marker)) << label;
      EXPECT_EQ(lock["class"], variable);
    }
  }

  // The text report, SARIF, HTML, DOT and the statistics say the same names.
  const std::string text = kept->Report("text");
  EXPECT_THAT(text, HasSubstr(absl::StrCat("lock pthread_mutex g_bank.ledger, declared at ",
                                           declared("g_bank"))));
  EXPECT_THAT(text, HasSubstr("lock-order cycle between g_accounts and s_audit_log"));
  EXPECT_THAT(kept->Report("sarif"), AllOf(HasSubstr("g_locks[2]"), HasSubstr("g_bank.ledger")));
  EXPECT_THAT(kept->Report("html"), AllOf(HasSubstr("ledger::g_journal"), HasSubstr("s_audit_log")));
  EXPECT_THAT(kept->Report("dot"), HasSubstr("main::s_registry"));
  const ProcessResult stats = RunLockgraph({"stats", kept->traces()});
  EXPECT_THAT(stats.stdout_text, AllOf(HasSubstr("g_accounts"), HasSubstr("g_bank.ledger"),
                                       HasSubstr("g_locks[2]")));
  // The runtime's own report, printed when the second order closed each cycle.
  EXPECT_THAT(kept->run.stderr_text,
              AllOf(HasSubstr("lock g_bank.ledger: pthread_mutex g_bank.ledger (declared at " +
                              declared("g_bank") + ")"),
                    HasSubstr("lock g_accounts: pthread_mutex g_accounts (declared at " +
                              declared("g_accounts") + ")"),
                    HasSubstr("holds main::s_registry (taken at ")));
}

TEST(LockNames, UnnamedWrapperLocksInStaticStorageAreNamedByTheirVariables) {
  const std::unique_ptr<KeptRun> kept = RunKept(kCorpus.Program("unnamed_globals"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const json report = kept->Json();
  EXPECT_THAT(LabelsOfDeadlocks(report),
              ElementsAre(ElementsAre("Lock g_accounts", "Lock g_audit_log")))
      << report.dump(2);
  const std::string accounts = kCorpus.Site("unnamed_globals", "declared: g_accounts");
  const std::string audit_log = kCorpus.Site("unnamed_globals", "declared: g_audit_log");
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  EXPECT_THAT(LockField(deadlocks[0], "site"), testing::UnorderedElementsAre(accounts, audit_log));
  EXPECT_THAT(LockField(deadlocks[0], "site_is"), ElementsAre("created", "created"));
  EXPECT_THAT(kept->Report("text"),
              HasSubstr(absl::StrCat("lock Lock g_accounts, created at ", accounts)));
  EXPECT_THAT(kept->run.stderr_text,
              HasSubstr(absl::StrCat("Lock g_audit_log (created at ", audit_log, ")")));
}

// ---- Classes that do not depend on which thread touched a lock first ----

// Under AddressSanitizer the tests preload its runtime before lockgraph's: its malloc and
// operator new come first, so the preload never sees an allocation, and heap locks fall back
// to their first-use classes (docs/analysis.md).
bool AllocationsSeen() {
#ifdef __SANITIZE_ADDRESS__
  return false;
#else
  return true;
#endif
}

TEST(LockClasses, AnArrayOfMutexesLockedInIndexOrderHasNoFinding) {
  if (!AllocationsSeen()) GTEST_SKIP() << "AddressSanitizer's allocator hides allocations";
  const std::unique_ptr<KeptRun> kept = RunKept(kPreloadCorpus.Program("mutex_array"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const json report = kept->Json();
  EXPECT_THAT(report["findings"], IsEmpty()) << report["findings"].dump(2);
  EXPECT_THAT(Counts(report), ElementsAre(0, 0, 0, 0));
  EXPECT_EQ(report["summary"]["locks"], 16);  // 8 on the heap, 8 in static storage
  EXPECT_EQ(CountLines(kept->run.stderr_text, "lock-order cycle"), 0) << kept->run.stderr_text;
}

TEST(LockClasses, HeapObjectsOfOneTypeShareTheClassOfTheirAllocation) {
  if (!AllocationsSeen()) GTEST_SKIP() << "AddressSanitizer's allocator hides allocations";
  const std::unique_ptr<KeptRun> kept = RunKept(kPreloadCorpus.Program("heap_transfer"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const json report = kept->Json();
  EXPECT_THAT(Counts(report), ElementsAre(0, 1, 0, 0)) << report["findings"].dump(2);
  const std::vector<json> potential = FindingsOf(report, "potential");
  ASSERT_THAT(potential, SizeIs(1));
  const std::string checking = kPreloadCorpus.Site("heap_transfer", "allocated: checking");
  const std::string savings = kPreloadCorpus.Site("heap_transfer", "allocated: savings");
  EXPECT_THAT(LockField(potential[0], "label"),
              UnorderedElementsAre("pthread_mutex at offset 8 of objects allocated at " + checking,
                                   "pthread_mutex allocated at " + savings));
  EXPECT_THAT(LockField(potential[0], "site_is"), ElementsAre("allocated", "allocated"));
  // The edges are where transfer() and audit() take the second lock.
  std::vector<std::string> sites;
  for (const json& e : potential[0]["edges"]) sites.push_back(e["acquire_site"]);
  EXPECT_THAT(sites, UnorderedElementsAre(
                         kPreloadCorpus.Site("heap_transfer", "edge: Checking -> Savings"),
                         kPreloadCorpus.Site("heap_transfer", "edge: Savings -> Checking")));
}

// ---- A place for every finding ----

std::string NoDebugProgram(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_NODEBUG_DIR, "/", name);
}

TEST(FindingPlaces, AProgramWithoutLineTablesPointsAtWhereItsLocksWereCreated) {
  const std::unique_ptr<KeptRun> kept = RunKept(NoDebugProgram("corpus_two_lock_cycle"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const std::string text = kept->Report("text");
  // The place is a lock's construction site (std::source_location needs no debug info).
  const std::vector<std::string> creation = {kCorpus.Site("two_lock_cycle", "lock: A"),
                                             kCorpus.Site("two_lock_cycle", "lock: B")};
  EXPECT_TRUE(absl::StrContains(text, "\n" + creation[0] + ": error: lock-order cycle") ||
              absl::StrContains(text, "\n" + creation[1] + ": error: lock-order cycle"))
      << text;
  EXPECT_EQ(CountLines(text, "built without debug info"), 1) << text;
  EXPECT_THAT(text, HasSubstr("-gline-tables-only"));

  const json sarif = json::parse(kept->Report("sarif"));
  const json& results = sarif["runs"][0]["results"];
  ASSERT_THAT(results, SizeIs(1));
  ASSERT_THAT(results[0]["locations"], SizeIs(1));
  const json& physical = results[0]["locations"][0]["physicalLocation"];
  EXPECT_THAT(physical["artifactLocation"]["uri"].get<std::string>(),
              HasSubstr("two_lock_cycle.cc"));
  EXPECT_GT(physical["region"]["startLine"].get<int>(), 0);
}

TEST(FindingPlaces, APreloadProgramWithoutLineTablesStillHasASarifLocation) {
  const std::unique_ptr<KeptRun> kept = RunKept(NoDebugProgram("preload_corpus_two_lock_cycle"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const json sarif = json::parse(kept->Report("sarif"));
  const json& results = sarif["runs"][0]["results"];
  ASSERT_THAT(results, SizeIs(1));
  ASSERT_THAT(results[0]["locations"], SizeIs(1)) << results[0].dump(2);
  // No line anywhere: the function the finding's place names.
  EXPECT_THAT(results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                  .get<std::string>(),
              Not(IsEmpty()));
  EXPECT_EQ(CountLines(kept->Report("text"), "built without debug info"), 1);
}

// ---- Stacks without the call machinery ----

TEST(FoldedStacks, TheLibrarysCallMachineryBetweenTheProgramsFramesIsFolded) {
  const std::unique_ptr<KeptRun> kept = RunKept(kCorpus.Program("bound_calls"));
  ASSERT_EQ(kept->run.exit_code, 0) << kept->run.stderr_text;
  const json report = kept->Json();
  const std::vector<json> deadlocks = FindingsOf(report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << report.dump(2);
  const std::string settle = kCorpus.Site("bound_calls", "edge: second");
  const std::string work = kCorpus.Site("bound_calls", "call: settle");
  // Settle, the lambda that calls it, then Bank::Work and the thread's lambda: nothing of
  // std::function, std::invoke, std::bind or lockgraph::Thread between them.
  for (const json& edge : deadlocks[0]["edges"]) {
    std::vector<std::string> frames = edge["stack"];
    ASSERT_EQ(frames.size(), 4u) << edge.dump(2);
    EXPECT_THAT(frames[0], HasSubstr(settle));
    EXPECT_THAT(frames[2], HasSubstr(work)) << edge.dump(2);
    for (const std::string& frame : frames) {
      EXPECT_FALSE(absl::StartsWith(frame, "std::") || absl::StartsWith(frame, "lockgraph::") ||
                   absl::StrContains(frame, "/usr/include/"))
          << frame;
    }
  }
  EXPECT_THAT(kept->Report("text"), HasSubstr("folded; --full-stacks shows them"));

  // --full-stacks: the std::function and lockgraph::Thread frames are there.
  // The finding's place stays the program's line.
  const json full = kept->Json({"--full-stacks"});
  const std::vector<json> full_deadlocks = FindingsOf(full, "deadlock");
  ASSERT_THAT(full_deadlocks, SizeIs(1)) << full.dump(2);
  std::string all;
  for (const json& edge : full_deadlocks[0]["edges"]) {
    all += edge["stack"].dump();
    EXPECT_EQ(edge["acquire_site"], settle);
  }
  EXPECT_THAT(all, AllOf(HasSubstr("std::function"), HasSubstr("lockgraph::Thread::run")));
  EXPECT_EQ(full_deadlocks[0]["location"], deadlocks[0]["location"]);
}

}  // namespace

// `lockgraph confirm` (issue 14): the README's ABBA examples and a cycle whose orders are
// apart in time are confirmed by a steered run that really deadlocks, with the hang's
// stacks; programs whose cycles cannot happen (a gate lock, join order, one thread) have
// nothing confirmed. Every outcome asserted here is forced by the steering, not by timing:
// the steering holds a thread back until the other thread of the cycle holds its lock.
#include <unistd.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::ExamplePath;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::kPreloadCorpus;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::SourcePath;
using ::lockgraph::testing::StackHas;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using json = ::nlohmann::json;

struct Confirmed {
  ProcessResult run;
  json report;
};

Confirmed RunConfirm(const std::vector<std::string>& command,
                     const std::vector<std::string>& flags = {}) {
  std::vector<std::string> args = {"confirm", "--format=json"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back("--");
  args.insert(args.end(), command.begin(), command.end());
  Confirmed c{RunLockgraph(args), json()};
  c.report = json::parse(c.run.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(c.report.is_object()) << c.run.stderr_text;
  if (!c.report.is_object()) c.report = json::object();
  return c;
}

// "file:line" of the line of examples/NAME.cc holding `marker`.
std::string ExampleSite(const std::string& name, const std::string& marker) {
  const std::string source = SourcePath("examples/" + name + ".cc");
  return source + ":" + std::to_string(LineOf(source, marker));
}

// The examples' rotator stops waiting for the deposit after a second; the steering holds the
// depositor back for up to --pause. A pause well past that second keeps the outcome forced on
// a slow machine (the pause ends as soon as the deadlock is set up, so it costs nothing).
const std::vector<std::string> kLongPause = {"--pause=10s"};

// The deadlock of `c`, confirmed by a steered run whose threads waited at `waits`.
void ExpectConfirmedDeadlock(const Confirmed& c, const std::vector<std::string>& waits) {
  EXPECT_EQ(c.run.exit_code, 1) << c.run.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(c.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1)) << c.report.dump(2);
  const json& f = deadlocks[0];
  EXPECT_EQ(f.value("observed", true), false) << "predicted, not seen in the first run";
  EXPECT_EQ(f.value("confirmed", false), true) << f.dump(2);
  const json& confirmation = f["confirmation"];
  EXPECT_GE(confirmation.value("tries", 0), 1);
  std::vector<std::string> sites;
  for (const json& edge : confirmation["edges"]) {
    sites.push_back(edge["acquire_site"]);
    EXPECT_TRUE(StackHas(edge["stack"], edge["acquire_site"])) << edge.dump(2);
  }
  EXPECT_THAT(sites, ::testing::UnorderedElementsAreArray(waits)) << f.dump(2);
  // The same classes as the prediction.
  std::vector<std::string> predicted, hung;
  for (const json& lock : f["locks"]) predicted.push_back(lock["class"]);
  for (const json& lock : confirmation["locks"]) hung.push_back(lock["class"]);
  EXPECT_THAT(hung, ::testing::UnorderedElementsAreArray(predicted));
  EXPECT_THAT(c.run.stderr_text, HasSubstr("deadlock now"));
  EXPECT_THAT(c.run.stderr_text, HasSubstr("confirmed, the program deadlocked"));
}

TEST(Confirm, TheWrapperAbbaExampleDeadlocksWhenSteered) {
  const Confirmed c = RunConfirm({ExamplePath("abba")}, kLongPause);
  ExpectConfirmedDeadlock(c, {ExampleSite("abba", "// accounts -> audit_log"),
                              ExampleSite("abba", "// audit_log -> accounts")});
}

TEST(Confirm, TheStdMutexAbbaExampleDeadlocksWhenSteered) {
  const Confirmed c = RunConfirm({ExamplePath("abba_std_mutex")}, kLongPause);
  ExpectConfirmedDeadlock(c, {ExampleSite("abba_std_mutex", "// accounts -> audit_log"),
                              ExampleSite("abba_std_mutex", "// audit_log -> accounts")});
}

TEST(Confirm, OrdersApartInTimeDeadlockWhenSteered) {
  const std::string name = "sleep_apart";
  const Confirmed c = RunConfirm({kPreloadCorpus.Program(name)});
  ExpectConfirmedDeadlock(c, {kPreloadCorpus.Site(name, "early: takes B"),
                              kPreloadCorpus.Site(name, "late: takes A")});
}

TEST(Confirm, TheTextReportShowsTheHang) {
  const ProcessResult text = RunLockgraph({"confirm", "--pause=10s", "--", ExamplePath("abba_std_mutex")});
  EXPECT_EQ(text.exit_code, 1) << text.stderr_text;
  EXPECT_THAT(text.stdout_text,
              HasSubstr("confirmed: the program deadlocked when steered toward this cycle"));
  EXPECT_THAT(text.stdout_text,
              HasSubstr(ExampleSite("abba_std_mutex", "// audit_log -> accounts") + ":"));
}

TEST(Confirm, EarlierTracesAreReadWithTraces) {
  TempDir traces;
  const ProcessResult run = RunLockgraph(
      {"run", "--trace-dir", traces.path(), "--", ExamplePath("abba_std_mutex")});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const Confirmed c =
      RunConfirm({ExamplePath("abba_std_mutex")}, {"--pause=10s", "--traces", traces.path()});
  ExpectConfirmedDeadlock(c, {ExampleSite("abba_std_mutex", "// accounts -> audit_log"),
                              ExampleSite("abba_std_mutex", "// audit_log -> accounts")});
  // The first run was not made again: its output is not on confirm's stdout.
  EXPECT_THAT(c.run.stdout_text, ::testing::Not(HasSubstr("deposit: took")));
}

// Cycles that cannot happen are ruled out by the analysis, so there is nothing to steer.
class ConfirmClean : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfirmClean, ConfirmsNothing) {
  const Confirmed c = RunConfirm({kPreloadCorpus.Program(GetParam())});
  EXPECT_EQ(c.run.exit_code, 0) << c.run.stderr_text;
  EXPECT_THAT(FindingsOf(c.report, "deadlock"), IsEmpty());
  EXPECT_THAT(FindingsOf(c.report, "potential"), IsEmpty());
  EXPECT_THAT(c.report["ruled_out"], SizeIs(1)) << c.report.dump(2);
  EXPECT_THAT(c.run.stderr_text, ::testing::Not(HasSubstr("steered run")));
}

INSTANTIATE_TEST_SUITE_P(Programs, ConfirmClean,
                         ::testing::Values("gate_lock", "join_then_start",
                                           "same_thread_inversion"));

TEST(Confirm, ACycleTheProgramOrdersIsNotReproduced) {
  // two_lock_cycle sequences its threads with a flag set after the first thread's orders
  // (std::atomic, which lockgraph does not see): predicted, yet it cannot happen. The
  // steering holds the first thread back, the second never comes, the pause runs out.
  const Confirmed c = RunConfirm({kPreloadCorpus.Program("two_lock_cycle")},
                                 {"--tries=1", "--pause=200ms"});
  EXPECT_EQ(c.run.exit_code, 0) << c.run.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(c.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  EXPECT_EQ(deadlocks[0].value("confirmed", true), false);
  EXPECT_EQ(deadlocks[0]["confirmation"].value("tries", 0), 1);
  EXPECT_THAT(c.run.stderr_text, HasSubstr("not reproduced in 1 try"));
}

TEST(Confirm, ADeadlockOfTheFirstRunIsConfirmedAtOnce) {
  const std::string name = "hang_two_locks";
  const Confirmed c = RunConfirm({kPreloadCorpus.Program(name)});
  EXPECT_EQ(c.run.exit_code, 1) << c.run.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(c.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  EXPECT_EQ(deadlocks[0].value("observed", false), true);
  EXPECT_EQ(deadlocks[0].value("confirmed", false), true);
  EXPECT_EQ(deadlocks[0]["confirmation"].value("tries", -1), 0);
  EXPECT_THAT(c.run.stderr_text, HasSubstr("happened in the run itself"));
}

TEST(Confirm, TwoProcessesTakingProcessLocksApartDeadlockWhenSteered) {
  const std::string prefix = "lg-e2e." + std::to_string(getpid()) + ".apart";
  const Confirmed c = RunConfirm({LOCKGRAPH_PROCESS_PROGRAM, "apart", prefix});
  const std::string source = LOCKGRAPH_PROCESS_SOURCE;
  ExpectConfirmedDeadlock(c, {source + ":" + std::to_string(LineOf(source, "edge: alpha -> beta")),
                              source + ":" + std::to_string(LineOf(source, "edge: beta -> alpha"))});
  // The hang is between two processes.
  const std::vector<json> deadlocks = FindingsOf(c.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  const json edges = deadlocks[0]["confirmation"]["edges"];
  ASSERT_THAT(edges, SizeIs(2));
  EXPECT_NE(edges[0]["pid"], edges[1]["pid"]);
}

TEST(Confirm, ASteeredRunThatHangsOutsideLocksIsKilledAndNotAConfirmation) {
  const Confirmed c = RunConfirm({kPreloadCorpus.Program("hang_when_steered")},
                                 {"--tries=1", "--run-timeout=500ms"});
  EXPECT_EQ(c.run.exit_code, 0) << c.run.stderr_text;
  const std::vector<json> deadlocks = FindingsOf(c.report, "deadlock");
  ASSERT_THAT(deadlocks, SizeIs(1));
  EXPECT_EQ(deadlocks[0].value("confirmed", true), false);
  EXPECT_THAT(c.run.stderr_text, HasSubstr("did not end within 500ms and was killed"));
  EXPECT_THAT(c.run.stderr_text, HasSubstr("not reproduced in 1 try"));
}

TEST(Confirm, BadInputIsAClearError) {
  const ProcessResult no_command = RunLockgraph({"confirm"});
  EXPECT_EQ(no_command.exit_code, 2);
  const ProcessResult bad_timeout =
      RunLockgraph({"confirm", "--run-timeout=-1s", "--", "true"});
  EXPECT_EQ(bad_timeout.exit_code, 2);
  EXPECT_THAT(bad_timeout.stderr_text, HasSubstr("--run-timeout"));
  const ProcessResult bad_pause = RunLockgraph({"confirm", "--pause=soon", "--", "true"});
  EXPECT_EQ(bad_pause.exit_code, 2);
  EXPECT_THAT(bad_pause.stderr_text, HasSubstr("--pause: 'soon' is not a positive duration"));
  const ProcessResult missing = RunLockgraph({"confirm", "--", "/nonexistent/program"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.stderr_text, HasSubstr("cannot run /nonexistent/program"));
  const ProcessResult no_locks = RunLockgraph({"confirm", "--", "true"});
  EXPECT_EQ(no_locks.exit_code, 2);
  EXPECT_THAT(no_locks.stderr_text, HasSubstr("wrote no trace"));
}

}  // namespace

// Signal handlers that take locks: the handler's acquisition is recorded like any other
// (held -> handler lock), and a timer firing into threads that make new dependencies, so
// that handlers run inside the recorder's cold paths, neither deadlocks nor crashes the
// program nor corrupts its held stacks.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::FaultSite;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

// The one deadlock of `program`: outer -> handler taken in the handler, handler -> outer in
// thread "backward", at the lines the program marks.
void ExpectHandlerCycle(const json& report, const std::string& program) {
  const json findings = report.value("findings", json::array());
  ASSERT_THAT(findings, SizeIs(1)) << report.dump(2);
  const json& f = findings[0];
  EXPECT_EQ(f["kind"], "deadlock");
  std::vector<std::string> edges;
  for (const json& e : f["edges"]) {
    edges.push_back(absl::StrCat("held at ", e["held_site"].get<std::string>(), " taken at ",
                                 e["acquire_site"].get<std::string>()));
  }
  EXPECT_THAT(edges,
              UnorderedElementsAre(
                  absl::StrCat("held at ", FaultSite(program, "// held: outer (main)"),
                               " taken at ", FaultSite(program, "// edge: outer -> handler")),
                  absl::StrCat("held at ", FaultSite(program, "// held: handler (backward)"),
                               " taken at ", FaultSite(program, "// edge: handler -> outer"))));
}

TEST(SignalHandler, LockTakenInAHandlerIsAnEdgeAndTimerSignalsHarmNothing) {
  TempDir dir;
  const std::string trace = dir.path() + "/t.lgtrace";
  // A handler making a new dependency allocates (the dependency table, the stack record): a
  // known limit (docs/reliability.md), harmless here because the runtime blocks signals while
  // it allocates and the workers allocate nothing. ThreadSanitizer would report each such
  // call; races and deadlocks are what this test checks.
  const ProcessResult run = RunProcess(
      {FaultProgram("signal_locks")},
      {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", trace, ":quiet=1"),
       "TSAN_OPTIONS=report_signal_unsafe=0"});
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  // No misuse: a held stack a handler corrupted would release a lock it does not hold.
  EXPECT_EQ(run.stderr_text, "");
  EXPECT_THAT(run.stdout_text, MatchesRegex("handler ran [1-9][0-9]* times\n"));
  std::cout << run.stdout_text;

  auto read = ReadTraceFile(trace);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->warnings, IsEmpty());

  const auto a = AnalyzeJson({trace});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  EXPECT_THAT(a.report["warnings"], IsEmpty());
  ExpectHandlerCycle(a.report, "signal_locks");
}

// The same with std::mutex under `lockgraph run`: the interposer's paths instead of the
// wrappers'.
TEST(PreloadFaultSignal, MutexLockedInAHandlerIsAnEdgeAndTimerSignalsHarmNothing) {
  TempDir dir;
  TempDir out;
  const std::string report = out.path() + "/report.json";
  const ProcessResult run =
      RunProcess({LockgraphCommand(), "run", "--format=json", "-o", report, "--trace-dir",
                  dir.path(), "--", FaultProgram("signal_locks_plain")},
                 {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stdout_text, MatchesRegex("handler ran [1-9][0-9]* times\n"));
  std::cout << run.stdout_text;
  for (const std::string& file : dir.Files(".lgtrace")) {
    auto read = ReadTraceFile(file);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_THAT(read->warnings, IsEmpty());
  }
  const json r = json::parse(ReadFile(report), nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(r.is_object()) << run.stderr_text;
  EXPECT_THAT(r["warnings"], IsEmpty());
  EXPECT_EQ(r["summary"]["findings"].value("misuse", -1), 0);
  ExpectHandlerCycle(r, "signal_locks_plain");
}

}  // namespace

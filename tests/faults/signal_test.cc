// Signal handlers that take locks: the handler's acquisition is recorded like any other
// (held -> handler lock), and a timer firing into threads that make new dependencies, so
// that handlers run inside the recorder's cold paths, neither deadlocks nor crashes the
// program nor corrupts its held stacks.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "analyzer/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::FaultSite;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

TEST(SignalHandler, LockTakenInAHandlerIsAnEdgeAndTimerSignalsHarmNothing) {
  TempDir dir;
  const std::string trace = dir.path() + "/t.lgtrace";
  const ProcessResult run = RunProcess({FaultProgram("signal_locks")},
                                       {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", trace,
                                                     ":quiet=1")});
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
  const json findings = a.report.value("findings", json::array());
  ASSERT_THAT(findings, SizeIs(1)) << a.report.dump(2);
  const json& f = findings[0];
  EXPECT_EQ(f["kind"], "deadlock");
  std::vector<std::string> edges;
  for (const json& e : f["edges"]) {
    edges.push_back(absl::StrCat(e["from"].get<std::string>(), "->", e["to"].get<std::string>(),
                                 " held at ", e["held_site"].get<std::string>(), " taken at ",
                                 e["acquire_site"].get<std::string>()));
  }
  EXPECT_THAT(edges,
              UnorderedElementsAre(
                  absl::StrCat("outer->handler held at ",
                               FaultSite("signal_locks", "// held: outer (main)"), " taken at ",
                               FaultSite("signal_locks", "// edge: outer -> handler")),
                  absl::StrCat("handler->outer held at ",
                               FaultSite("signal_locks", "// held: handler (backward)"),
                               " taken at ",
                               FaultSite("signal_locks", "// edge: handler -> outer"))));
}

}  // namespace

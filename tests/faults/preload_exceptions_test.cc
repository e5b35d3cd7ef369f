// Exceptions thrown through std::mutex scopes of a program run under `lockgraph run` (the
// wrappers' case, and throws across lockgraph's own frames, are in
// tests/runtime/exceptions_test.cc): all caught, the mutexes released, the cycle reported.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::FaultSite;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

TEST(PreloadFaultExceptions, ThrownThroughMutexScopesAreCaughtAndTheCycleReported) {
  TempDir out;
  const std::string report = out.path() + "/report.json";
  const ProcessResult run =
      RunProcess({LockgraphCommand(), "run", "--format=json", "-o", report, "--",
                  FaultProgram("throw_through_mutex")},
                 {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "caught 200\n");
  const json r = json::parse(ReadFile(report), nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(r.is_object()) << run.stderr_text;
  EXPECT_THAT(r["warnings"], IsEmpty());
  ASSERT_THAT(r["findings"], SizeIs(1)) << r.dump(2);
  const json& f = r["findings"][0];
  EXPECT_EQ(f["kind"], "deadlock");
  std::vector<std::string> edges;
  for (const json& e : f["edges"]) {
    edges.push_back(absl::StrCat("held at ", e["held_site"].get<std::string>(), " taken at ",
                                 e["acquire_site"].get<std::string>()));
  }
  const std::string p = "throw_through_mutex";
  EXPECT_THAT(edges, UnorderedElementsAre(
                         absl::StrCat("held at ", FaultSite(p, "// held: a (forward)"),
                                      " taken at ", FaultSite(p, "// edge: a -> b")),
                         absl::StrCat("held at ", FaultSite(p, "// held: b (backward)"),
                                      " taken at ", FaultSite(p, "// edge: b -> a"))));
}

}  // namespace

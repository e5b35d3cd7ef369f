// One thread makes 210,925 distinct dependencies, more than the online cycle check keeps
// (200,000) (programs/online_limit.cc). The runtime says once that the online check stopped
// and counts what it dropped; the trace keeps everything, and `lockgraph analyze` finds the
// deadlock planted after the limit.
#include <string>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/stress/stress_support.h"

namespace {

using ::lockgraph::testing::Analysis;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::Edges;
using ::lockgraph::testing::FindingsOf;
using ::lockgraph::testing::LockClasses;
using ::lockgraph::testing::RunStress;
using ::lockgraph::testing::RuntimeCounters;
using ::lockgraph::testing::StressRun;
using ::lockgraph::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr int kLocks = 650;
constexpr int kFillerDependencies = kLocks * (kLocks - 1) / 2;  // 210,925
constexpr int kOnlineLimit = 200000;  // runtime/online/online_checker.h kMaxDependencies

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(OnlineLimit, PastTheOnlineLimitTheTraceStillHasEveryDependency) {
  TempDir dir;
  const StressRun run = RunStress("online_limit", {std::to_string(kLocks)}, dir);
  ASSERT_FALSE(run.trace.empty());
  const std::string& online = run.process.stderr_text;
  EXPECT_EQ(CountOf(online, "the online cycle check keeps at most 200000 dependencies and "
                            "stops here"), 1) << online;
  EXPECT_THAT(online, Not(HasSubstr("lock-order cycle"))) << "the planted cycle came too late";
  // All but the first 200,000 blocking dependencies, reverse's included.
  EXPECT_EQ(RuntimeCounters(run.trace).at("online_dropped_dependencies"),
            kFillerDependencies + 1 - kOnlineLimit);

  const Analysis a = AnalyzeJson(run.trace);
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  EXPECT_THAT(a.report["warnings"],
              ElementsAre(AllOf(StartsWith(absl::StrCat(run.trace, ": ",
                                                        kFillerDependencies + 1 - kOnlineLimit,
                                                        " dependencies were not checked")),
                                EndsWith("(online_dropped_dependencies)"))));
  EXPECT_THAT(a.stderr_text, HasSubstr("lockgraph: warning: " + run.trace + ": "));
  EXPECT_EQ(a.report["summary"]["dependencies"], kFillerDependencies + 1);
  const auto deadlocks = FindingsOf(a.report, "deadlock");
  ASSERT_EQ(deadlocks.size(), 1u) << a.report["findings"].dump(2);
  EXPECT_THAT(LockClasses(deadlocks[0]), UnorderedElementsAre("N648", "N649"));
  EXPECT_THAT(Edges(deadlocks[0]),
              UnorderedElementsAre("N648 -> N649 by filler", "N649 -> N648 by reverse"));
}

}  // namespace

// 10^8 acquisitions of one repeated pattern, "B" inside "A", in deps mode
// (programs/repeated_pattern.cc): the trace holds the pattern once with its count, so its
// size does not grow with the number of operations.
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/stress/stress_support.h"

namespace {

using ::lockgraph::testing::Analysis;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::RunStress;
using ::lockgraph::testing::StatsOf;
using ::lockgraph::testing::StressRun;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kSanitized;
using ::testing::IsEmpty;

constexpr int64_t kFew = 1'000'000;
// 10^8 acquisitions (and as many releases) take 0.85 s here.
constexpr int64_t kMany = kSanitized ? 10'000'000 : 100'000'000;

// The runs differ only in the varints that grow with the count or the run time: the
// dependency's count, each class's acquisitions, hold samples, total and longest hold, the
// end times of the thread and the two locks: 12 fields. A count 100 times larger takes at most
// one byte more (100 < 128); a time or a longest hold at most 4 more (1 ns to 30 s). Measured:
// 695 and 707 bytes.
constexpr int64_t kSizeBound = 12 * 4;

TEST(RepeatedPattern, TraceSizeDoesNotGrowWithTheOperationCount) {
  TempDir few_dir, many_dir;
  const StressRun few = RunStress("repeated_pattern", {std::to_string(kFew)}, few_dir);
  const StressRun many = RunStress("repeated_pattern", {std::to_string(kMany)}, many_dir);
  ASSERT_FALSE(few.trace.empty());
  ASSERT_FALSE(many.trace.empty());
  EXPECT_LT(std::abs(many.trace_bytes - few.trace_bytes), kSizeBound)
      << few.trace_bytes << " bytes for " << kFew << ", " << many.trace_bytes << " for " << kMany;
  EXPECT_LT(many.trace_bytes, 4096);

  // The count is all there: every acquisition of both classes, the one dependency.
  const Analysis a = AnalyzeJson(many.trace);
  EXPECT_EQ(a.exit_code, 0) << a.stderr_text;
  EXPECT_THAT(a.report["findings"], IsEmpty());
  EXPECT_EQ(a.report["summary"]["dependencies"], 1);
  for (const std::string name : {"A", "B"}) {
    const auto stats = StatsOf(a.report, name);
    ASSERT_TRUE(stats.is_object()) << name;
    EXPECT_EQ(stats["acquisitions"], kMany / 2) << name;
  }
}

}  // namespace

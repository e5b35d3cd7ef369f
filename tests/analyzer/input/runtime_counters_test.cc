// The runtime's drop counters become warnings: per counter, in the model read from a trace.
#include "analyzer/input/runtime_counters.h"

#include <string>
#include <utility>
#include <vector>

#include "analyzer/model/model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"

namespace {

using ::lockgraph::analyzer::Model;
using ::lockgraph::analyzer::RuntimeCounterWarnings;
using ::lockgraph::testing::TraceBuilder;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RuntimeCounterWarnings, OneWarningPerNonzeroDropNamingTraceCountAndCounter) {
  const std::vector<std::pair<std::string, uint64_t>> counters = {
      {"held_overflows", 3},   {"dropped_events", 0},        {"cache_evictions", 900},
      {"long_waits", 2},       {"class_overflows", 5},       {"online_dropped_dependencies", 7},
      {"some_future_counter", 1}};
  EXPECT_THAT(
      RuntimeCounterWarnings("t.lgtrace", counters),
      ElementsAre(AllOf(HasSubstr("t.lgtrace: 3 acquisitions"), HasSubstr("64 locks"),
                        HasSubstr("(held_overflows)")),
                  AllOf(HasSubstr("t.lgtrace: 5 lock classes"), HasSubstr("(class_overflows)")),
                  AllOf(HasSubstr("t.lgtrace: 7 dependencies"),
                        HasSubstr("(online_dropped_dependencies)"))));
}

TEST(RuntimeCounterWarnings, NothingDroppedNothingSaid) {
  EXPECT_THAT(RuntimeCounterWarnings("t.lgtrace", {}), IsEmpty());
  EXPECT_THAT(RuntimeCounterWarnings("t.lgtrace", {{"held_overflows", 0},
                                                   {"cache_evictions", 12}}),
              IsEmpty());
}

// A trace's counters are cumulative: only its last runtime-statistics record counts.
TEST(RuntimeCounterWarnings, ModelWarnsOnceFromTheLastStatisticsRecord) {
  TraceBuilder t;
  t.Thread(1, "main");
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(1, 0, {1}, 2);
  for (uint64_t dropped : {2, 9}) {
    lockgraph::format::RuntimeStatsRecord stats;
    stats.counters = {{t.String("dropped_events"), dropped}, {t.String("held_overflows"), 0}};
    t.Add(stats);
  }
  Model model;
  ASSERT_TRUE(model.AddTraceBytes("run.lgtrace", t.bytes()).ok());
  EXPECT_THAT(model.warnings(),
              ElementsAre(AllOf(HasSubstr("run.lgtrace: 9 full-mode events were dropped"),
                                HasSubstr("(dropped_events)"))));
}

}  // namespace

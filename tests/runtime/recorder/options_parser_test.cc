// ParseOptions: "key=value:key=value", each bad item named once and skipped.
#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockgraph/options.h"

namespace {

using ::lockgraph::Mode;
using ::lockgraph::OnCycle;
using ::lockgraph::OnDeadlock;
using ::lockgraph::OnMisuse;
using ::lockgraph::Options;
using ::lockgraph::ParseOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Options Parse(const std::string& text, std::vector<std::string>& errors) {
  Options options;
  ParseOptions(text, options, errors);
  return options;
}

TEST(ParseOptions, ReadsEveryKey) {
  std::vector<std::string> errors;
  const Options o = Parse(
      "trace=/tmp/t.%p.lgtrace:mode=full:on_cycle=abort:on_misuse=abort:long_wait=250ms:"
      "stack_depth=12:quiet=1:hold_sample=4:symbolizer=none:on_deadlock=report:"
      "deadlock_check=200ms",
      errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(o.trace, "/tmp/t.%p.lgtrace");
  EXPECT_EQ(o.mode, Mode::kFull);
  EXPECT_EQ(o.on_cycle, OnCycle::kAbort);
  EXPECT_EQ(o.on_misuse, OnMisuse::kAbort);
  EXPECT_EQ(o.long_wait, std::chrono::milliseconds(250));
  EXPECT_EQ(o.stack_depth, 12);
  EXPECT_TRUE(o.quiet);
  EXPECT_EQ(o.hold_sample, 4);
  EXPECT_EQ(o.symbolizer, "none");
  EXPECT_EQ(o.on_deadlock, OnDeadlock::kReport);
  EXPECT_EQ(o.deadlock_check, std::chrono::milliseconds(200));
}

TEST(ParseOptions, EmptyTextKeepsTheDefaults) {
  std::vector<std::string> errors;
  const Options o = Parse("", errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(o.trace, "lockgraph.%p.lgtrace");
  EXPECT_EQ(o.on_cycle, OnCycle::kReport);
  EXPECT_EQ(o.long_wait, std::chrono::milliseconds(100));
  EXPECT_EQ(o.stack_depth, 32);
  // A deadlock that happens ends the program after a second, so CI does not hang.
  EXPECT_EQ(o.on_deadlock, OnDeadlock::kExit);
  EXPECT_EQ(o.deadlock_check, std::chrono::seconds(1));
}

TEST(ParseOptions, EmptyTraceMeansNoTrace) {
  std::vector<std::string> errors;
  EXPECT_EQ(Parse("trace=", errors).trace, "");
  EXPECT_THAT(errors, IsEmpty());
}

TEST(ParseOptions, ToleratesSpacesAndEmptyItems) {
  std::vector<std::string> errors;
  const Options o = Parse(" on_cycle = ignore ::quiet=yes: ", errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(o.on_cycle, OnCycle::kIgnore);
  EXPECT_TRUE(o.quiet);
}

TEST(ParseOptions, UnknownKeyIsNamedAndTheRestStillApplies) {
  std::vector<std::string> errors;
  const Options o = Parse("colour=blue:on_cycle=abort", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("unknown option 'colour'"));
  EXPECT_THAT(errors[0], HasSubstr("known: trace, mode, on_cycle"));
  EXPECT_EQ(o.on_cycle, OnCycle::kAbort);
}

TEST(ParseOptions, BadValuesAreNamedAndLeaveTheDefault) {
  std::vector<std::string> errors;
  const Options o = Parse(
      "on_cycle=sometimes:mode=fast:long_wait=soon:stack_depth=0:quiet=maybe:hold_sample=-3",
      errors);
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("bad value 'sometimes' for on_cycle (expected report, abort or ignore)"),
                          HasSubstr("bad value 'fast' for mode"),
                          HasSubstr("bad value 'soon' for long_wait"),
                          HasSubstr("bad value '0' for stack_depth (expected an integer from 1 to 64)"),
                          HasSubstr("bad value 'maybe' for quiet"),
                          HasSubstr("bad value '-3' for hold_sample")));
  const Options defaults;
  EXPECT_EQ(o.on_cycle, defaults.on_cycle);
  EXPECT_EQ(o.mode, defaults.mode);
  EXPECT_EQ(o.long_wait, defaults.long_wait);
  EXPECT_EQ(o.stack_depth, defaults.stack_depth);
  EXPECT_EQ(o.quiet, defaults.quiet);
  EXPECT_EQ(o.hold_sample, defaults.hold_sample);
}

TEST(ParseOptions, DeadlockOptions) {
  std::vector<std::string> errors;
  EXPECT_EQ(Parse("on_deadlock=abort", errors).on_deadlock, OnDeadlock::kAbort);
  EXPECT_EQ(Parse("on_deadlock=exit", errors).on_deadlock, OnDeadlock::kExit);
  EXPECT_EQ(Parse("deadlock_check=0", errors).deadlock_check, std::chrono::nanoseconds(0));
  EXPECT_THAT(errors, IsEmpty());
  const Options o = Parse("on_deadlock=hang:deadlock_check=-1s", errors);
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("bad value 'hang' for on_deadlock (expected exit, abort or "
                                    "report)"),
                          HasSubstr("bad value '-1s' for deadlock_check")));
  EXPECT_EQ(o.on_deadlock, OnDeadlock::kExit);
  EXPECT_EQ(o.deadlock_check, std::chrono::seconds(1));
}

TEST(ParseOptions, ItemWithoutEqualsIsNamed) {
  std::vector<std::string> errors;
  Parse("quiet", errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("'quiet' is not key=value")));
}

TEST(ParseOptions, DurationsInAbseilFormat) {
  std::vector<std::string> errors;
  EXPECT_EQ(Parse("long_wait=0", errors).long_wait, std::chrono::nanoseconds(0));
  EXPECT_EQ(Parse("long_wait=1.5s", errors).long_wait, std::chrono::milliseconds(1500));
  EXPECT_EQ(Parse("long_wait=20us", errors).long_wait, std::chrono::microseconds(20));
  EXPECT_THAT(errors, IsEmpty());
  Parse("long_wait=-5ms", errors);
  Parse("long_wait=inf", errors);
  EXPECT_EQ(errors.size(), 2u);
}

}  // namespace

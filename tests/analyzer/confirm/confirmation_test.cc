// lockgraph confirm's verdict: which steered-run deadlock confirms which prediction.
#include "analyzer/confirm/confirmation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::IsConfirmable;
using ::lockgraph::analyzer::MarkConfirmed;
using ::lockgraph::analyzer::MarkNotReproduced;
using ::lockgraph::analyzer::MatchingObservedDeadlock;
using ::lockgraph::analyzer::Report;

Finding Cycle(FindingKind kind, std::vector<std::string> classes, bool observed = false) {
  Finding f;
  f.kind = kind;
  f.observed = observed;
  for (const std::string& c : classes) f.locks.push_back(FindingLock{c, c, c + ".cc:1"});
  for (size_t i = 0; i < classes.size(); ++i) {
    f.edges.push_back({});
    f.edges.back().from = i;
    f.edges.back().to = (i + 1) % classes.size();
  }
  return f;
}

TEST(Confirmation, OnlyUnsuppressedCyclesAreTried) {
  EXPECT_TRUE(IsConfirmable(Cycle(FindingKind::kDeadlock, {"a", "b"})));
  EXPECT_TRUE(IsConfirmable(Cycle(FindingKind::kPotential, {"a"})));
  Finding suppressed = Cycle(FindingKind::kDeadlock, {"a", "b"});
  suppressed.suppressed = true;
  EXPECT_FALSE(IsConfirmable(suppressed));
  Finding wait;
  wait.kind = FindingKind::kLongWait;
  EXPECT_FALSE(IsConfirmable(wait));
}

TEST(Confirmation, AnObservedDeadlockOnTheSameClassesConfirms) {
  const Finding predicted = Cycle(FindingKind::kDeadlock, {"a", "b"});
  Report steered;
  steered.findings.push_back(Cycle(FindingKind::kDeadlock, {"a", "b"}));  // predicted only
  steered.findings.push_back(Cycle(FindingKind::kDeadlock, {"a", "c"}, true));
  EXPECT_EQ(MatchingObservedDeadlock(predicted, steered), nullptr);
  steered.findings.push_back(Cycle(FindingKind::kDeadlock, {"b", "a"}, true));
  EXPECT_EQ(MatchingObservedDeadlock(predicted, steered), &steered.findings[2]);
}

TEST(Confirmation, AClassLevelCycleIsConfirmedByTwoInstancesOfItsClass) {
  // transfer(a, b) and transfer(b, a): one class, one edge; the hang has two instances.
  const Finding predicted = Cycle(FindingKind::kPotential, {"account"});
  Report steered;
  steered.findings.push_back(Cycle(FindingKind::kDeadlock, {"account", "account"}, true));
  EXPECT_EQ(MatchingObservedDeadlock(predicted, steered), &steered.findings[0]);
}

TEST(Confirmation, MarksCarryTheHangOrTheTries) {
  Finding f = Cycle(FindingKind::kDeadlock, {"a", "b"});
  const Finding hang = Cycle(FindingKind::kDeadlock, {"a", "b"}, true);
  MarkConfirmed(f, hang, 2);
  EXPECT_TRUE(f.confirmation.tried);
  EXPECT_TRUE(f.confirmation.confirmed);
  EXPECT_EQ(f.confirmation.tries, 2);
  EXPECT_EQ(f.confirmation.hang.size(), 2u);
  MarkNotReproduced(f, 3);
  EXPECT_TRUE(f.confirmation.tried);
  EXPECT_FALSE(f.confirmation.confirmed);
  EXPECT_EQ(f.confirmation.tries, 3);
  EXPECT_TRUE(f.confirmation.hang.empty());
}

}  // namespace

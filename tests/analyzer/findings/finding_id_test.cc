// Finding ids: stable, independent of the order of their tokens, different per kind.
#include "analyzer/findings/finding_id.h"

#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::MakeFindingId;

TEST(FindingId, IsTheSameWhicheverLockTheCycleStartsFrom) {
  EXPECT_EQ(MakeFindingId(FindingKind::kDeadlock, {"accounts", "audit"}),
            MakeFindingId(FindingKind::kDeadlock, {"audit", "accounts"}));
}

TEST(FindingId, DiffersByKindAndTokens) {
  const std::string deadlock = MakeFindingId(FindingKind::kDeadlock, {"a", "b"});
  EXPECT_NE(deadlock, MakeFindingId(FindingKind::kPotential, {"a", "b"}));
  EXPECT_NE(deadlock, MakeFindingId(FindingKind::kDeadlock, {"a", "c"}));
  // Token boundaries count: {"ab"} is not {"a", "b"}.
  EXPECT_NE(deadlock, MakeFindingId(FindingKind::kDeadlock, {"ab"}));
}

TEST(FindingId, IsAFixedFunctionOfItsInput) {
  // Baselines and SARIF fingerprints of earlier runs hold ids: the hash must never change.
  // (FNV-1a 64 of "deadlock", "|", "a", "|", "b", computed apart from this code.)
  EXPECT_EQ(MakeFindingId(FindingKind::kDeadlock, {"a", "b"}), "LG-7c2dadf45c9d9c81");
}

}  // namespace

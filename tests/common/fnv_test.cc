// FNV-1a 64: the published test vectors, and continuing a hash.
#include "common/fnv.h"

#include "gtest/gtest.h"

namespace {

using ::lockgraph::Fnv1a64;

TEST(Fnv1a64, MatchesThePublishedTestVectors) {
  // From the FNV reference (Fowler, Noll, Vo; draft-eastlake-fnv).
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(Fnv1a64, ContinuingAHashIsHashingTheConcatenation) {
  EXPECT_EQ(Fnv1a64("bar", Fnv1a64("foo")), Fnv1a64("foobar"));
  static_assert(Fnv1a64("a") == 0xaf63dc4c8601ec8cull, "usable in constant expressions");
}

}  // namespace

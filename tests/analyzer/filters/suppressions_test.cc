#include "analyzer/filters/suppressions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::lockgraph::SourceFrame;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingEdge;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::Suppressions;
using ::testing::HasSubstr;

Finding CycleFinding() {
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.locks = {FindingLock{"legacy_cache", "Lock \"legacy_cache\"", "/src/cache.cc:10", {}},
             FindingLock{"accounts", "Lock \"accounts\"", "/src/bank.cc:3", {}}};
  FindingEdge edge;
  edge.acquire.frames = {SourceFrame{"Cache::Refill()", "/src/cache.cc", 40, 0, ""}};
  f.edges = {edge};
  return f;
}

Suppressions Parse(const std::string& text) {
  auto parsed = Suppressions::Parse(text, "s.txt");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : Suppressions();
}

TEST(Suppressions, MatchByClassFunctionAndFileGlobs) {
  EXPECT_TRUE(Parse("class:legacy_*").Matches(CycleFinding()));
  EXPECT_TRUE(Parse("function:Cache::*").Matches(CycleFinding()));
  EXPECT_TRUE(Parse("file:*/cache.cc").Matches(CycleFinding()));
  EXPECT_TRUE(Parse("file:/src/bank.cc").Matches(CycleFinding()));  // a lock's site
  EXPECT_FALSE(Parse("class:other*").Matches(CycleFinding()));
  EXPECT_FALSE(Parse("function:Bank::*").Matches(CycleFinding()));
}

TEST(Suppressions, KindLimitsARule) {
  EXPECT_TRUE(Parse("deadlock class:accounts").Matches(CycleFinding()));
  EXPECT_FALSE(Parse("long-wait class:accounts").Matches(CycleFinding()));
}

TEST(Suppressions, CommentsAndBlankLinesAreIgnored) {
  const Suppressions s = Parse("# legacy code\n\n   class:legacy_cache   # until the rewrite\n");
  EXPECT_EQ(s.size(), 1u);
  EXPECT_TRUE(s.Matches(CycleFinding()));
}

TEST(Suppressions, MalformedLinesAreErrorsNamingTheLine) {
  auto bad_type = Suppressions::Parse("class:a\nthread:worker\n", "s.txt");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_THAT(bad_type.status().message(), HasSubstr("s.txt:2: unknown rule type 'thread'"));
  auto bad_kind = Suppressions::Parse("livelock class:a\n", "s.txt");
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_THAT(bad_kind.status().message(), HasSubstr("s.txt:1: unknown finding kind 'livelock'"));
  auto no_glob = Suppressions::Parse("class:\n", "s.txt");
  ASSERT_FALSE(no_glob.ok());
  EXPECT_THAT(no_glob.status().message(), HasSubstr("s.txt:1: expected '[KIND] TYPE:GLOB'"));
}

TEST(Suppressions, MissingFileIsAnError) {
  auto missing = Suppressions::ReadFile("/nonexistent/suppressions.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/suppressions.txt"));
}

}  // namespace

// `lockgraph analyze` of several files parses the next file on a thread of its own while it
// files the one before (analyzer/input/trace_prefetcher.h), and reads a large file itself,
// streaming. These tests run the CLI on files that take each path and check that the report
// and the errors are those of the files read in turn.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/analyzer/trace_builder.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::EdgeThreads;
using ::lockgraph::testing::Kinds;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::TraceBuilder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
namespace format = ::lockgraph::format;

// Process `pid`, whose thread `name` takes a lock of class `first`, then one of `second`.
TraceBuilder Order(uint64_t pid, const std::string& name, const std::string& first,
                   const std::string& second) {
  TraceBuilder t(pid);
  t.Thread(1, "main");
  t.Thread(2, name, 1, 0);
  t.Lock(1, first);
  t.Lock(2, second);
  t.Dependency(2, 0, {1}, 2);
  return t;
}

// The second file, larger than the 4 MiB parsed ahead, is read by the CLI itself, between the
// first and third, which were parsed ahead.
TEST(ParsedAhead, ALargeFileAmongSmallOnesIsReadInItsTurn) {
  TempDir dir;
  Order(100, "forward", "a", "b").WriteTo(dir.path(), "1.lgtrace");
  TraceBuilder large = Order(200, "backward", "b", "a");
  for (uint64_t id = 1000; id < 1010; ++id) {
    large.Add(format::StringRecord{.id = id, .text = std::string(1 << 20, 'x')});
  }
  const std::string large_path = large.WriteTo(dir.path(), "2.lgtrace");
  ASSERT_GT(lockgraph::testing::ReadFile(large_path).size(), 9u << 20);
  Order(300, "other", "c", "d").WriteTo(dir.path(), "3.lgtrace");

  const ProcessResult run = RunLockgraph(
      {"analyze", "--format=json", "--symbolizer=none", "--fail-on=potential", dir.path()});
  ASSERT_EQ(run.exit_code, 1) << run.stderr_text;
  const nlohmann::json report = nlohmann::json::parse(run.stdout_text);
  EXPECT_EQ(report["summary"]["traces"], 3);
  EXPECT_EQ(report["summary"]["dependencies"], 3);
  ASSERT_THAT(Kinds(report), ElementsAre("potential"));
  EXPECT_THAT(EdgeThreads(report["findings"][0]),
              UnorderedElementsAre(HasSubstr("\"forward\" (pid 100)"),
                                   HasSubstr("\"backward\" (pid 200)")));
}

// A corrupt file after good ones is an error that names it, as when each file is read in turn;
// the files after it are not read.
TEST(ParsedAhead, ACorruptLaterFileIsAnErrorNamingIt) {
  TempDir dir;
  Order(100, "forward", "a", "b").WriteTo(dir.path(), "1.lgtrace");
  TraceBuilder corrupt = Order(200, "backward", "b", "a");
  // A dependency on lock 42, which the trace does not define.
  corrupt.Add(format::DependencyRecord{.id = 9, .tid = 2, .acquired = 42, .held = {}});
  corrupt.WriteTo(dir.path(), "2.lgtrace");
  Order(300, "other", "c", "d").WriteTo(dir.path(), "3.lgtrace");

  const ProcessResult run =
      RunLockgraph({"analyze", "--format=json", "--symbolizer=none", dir.path()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.stderr_text, HasSubstr("2.lgtrace: byte "));
  EXPECT_THAT(run.stderr_text, HasSubstr("(dependency)"));
  EXPECT_EQ(run.stdout_text, "");
}

}  // namespace

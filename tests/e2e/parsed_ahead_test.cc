// `lockgraph analyze` parses trace files on a thread of its own while it files what was parsed
// before (analyzer/input/trace_prefetcher.h): a small file whole, the next while the one before
// is filed; a large one in pieces, the next while the one before is filed. These tests run the
// CLI on files that take each path and check that the report and the errors are those of the
// files read in turn.
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
using ::lockgraph::testing::LockClasses;
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

// 1 MiB of strings, which puts what follows in another piece of the file.
void Pad(TraceBuilder& t, uint64_t id) {
  t.Add(format::StringRecord{.id = id, .text = std::string(1 << 20, 'x')});
}

// The second file, of ten pieces, comes between the first and third, which come whole. Its
// locks are defined in a piece after its first (the filing thread keeps its own copy of the
// definitions of a file in pieces, which the parsing thread is still adding to).
TEST(ParsedAhead, ALargeFileAmongSmallOnesIsReadInPiecesInItsTurn) {
  TempDir dir;
  Order(100, "forward", "a", "b").WriteTo(dir.path(), "1.lgtrace");
  TraceBuilder large(200);
  for (uint64_t id = 1000; id < 1010; ++id) Pad(large, id);
  large.Thread(1, "main");
  large.Thread(2, "backward", 1, 0);
  large.Lock(1, "b");
  large.Lock(2, "a");
  large.Dependency(2, 0, {1}, 2);
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

// One file whose three orders of a deadlock lie in three pieces, each with the definition of
// its thread, and the second with that of a lock.
TEST(ParsedAhead, ADeadlockAcrossThePiecesOfOneFile) {
  TempDir dir;
  TraceBuilder t(400);
  t.Thread(1, "main");
  t.Thread(2, "forward", 1, 0);
  t.Lock(1, "a");
  t.Lock(2, "b");
  t.Dependency(2, 0, {1}, 2);
  for (uint64_t id = 1000; id < 1003; ++id) Pad(t, id);
  t.Thread(3, "middle", 1, 0);
  t.Lock(3, "c");
  t.Dependency(3, 0, {2}, 3);
  for (uint64_t id = 2000; id < 2003; ++id) Pad(t, id);
  t.Thread(4, "backward", 1, 0);
  t.Dependency(4, 0, {3}, 1);
  t.WriteTo(dir.path(), "one.lgtrace");

  const ProcessResult run = RunLockgraph(
      {"analyze", "--format=json", "--symbolizer=none", "--fail-on=deadlock", dir.path()});
  ASSERT_EQ(run.exit_code, 1) << run.stderr_text;
  const nlohmann::json report = nlohmann::json::parse(run.stdout_text);
  EXPECT_EQ(report["summary"]["traces"], 1);
  EXPECT_EQ(report["summary"]["dependencies"], 3);
  EXPECT_EQ(report["summary"]["locks"], 3);
  ASSERT_THAT(Kinds(report), ElementsAre("deadlock"));
  EXPECT_THAT(EdgeThreads(report["findings"][0]),
              UnorderedElementsAre(HasSubstr("\"forward\" (pid 400)"),
                                   HasSubstr("\"middle\" (pid 400)"),
                                   HasSubstr("\"backward\" (pid 400)")));
  EXPECT_THAT(LockClasses(report["findings"][0]), UnorderedElementsAre("a", "b", "c"));
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

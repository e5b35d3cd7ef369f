// fork() with threads running: each process writes a trace of its own, the child's names its
// parent, and neither is stopped by the runtime.
#include <map>

#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::testing::DependencyCount;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;

TEST(Fork, ParentAndChildEachWriteAValidTrace) {
  TempDir dir;
  const ProcessResult run = RunWithOptions(std::string(LOCKGRAPH_FORK_PROGRAM),
                                           absl::StrCat("trace=", dir.path(), "/t.%p.lgtrace"));
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stdout_text, HasSubstr("child "));
  EXPECT_THAT(run.stdout_text, HasSubstr("parent done, child exit 0"));
  EXPECT_EQ(run.stderr_text, "");

  const std::vector<std::string> files = dir.Files(".lgtrace");
  ASSERT_EQ(files.size(), 2u);
  std::map<uint64_t, Trace> by_pid;
  for (const std::string& file : files) {
    auto trace = ReadTraceFile(file);
    ASSERT_TRUE(trace.ok()) << trace.status();
    EXPECT_TRUE(trace->warnings.empty()) << trace->warnings[0];
    by_pid[trace->process.pid] = *std::move(trace);
  }
  const Trace* parent = nullptr;
  const Trace* child = nullptr;
  for (const auto& [pid, trace] : by_pid) {
    (trace.process.parent_tid != 0 ? child : parent) = &trace;
  }
  ASSERT_NE(parent, nullptr);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->process.ppid, parent->process.pid);
  EXPECT_EQ(child->process.parent_tid, 1u);  // the main thread forked
  EXPECT_EQ(DependencyCount(*parent), 1);        // a -> b before the fork
  EXPECT_EQ(DependencyCount(*child), 1);         // a -> b in the child, defined in its own file
}

}  // namespace

// fork() while other threads are inside the recorder (tests/e2e/fork_test.cc covers one fork
// with a thread holding a lock): 50 forks under load, with the lockgraph wrappers and, for an
// unmodified std::mutex program, under the preload. Every child must exit (a child deadlocked
// by the runtime hangs the test into its timeout) and every trace, the parent's and the 50
// children's, must read without a warning.
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::analyzer::Trace;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using json = ::nlohmann::json;

constexpr int kForks = 50;

int Dependencies(const Trace& trace) {
  int count = 0;
  for (const auto& r : trace.records) {
    count += std::holds_alternative<lockgraph::format::DependencyRecord>(r.record);
  }
  return count;
}

// One parent trace and kForks children's, each valid; every child made its a -> b.
void ExpectParentAndChildren(const TempDir& dir) {
  const std::vector<std::string> files = dir.Files(".lgtrace");
  ASSERT_THAT(files, SizeIs(kForks + 1));
  std::map<uint64_t, Trace> by_pid;
  for (const std::string& file : files) {
    auto trace = ReadTraceFile(file);
    ASSERT_TRUE(trace.ok()) << trace.status();
    EXPECT_THAT(trace->warnings, IsEmpty()) << file;
    by_pid[trace->process.pid] = *std::move(trace);
  }
  std::vector<const Trace*> children;
  const Trace* parent = nullptr;
  for (const auto& [pid, trace] : by_pid) {
    if (trace.process.parent_tid != 0) {
      children.push_back(&trace);
    } else {
      EXPECT_EQ(parent, nullptr) << "two traces of no forked child";
      parent = &trace;
    }
  }
  ASSERT_NE(parent, nullptr);
  ASSERT_THAT(children, SizeIs(kForks));
  for (const Trace* child : children) {
    EXPECT_EQ(child->process.ppid, parent->process.pid);
    EXPECT_GE(Dependencies(*child), 1) << "pid " << child->process.pid;
  }
  std::cout << "parent trace: " << Dependencies(*parent) << " dependencies\n";
}

TEST(ForkUnderLoad, FiftyForksWhileThreadsAreInTheRecorder) {
  TempDir dir;
  const ProcessResult run = RunProcess(
      {FaultProgram("fork_storm")},
      {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", dir.path(), "/t.%p.lgtrace:quiet=1")});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "forks 50, children exited 0: 50\n");
  EXPECT_EQ(run.stderr_text, "");
  ExpectParentAndChildren(dir);
  const auto a = AnalyzeJson({dir.path()});
  EXPECT_EQ(a.exit_code, 0) << a.stderr_text;
  EXPECT_THAT(a.report["findings"], IsEmpty());
  EXPECT_THAT(a.report["warnings"], IsEmpty());
  EXPECT_EQ(a.report["summary"].value("traces", -1), kForks + 1);
}

TEST(PreloadFaultFork, FiftyForksOfAStdMutexProgramUnderLoad) {
  TempDir dir;
  TempDir out;
  const std::string report = out.path() + "/report.json";
  const ProcessResult run = RunProcess(
      {LockgraphCommand(), "run", "--format=json", "-o", report, "--trace-dir", dir.path(), "--",
       FaultProgram("fork_storm_plain")},
      {"LOCKGRAPH_OPTIONS=quiet=1"});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "forks 50, children exited 0: 50\n");
  ExpectParentAndChildren(dir);
  const json r = json::parse(ReadFile(report), nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(r.is_object()) << run.stderr_text;
  EXPECT_THAT(r["findings"], IsEmpty());
  EXPECT_THAT(r["warnings"], IsEmpty());
  EXPECT_EQ(r["summary"].value("traces", -1), kForks + 1);
}

}  // namespace

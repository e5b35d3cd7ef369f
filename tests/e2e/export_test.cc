// `lockgraph export --chrome` on real traces: a full-mode run of a program whose lock hand-off
// is contended every time (programs/lock_handoff.cc) becomes a timeline with the threads,
// their holds and waits, and the arrow from the releasing thread to the waiter. Bad input and
// bad output paths are one clear line and exit code 2, never a crash.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"
#include "tests/support/chrome_trace_checks.h"

namespace {

using ::lockgraph::testing::BoundSlice;
using ::lockgraph::testing::EventsOf;
using ::lockgraph::testing::ExamplePath;
using ::lockgraph::testing::Nanos;
using ::lockgraph::testing::NestingErrors;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::ThreadId;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using json = nlohmann::json;

// The slices named `name` on thread `tid`.
std::vector<json> Slices(const json& trace, int64_t tid, const std::string& name) {
  std::vector<json> slices;
  for (const json& e : EventsOf(trace, "X", name)) {
    if (e.at("tid") == tid) slices.push_back(e);
  }
  return slices;
}

bool Contains(const json& outer, const json& inner) {
  return Nanos(outer["ts"]) < Nanos(inner["ts"]) &&
         Nanos(inner["ts"]) + Nanos(inner["dur"]) <= Nanos(outer["ts"]) + Nanos(outer["dur"]);
}

TEST(ExportCommand, TimelineShowsTheHandOffOfAContendedLock) {
  TempDir dir;
  const std::string trace = dir.path() + "/handoff.lgtrace";
  const ProcessResult run =
      RunWithOptions(LOCKGRAPH_HANDOFF_PROGRAM, "mode=full:quiet=1:trace=" + trace);
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string output = dir.path() + "/timeline.json";
  const ProcessResult exported = RunLockgraph({"export", "--chrome", trace, "-o", output});
  ASSERT_EQ(exported.exit_code, 0) << exported.stderr_text;
  EXPECT_THAT(exported.stderr_text, HasSubstr(" 1 hand-off, "));
  const json timeline = json::parse(ReadFile(output));

  // Tracks: the process and its three threads, by the names the trace gives.
  const std::vector<json> process = EventsOf(timeline, "M", "process_name");
  ASSERT_THAT(process, SizeIs(1));
  EXPECT_EQ(process[0]["args"]["name"], "lock_handoff");
  const int64_t pid = process[0]["pid"];
  const int64_t main = ThreadId(timeline, "main");
  const int64_t holder = ThreadId(timeline, "holder");
  const int64_t waiter = ThreadId(timeline, "waiter");
  ASSERT_GT(main, 0);
  ASSERT_GT(holder, 0);
  ASSERT_GT(waiter, 0);
  EXPECT_NE(holder, waiter);
  EXPECT_NE(holder, main);
  for (const json& e : timeline["traceEvents"]) EXPECT_EQ(e["pid"], pid) << e;

  // Slices: every one well formed and nested on its track; holds named after their locks.
  EXPECT_THAT(NestingErrors(timeline), IsEmpty());
  for (const json& slice : EventsOf(timeline, "X")) {
    EXPECT_GE(Nanos(slice["dur"]), 0) << slice;
    EXPECT_TRUE(slice["tid"] == main || slice["tid"] == holder || slice["tid"] == waiter) << slice;
  }
  const std::vector<json> held = Slices(timeline, holder, "hold ledger");
  const std::vector<json> held_audit = Slices(timeline, holder, "hold audit");
  const std::vector<json> taken = Slices(timeline, waiter, "hold ledger");
  const std::vector<json> taken_audit = Slices(timeline, waiter, "hold audit");
  const std::vector<json> waited = Slices(timeline, waiter, "wait ledger");
  ASSERT_THAT(held, SizeIs(1));
  ASSERT_THAT(held_audit, SizeIs(1));
  ASSERT_THAT(taken, SizeIs(1));
  ASSERT_THAT(taken_audit, SizeIs(1));
  ASSERT_THAT(waited, SizeIs(1));
  EXPECT_TRUE(Contains(held[0], held_audit[0]));
  EXPECT_TRUE(Contains(taken[0], taken_audit[0]));
  EXPECT_EQ(held[0]["args"]["seq"], 1);
  EXPECT_EQ(taken[0]["args"]["seq"], 2);
  EXPECT_EQ(waited[0]["args"]["kind"], "Lock");
  EXPECT_GT(waited[0]["args"]["waited_ns"].get<int64_t>(), 0);
  EXPECT_LT(Nanos(waited[0]["ts"]), Nanos(taken[0]["ts"]));  // the wait ends in the acquisition
  EXPECT_THAT(Slices(timeline, holder, "wait ledger"), IsEmpty());

  // The arrow: from the holder's hold of ledger to the waiter's, one id at both ends.
  const std::vector<json> starts = EventsOf(timeline, "s", "hand-off");
  const std::vector<json> ends = EventsOf(timeline, "f", "hand-off");
  ASSERT_THAT(starts, SizeIs(1));
  ASSERT_THAT(ends, SizeIs(1));
  EXPECT_EQ(starts[0]["id"], ends[0]["id"]);
  EXPECT_EQ(starts[0]["cat"], ends[0]["cat"]);
  EXPECT_EQ(starts[0]["tid"], holder);
  EXPECT_EQ(ends[0]["tid"], waiter);
  EXPECT_EQ(ends[0]["bp"], "e");
  const json* from = BoundSlice(timeline, starts[0]);
  const json* to = BoundSlice(timeline, ends[0]);
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  EXPECT_EQ(*from, held[0]);
  EXPECT_EQ(*to, taken[0]);

  // The main thread started and joined both.
  EXPECT_THAT(EventsOf(timeline, "i", "spawn holder"), SizeIs(1));
  EXPECT_THAT(EventsOf(timeline, "i", "join waiter"), SizeIs(1));
}

TEST(ExportCommand, DepsTraceGivesThreadsAndSaysToRecordFullMode) {
  TempDir dir;
  const std::string trace = dir.path() + "/abba.lgtrace";
  ASSERT_EQ(RunWithOptions(ExamplePath("abba"), "quiet=1:trace=" + trace).exit_code, 0);
  const std::string output = dir.path() + "/timeline.json";
  const ProcessResult exported = RunLockgraph({"export", "--chrome", trace, "-o", output});
  ASSERT_EQ(exported.exit_code, 0) << exported.stderr_text;
  EXPECT_THAT(exported.stderr_text, HasSubstr("lockgraph: warning: " + trace));
  EXPECT_THAT(exported.stderr_text, HasSubstr("mode=full"));
  const json timeline = json::parse(ReadFile(output));
  EXPECT_GT(ThreadId(timeline, "rotator"), 0);
  EXPECT_GT(ThreadId(timeline, "depositor"), 0);
  EXPECT_THAT(EventsOf(timeline, "X"), IsEmpty());
}

TEST(ExportCommand, MissingTraceIsNamed) {
  TempDir dir;
  const std::string output = dir.path() + "/timeline.json";
  const ProcessResult exported =
      RunLockgraph({"export", "--chrome", "/nonexistent/t.lgtrace", "-o", output});
  EXPECT_EQ(exported.exit_code, 2);
  EXPECT_EQ(exported.stderr_text, "lockgraph: /nonexistent/t.lgtrace: no such file or directory\n");
  EXPECT_THAT(dir.Files(), IsEmpty());
}

TEST(ExportCommand, CorruptTraceIsNamedAndNothingIsWritten) {
  TempDir dir;
  const std::string trace = dir.path() + "/handoff.lgtrace";
  ASSERT_EQ(RunWithOptions(LOCKGRAPH_HANDOFF_PROGRAM, "mode=full:quiet=1:trace=" + trace)
                .exit_code,
            0);
  // The header, then a string record that claims 256 MiB: corrupt, not merely cut short.
  const std::string bytes = ReadFile(trace).substr(0, 16) + "\x02\xff\xff\xff\x7f";
  const std::string bad = dir.path() + "/bad.lgtrace";
  { std::ofstream(bad, std::ios::binary) << bytes; }
  const std::string output = dir.path() + "/timeline.json";
  const ProcessResult exported = RunLockgraph({"export", "--chrome", trace, bad, "-o", output});
  EXPECT_EQ(exported.exit_code, 2);
  EXPECT_THAT(exported.stderr_text, HasSubstr("lockgraph: " + bad + ": byte 16: "));
  EXPECT_THAT(dir.Files(".json"), IsEmpty());
}

TEST(ExportCommand, OutputIsRequired) {
  const ProcessResult exported = RunLockgraph({"export", "--chrome", "t.lgtrace"});
  EXPECT_EQ(exported.exit_code, 2);
  EXPECT_THAT(exported.stderr_text, HasSubstr("--output"));
}

TEST(ExportCommand, FormatIsRequired) {
  const ProcessResult exported = RunLockgraph({"export", "t.lgtrace", "-o", "out.json"});
  EXPECT_EQ(exported.exit_code, 2);
  EXPECT_THAT(exported.stderr_text, HasSubstr("--chrome"));
}

TEST(ExportCommand, UnwritableOutputIsNamed) {
  TempDir dir;
  const std::string trace = dir.path() + "/abba.lgtrace";
  ASSERT_EQ(RunWithOptions(ExamplePath("abba"), "quiet=1:mode=full:trace=" + trace).exit_code, 0);
  const ProcessResult exported =
      RunLockgraph({"export", "--chrome", trace, "-o", "/nonexistent/dir/timeline.json"});
  EXPECT_EQ(exported.exit_code, 2);
  EXPECT_THAT(exported.stderr_text,
              HasSubstr("lockgraph: /nonexistent/dir/timeline.json: cannot write the timeline"));
}

}  // namespace

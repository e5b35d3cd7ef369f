// A trace that cannot be written — /dev/full, a small filesystem that fills up — costs the
// program nothing: one warning line on stderr, the same stdout and exit code as a run
// without a trace. The part written before the disk filled is still read to its last whole
// record, and what it holds is reported.
//
// A small filesystem: a 64 KiB tmpfs mounted in a private mount namespace (`unshare -m`,
// needs CAP_SYS_ADMIN; skipped without it), and always RLIMIT_FSIZE = 64 KiB set before exec
// (programs/with_file_limit.cc), a disk that fills at the same byte in every run.
#include <sys/stat.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::ExpectCycleThenDeadlock;
using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int kDiskBytes = 64 * 1024;

// The run to compare against: the same program, recording nothing.
ProcessResult Untraced(const std::string& fault) {
  return RunProcess({FaultProgram("cycle_then"), fault}, {"LOCKGRAPH_OPTIONS=trace=:quiet=1"});
}

std::string Options(const std::string& trace) {
  // quiet: the online cycle report would be a second line on stderr.
  return absl::StrCat("LOCKGRAPH_OPTIONS=trace=", trace, ":quiet=1");
}

// The traced run behaves as the untraced one, apart from one warning line.
void ExpectUnharmed(const ProcessResult& traced, const ProcessResult& untraced,
                    const std::string& trace, const std::string& error) {
  EXPECT_EQ(untraced.stderr_text, "");
  EXPECT_EQ(traced.stdout_text, untraced.stdout_text);
  EXPECT_EQ(traced.exit_code, untraced.exit_code);
  EXPECT_EQ(traced.signal, 0);
  EXPECT_EQ(traced.stderr_text,
            absl::StrCat("lockgraph: writing trace file ", trace, " failed: ", error,
                         "; running on without a trace\n"));
}

// The trace cut at `kDiskBytes` is read to its last whole record, with a warning, and the
// cycle recorded before the cut is reported.
void ExpectCutTraceReadAndReported(const std::string& trace) {
  struct stat st;
  ASSERT_EQ(stat(trace.c_str(), &st), 0) << trace;
  EXPECT_EQ(st.st_size, kDiskBytes) << "the disk is full to the last byte";
  auto read = ReadTraceFile(trace);
  ASSERT_TRUE(read.ok()) << read.status();
  // Record sizes vary with their time stamps: now and then (about one run in twenty) the
  // disk fills exactly at the end of a record, and there is nothing to warn about.
  ASSERT_THAT(read->warnings, SizeIs(::testing::Le(1u)));
  const std::string warning = read->warnings.empty() ? "" : read->warnings[0];
  if (!warning.empty()) {
    EXPECT_THAT(warning, HasSubstr("cut short"));
  }
  std::cout << "partial trace: " << st.st_size << " bytes, " << read->records.size()
            << " whole records read; "
            << (warning.empty() ? "the disk filled at a record's end" : warning) << "\n";

  const auto a = AnalyzeJson({trace});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  ExpectCycleThenDeadlock(a.report);
  ASSERT_THAT(a.report["warnings"], SizeIs(read->warnings.size())) << a.report["warnings"].dump();
  if (!warning.empty()) {
    EXPECT_THAT(a.report["warnings"][0].get<std::string>(), HasSubstr("cut short"));
  }
}

TEST(FullDisk, DevFullCostsOneWarningLine) {
  for (const std::string fault : {"exit", "flood"}) {
    const ProcessResult traced =
        RunProcess({FaultProgram("cycle_then"), fault}, {Options("/dev/full")});
    ExpectUnharmed(traced, Untraced(fault), "/dev/full", "No space left on device");
  }
}

TEST(FullDisk, FileSizeLimitCutsTheTraceWhichIsStillRead) {
  TempDir dir;
  const std::string trace = dir.path() + "/t.lgtrace";
  const ProcessResult traced =
      RunProcess({FaultProgram("with_file_limit"), absl::StrCat(kDiskBytes),
                  FaultProgram("cycle_then"), "flood"},
                 {Options(trace)});
  ExpectUnharmed(traced, Untraced("flood"), trace, "File too large");
  ExpectCutTraceReadAndReported(trace);
}

TEST(FullDisk, SmallTmpfsFillsAndTheTraceIsStillRead) {
  TempDir dir;
  const std::string mount_point = dir.path() + "/disk";
  ASSERT_EQ(mkdir(mount_point.c_str(), 0755), 0);
  const std::string mount =
      absl::StrCat("mount -t tmpfs -o size=", kDiskBytes, " lockgraph-faults ", mount_point);
  const ProcessResult probe = RunProcess({"/usr/bin/unshare", "-m", "/bin/sh", "-c", mount});
  if (probe.exit_code != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN): " << probe.stderr_text;
  }
  // The mount lives as long as the namespace: the trace is copied out before it ends.
  const std::string trace = mount_point + "/t.lgtrace";
  const std::string copy = dir.path() + "/t.lgtrace";
  const ProcessResult traced = RunProcess(
      {"/usr/bin/unshare", "-m", "/bin/sh", "-c",
       absl::StrCat(mount, " && \"$0\" flood; status=$?; cp ", trace, " ", copy,
                    "; exit $status"),
       FaultProgram("cycle_then")},
      {Options(trace)});
  ExpectUnharmed(traced, Untraced("flood"), trace, "No space left on device");
  ExpectCutTraceReadAndReported(copy);
}

}  // namespace

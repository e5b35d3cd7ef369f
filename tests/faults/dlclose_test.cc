// dlclose() of a library that made lockgraph locks: the runtime kept copies of the class
// and instance sites (their strings were in the library), so the program runs on, takes a
// library-made lock first after the unload, closes a cycle with it and exits normally; the
// analyzer symbolizes the frames in the unloaded library from the recorded module map.
#include "absl/strings/str_cat.h"
#include "analyzer/input/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_support.h"

namespace {

using ::lockgraph::analyzer::ReadTraceFile;
using ::lockgraph::testing::AnalyzeJson;
using ::lockgraph::testing::FaultProgram;
using ::lockgraph::testing::FaultSite;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::TempDir;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using json = ::nlohmann::json;

TEST(Dlclose, LocksOfAnUnloadedLibraryAreRecordedAndSymbolized) {
  TempDir dir;
  const std::string trace = dir.path() + "/t.lgtrace";
  const ProcessResult run =
      RunProcess({FaultProgram("dlclose_locks"), FaultProgram("lock_library.so")},
                 {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", trace, ":quiet=1")});
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.stdout_text, "done\n");
  EXPECT_EQ(run.stderr_text, "");
  auto read = ReadTraceFile(trace);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->warnings, IsEmpty());

  const auto a = AnalyzeJson({trace});
  EXPECT_EQ(a.exit_code, 1) << a.stderr_text;
  EXPECT_THAT(a.report["warnings"], IsEmpty());
  ASSERT_THAT(a.report["findings"], SizeIs(1)) << a.report.dump(2);
  const json& f = a.report["findings"][0];
  EXPECT_EQ(f["kind"], "deadlock");
  // The library-made lock's class is its site in the library, recorded while it was loaded.
  const std::string library_site = FaultSite("lock_library", "// lock: library site");
  std::vector<std::string> locks;
  for (const json& lock : f["locks"]) locks.push_back(lock["site"]);
  EXPECT_THAT(locks, UnorderedElementsAre(library_site,
                                          FaultSite("dlclose_locks", "// lock: program")));
  std::vector<std::string> edges;
  for (const json& e : f["edges"]) {
    edges.push_back(absl::StrCat("held at ", e["held_site"].get<std::string>(), " taken at ",
                                 e["acquire_site"].get<std::string>()));
    if (e["thread"].get<std::string>().find("\"library\"") != std::string::npos) {
      // The frame in the unloaded library, symbolized from its module record.
      ASSERT_THAT(e["stack"], Not(IsEmpty()));
      EXPECT_EQ(e["stack"][0],
                absl::StrCat("TakeInLibrary ",
                             FaultSite("lock_library", "// edge: survivor -> program")));
    }
  }
  EXPECT_THAT(edges,
              UnorderedElementsAre(
                  absl::StrCat("held at ", FaultSite("lock_library", "// held: survivor (library)"),
                               " taken at ",
                               FaultSite("lock_library", "// edge: survivor -> program")),
                  absl::StrCat("held at ", FaultSite("dlclose_locks", "// held: program (program)"),
                               " taken at ",
                               FaultSite("dlclose_locks", "// edge: program -> survivor"))));
}

}  // namespace

#include "analyzer/input/trace_paths.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::analyzer::ExpandTracePaths;
using ::lockgraph::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TracePaths, DirectoriesAreSearchedRecursivelyForTraces) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/run2/sub");
  for (const char* name : {"/b.lgtrace", "/a.lgtrace", "/notes.txt", "/run2/sub/c.lgtrace"}) {
    std::ofstream(dir.path() + name) << "x";
  }
  auto files = ExpandTracePaths({dir.path()});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(dir.path() + "/a.lgtrace", dir.path() + "/b.lgtrace",
                                  dir.path() + "/run2/sub/c.lgtrace"));
}

TEST(TracePaths, FilesAreKeptAsGiven) {
  TempDir dir;
  std::ofstream(dir.path() + "/x.trace") << "x";
  auto files = ExpandTracePaths({dir.path() + "/x.trace"});
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ElementsAre(dir.path() + "/x.trace"));
}

TEST(TracePaths, MissingPathOrEmptyDirectoryIsAnError) {
  TempDir dir;
  auto missing = ExpandTracePaths({dir.path() + "/nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("nope: no such file or directory"));
  auto empty = ExpandTracePaths({dir.path()});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("no trace files (*.lgtrace)"));
}

}  // namespace

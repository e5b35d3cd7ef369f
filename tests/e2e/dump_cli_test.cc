// `lockgraph dump` on good and bad input: bad input gets one clear line naming the file and
// the place, exit code 2, never a crash; a trace cut short is read up to its last record.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::CountLines;
using ::lockgraph::testing::ExamplePath;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string MakeTrace(const TempDir& dir) {
  const ProcessResult run =
      RunWithOptions(ExamplePath("abba"), absl::StrCat("quiet=1:trace=", dir.path(), "/abba.lgtrace"));
  EXPECT_EQ(run.exit_code, 0);
  return dir.path() + "/abba.lgtrace";
}

// The number of record lines ("@offset type ...") of a dump.
int RecordLines(const std::string& dump) {
  int count = 0;
  for (size_t at = 0; (at = dump.find("\n@", at)) != std::string::npos; ++at) ++count;
  return count;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(DumpCommand, PrintsEveryRecordOfATrace) {
  TempDir dir;
  const std::string trace = MakeTrace(dir);
  const ProcessResult dump = RunLockgraph({"dump", trace});
  ASSERT_EQ(dump.exit_code, 0) << dump.stderr_text;
  EXPECT_THAT(dump.stdout_text, StartsWith("# lockgraph trace " + trace + ": version 1, "));
  EXPECT_EQ(CountLines(dump.stdout_text, " process pid="), 1);
  EXPECT_EQ(CountLines(dump.stdout_text, " thread-start tid="), 3);
  EXPECT_EQ(CountLines(dump.stdout_text, " dependency #"), 2);
  EXPECT_EQ(CountLines(dump.stdout_text, " thread-join "), 2);
  EXPECT_EQ(CountLines(dump.stdout_text, " runtime-stats "), 1);
}

TEST(DumpCommand, MissingArgumentIsAUsageError) {
  const ProcessResult dump = RunLockgraph({"dump"});
  EXPECT_EQ(dump.exit_code, 2);
  EXPECT_THAT(dump.stderr_text, HasSubstr("TRACE"));
}

TEST(DumpCommand, UnknownSubcommandIsAUsageError) {
  const ProcessResult run = RunLockgraph({"frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
}

TEST(DumpCommand, MissingFileIsNamed) {
  const ProcessResult dump = RunLockgraph({"dump", "/nonexistent/trace.lgtrace"});
  EXPECT_EQ(dump.exit_code, 2);
  EXPECT_EQ(dump.stderr_text,
            "lockgraph: /nonexistent/trace.lgtrace: cannot open: No such file or directory\n");
}

TEST(DumpCommand, DirectoryIsNotATrace) {
  TempDir dir;
  const ProcessResult dump = RunLockgraph({"dump", dir.path()});
  EXPECT_EQ(dump.exit_code, 2);
  EXPECT_THAT(dump.stderr_text, HasSubstr("is a directory"));
}

TEST(DumpCommand, OtherFileIsNotATrace) {
  TempDir dir;
  WriteFile(dir.path() + "/notes.txt", "hello, this is not a trace at all\n");
  const ProcessResult dump = RunLockgraph({"dump", dir.path() + "/notes.txt"});
  EXPECT_EQ(dump.exit_code, 2);
  EXPECT_THAT(dump.stderr_text, HasSubstr("notes.txt: not a lockgraph trace"));
}

TEST(DumpCommand, NewerVersionIsRefusedByName) {
  TempDir dir;
  std::string bytes = ReadFile(MakeTrace(dir));
  bytes[8] = 9;  // version 9
  WriteFile(dir.path() + "/v9.lgtrace", bytes);
  const ProcessResult dump = RunLockgraph({"dump", dir.path() + "/v9.lgtrace"});
  EXPECT_EQ(dump.exit_code, 2);
  EXPECT_THAT(dump.stderr_text, HasSubstr("trace format version 9 is not supported"));
}

TEST(DumpCommand, TraceCutShortIsReadUpToItsLastWholeRecord) {
  TempDir dir;
  const std::string bytes = ReadFile(MakeTrace(dir));
  const std::string whole = RunLockgraph({"dump", dir.path() + "/abba.lgtrace"}).stdout_text;
  WriteFile(dir.path() + "/cut.lgtrace", bytes.substr(0, bytes.size() - 3));
  const ProcessResult dump = RunLockgraph({"dump", dir.path() + "/cut.lgtrace"});
  EXPECT_EQ(dump.exit_code, 0);
  EXPECT_THAT(dump.stderr_text, HasSubstr("the file ends inside a record at byte"));
  EXPECT_EQ(CountLines(dump.stdout_text, " dependency #"), 2);  // written long before the end
  EXPECT_EQ(RecordLines(dump.stdout_text) + 1, RecordLines(whole));
}

TEST(DumpCommand, CorruptRecordIsAnErrorNamingItsByte) {
  TempDir dir;
  std::string bytes = ReadFile(MakeTrace(dir));
  // Find the first dependency record (type 11) and point its acquired lock at nothing.
  const std::string whole = RunLockgraph({"dump", dir.path() + "/abba.lgtrace"}).stdout_text;
  const size_t at = whole.find(" dependency #1 ");
  ASSERT_NE(at, std::string::npos);
  const size_t line_start = whole.rfind('@', at);
  const size_t offset = std::stoul(whole.substr(line_start + 1, at - line_start - 1));
  ASSERT_EQ(bytes[offset], 11);
  // payload: id, tid, segment, acquired: the acquired instance is the 4th varint (1 byte each)
  bytes[offset + 2 + 3] = 0x7f;
  WriteFile(dir.path() + "/bad.lgtrace", bytes);
  const ProcessResult dump = RunLockgraph({"dump", dir.path() + "/bad.lgtrace"});
  EXPECT_EQ(dump.exit_code, 2);
  EXPECT_THAT(dump.stderr_text,
              HasSubstr(absl::StrCat("bad.lgtrace: byte ", offset, ": record ")));
  EXPECT_THAT(dump.stderr_text, HasSubstr("(dependency): refers to undefined lock instance 127"));
}

}  // namespace

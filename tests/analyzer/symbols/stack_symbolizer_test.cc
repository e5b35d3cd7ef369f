// Tests of analyzer/symbols/stack_symbolizer.h that need no llvm-symbolizer: frames of a lines module
// (an imported trace) are file:line as recorded, and frames of an ELF module with no
// symbolizer are module+offset.
#include "analyzer/symbols/stack_symbolizer.h"

#include <string>
#include <vector>

#include "analyzer/input/trace_reader.h"
#include "common/trace_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/analyzer/trace_builder.h"

namespace lockgraph::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

// Stack 1: one frame at line 120 of a lines module "trace.std"; stack 2: one frame of an ELF
// module "/bin/prog"; stack 3: a line past the 32 bits a source line has.
Trace TwoModules() {
  testing::TraceBuilder t;
  t.Add(format::ModuleRecord{1, t.String("trace.std"), 0,
                             std::string(format::kLinesModuleBuildId)});
  t.Add(format::ModuleRecord{2, t.String("/bin/prog"), 0x1000, "\x01\x02"});
  t.Add(format::StackRecord{1, {{1, 120}}});
  t.Add(format::StackRecord{2, {{2, 0x1234}}});
  t.Add(format::StackRecord{3, {{1, uint64_t{1} << 33}}});
  absl::StatusOr<Trace> trace = ParseTrace(t.bytes(), "t.lgtrace");
  EXPECT_TRUE(trace.ok()) << trace.status();
  return trace.ok() ? *std::move(trace) : Trace();
}

std::vector<std::string> Formatted(const std::vector<SourceFrame>& frames) {
  std::vector<std::string> out;
  for (const SourceFrame& f : frames) out.push_back(FormatFrame(f));
  return out;
}

TEST(StackSymbolizer, LinesModuleFramesAreFileAndLine) {
  const Trace trace = TwoModules();
  StackSymbolizer symbolizer({&trace}, std::nullopt);
  symbolizer.Prefetch({StackRef{0, 1}, StackRef{0, 2}});
  const std::vector<SourceFrame> frames = symbolizer.Frames({0, 1});
  ASSERT_THAT(frames, SizeIs(1));
  EXPECT_EQ(frames[0].file, "trace.std");
  EXPECT_EQ(frames[0].line, 120u);
  EXPECT_TRUE(frames[0].function.empty());
  EXPECT_EQ(FrameSite(frames[0]), "trace.std:120");
  EXPECT_TRUE(IsUserFrame(frames[0]));
  // An ELF module without a symbolizer stays module+offset.
  EXPECT_THAT(Formatted(symbolizer.Frames({0, 2})), ElementsAre("?? (/bin/prog+0x1234)"));
}

TEST(StackSymbolizer, LinesModuleFrameNotPrefetchedIsResolvedOnItsOwn) {
  const Trace trace = TwoModules();
  StackSymbolizer symbolizer({&trace}, std::nullopt);
  EXPECT_THAT(Formatted(symbolizer.Frames({0, 1})), ElementsAre("trace.std:120"));
}

TEST(StackSymbolizer, LinesModuleOffsetPastALineNumberIsNotTruncated) {
  const Trace trace = TwoModules();
  StackSymbolizer symbolizer({&trace}, std::nullopt);
  EXPECT_THAT(Formatted(symbolizer.Frames({0, 3})), ElementsAre("?? (trace.std+0x200000000)"));
}

}  // namespace
}  // namespace lockgraph::analyzer

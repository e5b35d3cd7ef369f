// Tests of common/llvm_symbolizer.h: parsing llvm-symbolizer's output, and one real run of
// the installed llvm-symbolizer on this test binary.
#include "common/llvm_symbolizer.h"

#include <link.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "common/source_frame.h"
#include "gtest/gtest.h"

// The function the real test symbolizes: out of line, with external linkage so that its
// name is plain. Defined at a known line.
constexpr int kProbeLine = __LINE__ + 1;
__attribute__((noinline)) int LlvmSymbolizerTestProbe(int x) {
  asm volatile("" : "+r"(x));
  return x * 3 + 1;
}
__attribute__((noinline)) int LlvmSymbolizerOtherProbe(int x) {
  asm volatile("" : "+r"(x));
  return x * 5 - 2;
}

namespace {

using lockgraph::LlvmSymbolizer;
using lockgraph::ParseSymbolizerOutput;
using lockgraph::SourceFrame;
using lockgraph::SymbolizedAddress;

void ExpectFrame(const SourceFrame& frame, const std::string& function, const std::string& file,
                 uint32_t line, uint32_t column) {
  EXPECT_EQ(frame.function, function);
  EXPECT_EQ(frame.file, file);
  EXPECT_EQ(frame.line, line);
  EXPECT_EQ(frame.column, column);
}

TEST(LlvmSymbolizer, ParsesOneFramePerAddress) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r = ParseSymbolizerOutput(
      "main\n/src/main.cc:12:5\n\ntransfer(Account&, Account&)\n/src/bank.cc:42:7\n\n", 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  ASSERT_EQ((*r)[0].size(), 1u);
  ExpectFrame((*r)[0][0], "main", "/src/main.cc", 12, 5);
  ASSERT_EQ((*r)[1].size(), 1u);
  ExpectFrame((*r)[1][0], "transfer(Account&, Account&)", "/src/bank.cc", 42, 7);
}

TEST(LlvmSymbolizer, ParsesInlinedFramesInnermostFirst) {
  const char* output =
      "std::mutex::lock()\n/usr/include/c++/12/bits/std_mutex.h:100:17\n"
      "std::lock_guard<std::mutex>::lock_guard(std::mutex&)\n"
      "/usr/include/c++/12/bits/std_mutex.h:229:19\n"
      "transfer(Account&, Account&)\n/src/bank.cc:42:7\n"
      "\n"
      "worker()\n/src/bank.cc:60:3\n"
      "\n";
  absl::StatusOr<std::vector<SymbolizedAddress>> r = ParseSymbolizerOutput(output, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  ASSERT_EQ((*r)[0].size(), 3u);
  ExpectFrame((*r)[0][0], "std::mutex::lock()", "/usr/include/c++/12/bits/std_mutex.h", 100, 17);
  ExpectFrame((*r)[0][1], "std::lock_guard<std::mutex>::lock_guard(std::mutex&)",
              "/usr/include/c++/12/bits/std_mutex.h", 229, 19);
  ExpectFrame((*r)[0][2], "transfer(Account&, Account&)", "/src/bank.cc", 42, 7);
  ASSERT_EQ((*r)[1].size(), 1u);
  ExpectFrame((*r)[1][0], "worker()", "/src/bank.cc", 60, 3);
}

TEST(LlvmSymbolizer, UnknownAddressHasNoFile) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      ParseSymbolizerOutput("??\n??:0:0\n\nmain\n/src/m.cc:3:1\n\n", 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  ASSERT_EQ((*r)[0].size(), 1u);
  ExpectFrame((*r)[0][0], "??", "", 0, 0);
  ExpectFrame((*r)[1][0], "main", "/src/m.cc", 3, 1);
}

TEST(LlvmSymbolizer, FunctionWithoutLineInfoHasNoFile) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      ParseSymbolizerOutput("pthread_mutex_lock\n??:0:0\n\n", 1);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFrame((*r)[0][0], "pthread_mutex_lock", "", 0, 0);
}

TEST(LlvmSymbolizer, LineZeroMeansNoLocation) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      ParseSymbolizerOutput("f()\n/src/a.cc:0:0\n\ng()\n/src/g.cc:notanumber:1\n\n", 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFrame((*r)[0][0], "f()", "", 0, 0);
  ExpectFrame((*r)[1][0], "g()", "", 0, 0);
}

TEST(LlvmSymbolizer, FileNamesMayContainColons) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r = ParseSymbolizerOutput(
      "f()\n/src/a:b/c.cc:12:4\n\ng()\nC:/work:x/y.cc:7:0\n\n", 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFrame((*r)[0][0], "f()", "/src/a:b/c.cc", 12, 4);
  ExpectFrame((*r)[1][0], "g()", "C:/work:x/y.cc", 7, 0);
}

TEST(LlvmSymbolizer, OutputWithoutTrailingBlankLineIsAccepted) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      ParseSymbolizerOutput("main\n/src/m.cc:3:1\n", 1);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  ExpectFrame((*r)[0][0], "main", "/src/m.cc", 3, 1);
}

TEST(LlvmSymbolizer, WrongAddressCountIsAnError) {
  const char* two = "main\n/src/m.cc:3:1\n\nf\n/src/f.cc:1:1\n\n";
  absl::StatusOr<std::vector<SymbolizedAddress>> r = ParseSymbolizerOutput(two, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "expected 3")) << r.status();
  EXPECT_FALSE(ParseSymbolizerOutput(two, 1).ok());
  EXPECT_FALSE(ParseSymbolizerOutput("", 1).ok());
  absl::StatusOr<std::vector<SymbolizedAddress>> none = ParseSymbolizerOutput("", 0);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST(LlvmSymbolizer, FunctionWithoutLocationIsAnError) {
  absl::StatusOr<std::vector<SymbolizedAddress>> r = ParseSymbolizerOutput("main\n\n", 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "without a location")) << r.status();
  EXPECT_FALSE(ParseSymbolizerOutput("main", 1).ok());
}

TEST(LlvmSymbolizer, FindHonoursNoneAndExplicitPaths) {
  EXPECT_FALSE(LlvmSymbolizer::Find("none").has_value());
  EXPECT_FALSE(LlvmSymbolizer::Find("/nonexistent/llvm-symbolizer").has_value());
  if (access("/usr/bin/llvm-symbolizer", X_OK) == 0) {
    auto explicit_path = LlvmSymbolizer::Find("/usr/bin/llvm-symbolizer");
    ASSERT_TRUE(explicit_path.has_value());
    EXPECT_EQ(explicit_path->binary(), "/usr/bin/llvm-symbolizer");
  }
}

struct ModuleOf {
  uintptr_t address = 0;
  uintptr_t load_bias = 0;
  std::string name;
  bool found = false;
};

// Finds the loaded object (and its load bias) whose PT_LOAD segments contain an address.
int FindModule(dl_phdr_info* info, size_t, void* data) {
  auto* module = static_cast<ModuleOf*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (module->address >= start && module->address < start + ph.p_memsz) {
      module->load_bias = info->dlpi_addr;
      module->name = info->dlpi_name != nullptr ? info->dlpi_name : "";
      module->found = true;
      return 1;
    }
  }
  return 0;
}

TEST(LlvmSymbolizer, SymbolizesAFunctionOfThisBinary) {
  std::optional<LlvmSymbolizer> symbolizer = LlvmSymbolizer::Find("");
  if (!symbolizer.has_value()) GTEST_SKIP() << "no llvm-symbolizer installed";
  EXPECT_TRUE(absl::StrContains(symbolizer->binary(), "llvm-symbolizer")) << symbolizer->binary();
  EXPECT_EQ(access(symbolizer->binary().c_str(), X_OK), 0);

  ASSERT_EQ(LlvmSymbolizerTestProbe(2), 7);  // keep it referenced
  ModuleOf module;
  module.address = reinterpret_cast<uintptr_t>(&LlvmSymbolizerTestProbe);
  dl_iterate_phdr(FindModule, &module);
  ASSERT_TRUE(module.found);
  ASSERT_TRUE(module.name.empty()) << "the probe should be in the executable, not "
                                   << module.name;
  char exe[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  ASSERT_GT(n, 0);
  const std::string exe_path(exe, static_cast<size_t>(n));

  const uint64_t address = module.address - module.load_bias;
  const uint64_t other =
      reinterpret_cast<uintptr_t>(&LlvmSymbolizerOtherProbe) - module.load_bias;
  ASSERT_EQ(LlvmSymbolizerOtherProbe(2), 8);
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      symbolizer->Symbolize(exe_path, {address, other, address});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  ASSERT_FALSE((*r)[0].empty());
  const SourceFrame& frame = (*r)[0].back();  // outermost: the function itself
  EXPECT_EQ(frame.function, "LlvmSymbolizerTestProbe(int)");
  EXPECT_TRUE(absl::EndsWith(frame.file, "tests/common/llvm_symbolizer_test.cc")) << frame.file;
  EXPECT_GE(frame.line, static_cast<uint32_t>(kProbeLine));
  EXPECT_LE(frame.line, static_cast<uint32_t>(kProbeLine + 3));
  // Results come back in the order of the addresses.
  ASSERT_FALSE((*r)[1].empty());
  EXPECT_EQ((*r)[1].back().function, "LlvmSymbolizerOtherProbe(int)");
  EXPECT_TRUE(absl::EndsWith((*r)[1].back().file, "llvm_symbolizer_test.cc"));
  EXPECT_GT((*r)[1].back().line, frame.line);
  ASSERT_FALSE((*r)[2].empty());
  EXPECT_EQ((*r)[2].back().function, "LlvmSymbolizerTestProbe(int)");
}

TEST(LlvmSymbolizer, UnreadableModuleGivesUnknownFrames) {
  std::optional<LlvmSymbolizer> symbolizer = LlvmSymbolizer::Find("");
  if (!symbolizer.has_value()) GTEST_SKIP() << "no llvm-symbolizer installed";
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      symbolizer->Symbolize("/nonexistent/module.so", {uint64_t{0x1234}, uint64_t{0x5678}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  for (const SymbolizedAddress& frames : *r) {
    ASSERT_EQ(frames.size(), 1u);
    ExpectFrame(frames[0], "??", "", 0, 0);
  }
}

TEST(LlvmSymbolizer, SymbolizeOfNoAddressesRunsNothing) {
  LlvmSymbolizer symbolizer("/nonexistent/llvm-symbolizer");
  absl::StatusOr<std::vector<SymbolizedAddress>> r = symbolizer.Symbolize("/proc/self/exe", {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
}

TEST(LlvmSymbolizer, MissingBinaryIsAnError) {
  LlvmSymbolizer symbolizer("/nonexistent/llvm-symbolizer");
  absl::StatusOr<std::vector<SymbolizedAddress>> r =
      symbolizer.Symbolize("/proc/self/exe", {uint64_t{0x1000}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "/nonexistent/llvm-symbolizer"))
      << r.status();
}

}  // namespace

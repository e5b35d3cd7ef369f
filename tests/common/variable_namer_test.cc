// The parsers behind VariableNamer: llvm-symbolizer's DATA answers and llvm-dwarfdump's
// entries. (The namer on real programs: tests/e2e/lock_names_test.cc.)
#include "common/variable_namer.h"

#include "common/llvm_symbolizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockgraph {
namespace {

using ::testing::SizeIs;

TEST(ParseDataOutput, NameStartAndSizePerAddress) {
  absl::StatusOr<std::vector<DataSymbol>> symbols =
      ParseDataOutput("g_accounts\n4211072 40\n\n??\n0 0\n\nmain::s_registry\n4211136 40\n"
                      "/src/x.cc:9\n\n",
                      3);
  ASSERT_TRUE(symbols.ok()) << symbols.status();
  ASSERT_THAT(*symbols, SizeIs(3));
  EXPECT_EQ((*symbols)[0].name, "g_accounts");
  EXPECT_EQ((*symbols)[0].start, 4211072u);
  EXPECT_EQ((*symbols)[0].size, 40u);
  EXPECT_EQ((*symbols)[1].name, "") << "no symbol there";
  EXPECT_EQ((*symbols)[2].name, "main::s_registry") << "a declaration line after is skipped";
}

TEST(ParseDataOutput, AMissingRangeOrCountIsDataLoss) {
  EXPECT_FALSE(ParseDataOutput("g_accounts\n\n", 1).ok());
  EXPECT_FALSE(ParseDataOutput("g_accounts\n4211072 40\n\n", 2).ok());
}

constexpr char kBankDump[] = R"(g:	file format elf64-x86-64

.debug_info contents:

0x00002357: DW_TAG_structure_type
              DW_AT_name	("Bank")
              DW_AT_byte_size	(0x58)

0x00002364:   DW_TAG_member
                DW_AT_name	("x")
                DW_AT_type	(0x000009f8 "int")
                DW_AT_data_member_location	(0x00)

0x0000236f:   DW_TAG_member
                DW_AT_name	("ledger")
                DW_AT_type	(0x000008ac "std::mutex")
                DW_AT_data_member_location	(0x08)

0x00002389:   DW_TAG_subprogram
                DW_AT_name	("Bank")

0x0000239b:     DW_TAG_formal_parameter
                  DW_AT_type	(0x00002357 "Bank *")
)";

TEST(ParseDwarfDump, EntriesWithTheirDepthAndAttributes) {
  const std::vector<DwarfEntry> entries = ParseDwarfDump(kBankDump);
  ASSERT_THAT(entries, SizeIs(5));
  EXPECT_EQ(entries[0].offset, 0x2357u);
  EXPECT_EQ(entries[0].tag, "DW_TAG_structure_type");
  EXPECT_EQ(entries[0].depth, 0);
  EXPECT_EQ(entries[0].attributes.at("DW_AT_byte_size"), "(0x58)");
  EXPECT_EQ(entries[2].tag, "DW_TAG_member");
  EXPECT_EQ(entries[2].depth, 1);
  EXPECT_EQ(entries[2].attributes.at("DW_AT_name"), "(\"ledger\")");
  EXPECT_EQ(entries[2].attributes.at("DW_AT_type"), "(0x000008ac \"std::mutex\")");
  EXPECT_EQ(entries[4].depth, 2) << "a parameter of a member function";
}

TEST(ParseDwarfDump, NothingToParseIsNoEntry) {
  EXPECT_THAT(ParseDwarfDump(""), SizeIs(0));
  EXPECT_THAT(ParseDwarfDump("g:\tfile format elf64-x86-64\n"), SizeIs(0));
}

TEST(VariableNamer, WithoutASymbolizerThereAreNoNames) {
  VariableNamer namer(std::nullopt);
  EXPECT_EQ(namer.Name("/bin/true", 0x4000).name, "");
}

}  // namespace
}  // namespace lockgraph

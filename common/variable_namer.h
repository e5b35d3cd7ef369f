// Names of locks in static storage, as the code spells them: the variable from the symbol
// table (llvm-symbolizer's DATA query), then the member or element inside it from the debug
// information (llvm-dwarfdump), so that a mutex at g_bank+8 reads `g_bank.ledger`. Without
// debug information it is `g_bank+0x8`; without a symbol, no name.
//
//   VariableNamer namer(LlvmSymbolizer::Find(""));
//   namer.Prefetch("/usr/bin/app", {0x4180, 0x4128});   // one batch per module
//   VariableName v = namer.Name("/usr/bin/app", 0x4128);  // {"g_bank.ledger", "bank.cc", 5}
//
// Addresses are ELF virtual addresses of the module (the object's address minus the load
// bias). Cost: one llvm-symbolizer and one llvm-dwarfdump run per module, plus one
// llvm-dwarfdump run per type walked through (each type once).
#ifndef LOCKGRAPH_COMMON_VARIABLE_NAMER_H_
#define LOCKGRAPH_COMMON_VARIABLE_NAMER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/llvm_symbolizer.h"

namespace lockgraph {

struct VariableName {
  std::string name;       // "g_bank.ledger", "g_locks[2]", "g_bank+0x8"; empty if unknown
  std::string decl_file;  // where the variable is declared, if the debug information says
  uint32_t decl_line = 0;
};

// One debugging information entry as llvm-dwarfdump prints it. Exposed for tests.
struct DwarfEntry {
  uint64_t offset = 0;
  std::string tag;  // "DW_TAG_variable"
  int depth = 0;    // 0 for the entry asked for, 1 for its children
  std::map<std::string, std::string, std::less<>> attributes;  // "DW_AT_name" -> "(\"g\")"
};

// Parses llvm-dwarfdump's output into its entries, in order. Exposed for tests.
std::vector<DwarfEntry> ParseDwarfDump(absl::string_view output);

class VariableNamer {
 public:
  // No symbolizer: no names. llvm-dwarfdump is looked for next to the symbolizer.
  explicit VariableNamer(std::optional<LlvmSymbolizer> symbolizer);

  void Prefetch(const std::string& module, absl::Span<const uint64_t> addresses);
  VariableName Name(const std::string& module, uint64_t address);

 private:
  struct TypeRef {
    uint64_t offset = 0;
    std::string name;  // as the referring attribute quotes it: "std::mutex[4]"
  };
  static TypeRef TypeOf(const DwarfEntry& entry);  // its DW_AT_type, {0, ""} if none
  // The variable entry (with its type) at `start`, from the module's batch of --name lookups.
  std::optional<DwarfEntry> VariableEntry(const std::string& module, uint64_t start);
  // The entry at `offset` with its children, each asked once.
  const std::vector<DwarfEntry>& Entry(const std::string& module, uint64_t offset);
  // Appends ".member" and "[index]" to `path` for `offset` bytes into an object of `type`.
  void Walk(const std::string& module, TypeRef type, uint64_t offset, std::string& path);
  uint64_t ByteSize(const std::string& module, TypeRef type);
  std::optional<std::string> DwarfDump(const std::vector<std::string>& args);

  std::optional<LlvmSymbolizer> symbolizer_;
  std::string dwarfdump_;  // empty: none
  absl::flat_hash_map<std::pair<std::string, uint64_t>, DataSymbol> symbols_;
  // Per module: the entries found by name for its variables.
  absl::flat_hash_map<std::string, std::vector<DwarfEntry>> variables_;
  // std::map: Entry() hands out references that must survive later insertions (a walk holds
  // a struct's entries while it asks for its members' types).
  std::map<std::pair<std::string, uint64_t>, std::vector<DwarfEntry>> entries_;
  int dumps_left_ = 256;  // bounds the runs on a huge binary
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_VARIABLE_NAMER_H_

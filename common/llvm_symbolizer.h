// Runs llvm-symbolizer (Debian's `llvm` package) to turn module offsets into function, file
// and line, inlined frames included. One process per call, so a batch per module is cheap.
//
//   auto symbolizer = LlvmSymbolizer::Find("");            // PATH, then /usr/lib/llvm-*/bin
//   auto frames = symbolizer->Symbolize("/usr/bin/prog", {0x1234, 0x5678});
//
// Addresses are ELF virtual addresses of the module (pc - load bias); for a return address,
// pass it minus one so that the call, not the next line, is named. The child gets the
// environment without LD_PRELOAD and LOCKGRAPH_OPTIONS, so it is never traced itself.
#ifndef LOCKGRAPH_COMMON_LLVM_SYMBOLIZER_H_
#define LOCKGRAPH_COMMON_LLVM_SYMBOLIZER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/source_frame.h"

namespace lockgraph {

// A global or static variable, as the symbol table knows it.
struct DataSymbol {
  std::string name;  // demangled: "g_accounts", "ns::inner", "main::local_static"
  uint64_t start = 0;
  uint64_t size = 0;
};

class LlvmSymbolizer {
 public:
  // `preferred`: a path to use, "none" for no symbolizer, or empty to search.
  static std::optional<LlvmSymbolizer> Find(absl::string_view preferred);

  explicit LlvmSymbolizer(std::string binary) : binary_(std::move(binary)) {}

  // result[i] describes addresses[i]. An address it cannot name gives one frame with
  // function "??" and no file.
  absl::StatusOr<std::vector<SymbolizedAddress>> Symbolize(
      const std::string& module_path, absl::Span<const uint64_t> addresses) const;

  // result[i] is the variable that holds addresses[i] (an object's address, not minus one):
  // its name from the symbol table, where it starts and its size. Empty name: none.
  absl::StatusOr<std::vector<DataSymbol>> SymbolizeData(const std::string& module_path,
                                                        absl::Span<const uint64_t> addresses) const;

  const std::string& binary() const { return binary_; }

 private:
  // Runs the symbolizer on `module_path` with `input` (one query per line); its stdout.
  absl::StatusOr<std::string> Run(const std::string& module_path, absl::string_view input) const;

  std::string binary_;
};

// Parses llvm-symbolizer's answers to DATA queries: per address "name", "start size", maybe
// more lines (newer versions add the declaration), then an empty line. Exposed for tests.
absl::StatusOr<std::vector<DataSymbol>> ParseDataOutput(absl::string_view output,
                                                       size_t expected);

// Parses llvm-symbolizer's default (LLVM style) output: per address, pairs of lines
// "function" and "file:line:column", then an empty line. Exposed for tests.
absl::StatusOr<std::vector<SymbolizedAddress>> ParseSymbolizerOutput(absl::string_view output,
                                                                      size_t expected);

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_LLVM_SYMBOLIZER_H_

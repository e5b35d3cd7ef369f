#include "common/llvm_symbolizer.h"

#include <stdlib.h>
#include <unistd.h>

#include "absl/strings/string_view.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/tool_process.h"

namespace lockgraph {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// "file:line:column" (the file may itself contain ':').
SourceFrame ParseLocation(std::string function, absl::string_view location) {
  SourceFrame frame;
  frame.function = std::move(function);
  std::vector<absl::string_view> parts = absl::StrSplit(location, ':');
  if (parts.size() >= 3) {
    uint32_t line = 0, column = 0;
    if (absl::SimpleAtoi(parts[parts.size() - 2], &line) &&
        absl::SimpleAtoi(parts.back(), &column)) {
      const size_t file_len = location.size() - parts[parts.size() - 2].size() -
                              parts.back().size() - 2;
      frame.file = std::string(location.substr(0, file_len));
      frame.line = line;
      frame.column = column;
    }
  }
  if (frame.file == "??" || frame.line == 0) {
    frame.file.clear();
    frame.line = frame.column = 0;
  }
  return frame;
}

}  // namespace

std::optional<LlvmSymbolizer> LlvmSymbolizer::Find(absl::string_view preferred) {
  if (preferred == "none") return std::nullopt;
  if (!preferred.empty()) {
    if (IsExecutable(std::string(preferred))) return LlvmSymbolizer(std::string(preferred));
    return std::nullopt;
  }
  if (const char* path = getenv("PATH"); path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      for (const char* name : {"llvm-symbolizer", "llvm-symbolizer-14", "llvm-symbolizer-15",
                               "llvm-symbolizer-16"}) {
        std::string candidate = absl::StrCat(dir, "/", name);
        if (IsExecutable(candidate)) return LlvmSymbolizer(std::move(candidate));
      }
    }
  }
  for (int version = 20; version >= 11; --version) {
    std::string candidate = absl::StrCat("/usr/lib/llvm-", version, "/bin/llvm-symbolizer");
    if (IsExecutable(candidate)) return LlvmSymbolizer(std::move(candidate));
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<SymbolizedAddress>> ParseSymbolizerOutput(absl::string_view output,
                                                                      size_t expected) {
  std::vector<SymbolizedAddress> result;
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  SymbolizedAddress current;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      if (!current.empty()) result.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (i + 1 >= lines.size() || lines[i + 1].empty()) {
      return absl::DataLossError(absl::StrCat("llvm-symbolizer output line ", i + 1,
                                              ": a function without a location"));
    }
    current.push_back(ParseLocation(std::string(lines[i]), lines[i + 1]));
    ++i;
  }
  if (!current.empty()) result.push_back(std::move(current));
  if (result.size() != expected) {
    return absl::DataLossError(absl::StrCat("llvm-symbolizer answered for ", result.size(),
                                            " addresses, expected ", expected));
  }
  return result;
}

absl::StatusOr<std::vector<DataSymbol>> ParseDataOutput(absl::string_view output,
                                                       size_t expected) {
  std::vector<DataSymbol> result;
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    DataSymbol symbol;
    if (lines[i] != "??") symbol.name = std::string(lines[i]);
    std::vector<absl::string_view> range =
        i + 1 < lines.size() ? absl::StrSplit(lines[i + 1], ' ') : std::vector<absl::string_view>();
    if (range.size() != 2 || !absl::SimpleAtoi(range[0], &symbol.start) ||
        !absl::SimpleAtoi(range[1], &symbol.size)) {
      return absl::DataLossError(absl::StrCat("llvm-symbolizer output line ", i + 2,
                                              ": expected \"start size\""));
    }
    if (symbol.size == 0) symbol.name.clear();
    result.push_back(std::move(symbol));
    for (i += 2; i < lines.size() && !lines[i].empty(); ++i) {
    }
  }
  if (result.size() != expected) {
    return absl::DataLossError(absl::StrCat("llvm-symbolizer answered for ", result.size(),
                                            " variables, expected ", expected));
  }
  return result;
}

absl::StatusOr<std::vector<SymbolizedAddress>> LlvmSymbolizer::Symbolize(
    const std::string& module_path, absl::Span<const uint64_t> addresses) const {
  if (addresses.empty()) return std::vector<SymbolizedAddress>();
  std::string text;
  for (uint64_t address : addresses) absl::StrAppendFormat(&text, "0x%x\n", address);
  absl::StatusOr<std::string> output = Run(module_path, text);
  if (!output.ok()) return output.status();
  return ParseSymbolizerOutput(*output, addresses.size());
}

absl::StatusOr<std::vector<DataSymbol>> LlvmSymbolizer::SymbolizeData(
    const std::string& module_path, absl::Span<const uint64_t> addresses) const {
  if (addresses.empty()) return std::vector<DataSymbol>();
  std::string text;
  for (uint64_t address : addresses) absl::StrAppendFormat(&text, "DATA 0x%x\n", address);
  absl::StatusOr<std::string> output = Run(module_path, text);
  if (!output.ok()) return output.status();
  return ParseDataOutput(*output, addresses.size());
}

absl::StatusOr<std::string> LlvmSymbolizer::Run(const std::string& module_path,
                                                absl::string_view text) const {
  return RunTool({binary_, absl::StrCat("--obj=", module_path), "--functions=linkage",
                  "--demangle", "--inlines"},
                 text);
}

}  // namespace lockgraph

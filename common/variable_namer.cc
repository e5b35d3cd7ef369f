#include "common/variable_namer.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/tool_process.h"

namespace lockgraph {
namespace {

constexpr int kMaxWalkDepth = 16;
constexpr uint64_t kSmallestLock = 32;  // sem_t; a pthread mutex is 40 bytes

// llvm-dwarfdump next to llvm-symbolizer, with the same version suffix.
std::string FindDwarfDump(const LlvmSymbolizer& symbolizer) {
  std::string path = symbolizer.binary();
  const size_t at = path.rfind("llvm-symbolizer");
  if (at == std::string::npos) return {};
  path.replace(at, std::string_view("llvm-symbolizer").size(), "llvm-dwarfdump");
  return access(path.c_str(), X_OK) == 0 ? path : std::string();
}

// "(0x00002357 \"Bank\")" -> {0x2357, "Bank"}; "(0x08)" -> {8, ""}; "(\"g\")" -> {0, "g"}.
std::pair<uint64_t, std::string> ParseValue(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (absl::ConsumePrefix(&value, "(")) absl::ConsumeSuffix(&value, ")");
  uint64_t number = 0;
  std::string text;
  if (const size_t quote = value.find('"'); quote != absl::string_view::npos) {
    const size_t end = value.rfind('"');
    if (end > quote) text = std::string(value.substr(quote + 1, end - quote - 1));
    value = absl::StripAsciiWhitespace(value.substr(0, quote));
  }
  if (absl::ConsumePrefix(&value, "0x")) {
    absl::SimpleHexAtoi(value, &number);
  } else {
    absl::SimpleAtoi(value, &number);
  }
  return {number, text};
}

uint64_t Number(const DwarfEntry& e, absl::string_view attribute, uint64_t otherwise = 0) {
  auto it = e.attributes.find(attribute);
  return it == e.attributes.end() ? otherwise : ParseValue(it->second).first;
}

std::string Text(const DwarfEntry& e, absl::string_view attribute) {
  auto it = e.attributes.find(attribute);
  return it == e.attributes.end() ? std::string() : ParseValue(it->second).second;
}

// The address of a DW_OP_addr location: "(DW_OP_addr 0x404120)".
std::optional<uint64_t> Address(const DwarfEntry& e) {
  auto it = e.attributes.find("DW_AT_location");
  if (it == e.attributes.end()) return std::nullopt;
  absl::string_view value = it->second;
  const size_t at = value.find("DW_OP_addr 0x");
  if (at == absl::string_view::npos) return std::nullopt;
  value.remove_prefix(at + std::string_view("DW_OP_addr 0x").size());
  value = value.substr(0, value.find_first_of(" )"));
  uint64_t address;
  if (!absl::SimpleHexAtoi(value, &address)) return std::nullopt;
  return address;
}

// Types of the C++ and C libraries: a lock, not a place to look further into.
bool IsLibraryType(absl::string_view name) {
  for (const char* prefix : {"std::", "__gnu_cxx::", "__", "pthread_", "sem_t", "lockgraph::"}) {
    if (absl::StartsWith(name, prefix)) return true;
  }
  return false;
}

// The last component of a qualified name: "main::local_static" -> "local_static".
std::string BaseName(absl::string_view name) {
  const size_t colons = name.rfind("::");
  return std::string(colons == absl::string_view::npos ? name : name.substr(colons + 2));
}

}  // namespace

std::vector<DwarfEntry> ParseDwarfDump(absl::string_view output) {
  std::vector<DwarfEntry> entries;
  int base_indent = -1;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "0x")) {
      // "0x00002364:   DW_TAG_member": the spaces after the colon say how deep.
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos) continue;
      DwarfEntry entry;
      if (!absl::SimpleHexAtoi(line.substr(2, colon - 2), &entry.offset)) continue;
      absl::string_view rest = line.substr(colon + 1);
      const size_t tag = rest.find_first_not_of(' ');
      if (tag == absl::string_view::npos) continue;
      entry.tag = std::string(absl::StripAsciiWhitespace(rest.substr(tag)));
      const int indent = static_cast<int>(tag);
      if (base_indent < 0 || indent < base_indent) base_indent = indent;
      entry.depth = (indent - base_indent) / 2;
      entries.push_back(std::move(entry));
      continue;
    }
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (entries.empty() || !absl::StartsWith(trimmed, "DW_AT_")) continue;
    const size_t space = trimmed.find_first_of(" \t");
    if (space == absl::string_view::npos) continue;
    entries.back().attributes.emplace(std::string(trimmed.substr(0, space)),
                                      std::string(absl::StripAsciiWhitespace(trimmed.substr(space))));
  }
  return entries;
}

VariableNamer::VariableNamer(std::optional<LlvmSymbolizer> symbolizer)
    : symbolizer_(std::move(symbolizer)) {
  if (symbolizer_) dwarfdump_ = FindDwarfDump(*symbolizer_);
}

std::optional<std::string> VariableNamer::DwarfDump(const std::vector<std::string>& args) {
  if (dwarfdump_.empty() || dumps_left_ <= 0) return std::nullopt;
  --dumps_left_;
  std::vector<std::string> command = {dwarfdump_};
  command.insert(command.end(), args.begin(), args.end());
  absl::StatusOr<std::string> output = RunTool(command, "");
  if (!output.ok()) return std::nullopt;
  return *std::move(output);
}

void VariableNamer::Prefetch(const std::string& module, absl::Span<const uint64_t> addresses) {
  if (!symbolizer_) return;
  std::vector<uint64_t> wanted;
  for (uint64_t address : addresses) {
    if (!symbols_.contains(std::make_pair(module, address))) wanted.push_back(address);
  }
  if (wanted.empty()) return;
  absl::StatusOr<std::vector<DataSymbol>> symbols = symbolizer_->SymbolizeData(module, wanted);
  std::vector<std::string> names;
  for (size_t i = 0; i < wanted.size(); ++i) {
    DataSymbol symbol = symbols.ok() ? (*symbols)[i] : DataSymbol{};
    if (!symbol.name.empty()) names.push_back(BaseName(symbol.name));
    symbols_[std::make_pair(module, wanted[i])] = std::move(symbol);
  }
  if (names.empty()) return;
  std::vector<std::string> args;
  for (const std::string& name : names) args.push_back(absl::StrCat("--name=", name));
  args.push_back(module);
  if (std::optional<std::string> output = DwarfDump(args)) {
    std::vector<DwarfEntry> found = ParseDwarfDump(*output);
    std::vector<DwarfEntry>& known = variables_[module];
    known.insert(known.end(), std::make_move_iterator(found.begin()),
                 std::make_move_iterator(found.end()));
  }
}

std::optional<DwarfEntry> VariableNamer::VariableEntry(const std::string& module,
                                                       uint64_t start) {
  auto it = variables_.find(module);
  if (it == variables_.end()) return std::nullopt;
  for (const DwarfEntry& e : it->second) {
    if (e.tag != "DW_TAG_variable" || Address(e) != start) continue;
    DwarfEntry entry = e;
    // A definition apart from its declaration (a namespace member, a static data member)
    // names its declaration, which has the type and the place.
    for (const char* link : {"DW_AT_specification", "DW_AT_abstract_origin"}) {
      if (entry.attributes.contains("DW_AT_type")) break;
      const uint64_t declaration = Number(entry, link);
      if (declaration == 0) continue;
      const std::vector<DwarfEntry>& decl = Entry(module, declaration);
      if (decl.empty()) continue;
      for (const auto& [key, value] : decl.front().attributes) entry.attributes.emplace(key, value);
    }
    return entry;
  }
  return std::nullopt;
}

const std::vector<DwarfEntry>& VariableNamer::Entry(const std::string& module, uint64_t offset) {
  auto [it, inserted] = entries_.try_emplace(std::make_pair(module, offset));
  if (inserted) {
    if (std::optional<std::string> output =
            DwarfDump({absl::StrFormat("--debug-info=0x%x", offset), "-c", module})) {
      it->second = ParseDwarfDump(*output);
    }
  }
  return it->second;
}

VariableNamer::TypeRef VariableNamer::TypeOf(const DwarfEntry& entry) {
  auto it = entry.attributes.find("DW_AT_type");
  auto [offset, name] =
      ParseValue(it == entry.attributes.end() ? absl::string_view() : it->second);
  return TypeRef{offset, std::move(name)};
}

uint64_t VariableNamer::ByteSize(const std::string& module, TypeRef type) {
  for (int depth = 0; depth < kMaxWalkDepth && type.offset != 0; ++depth) {
    const std::vector<DwarfEntry>& entries = Entry(module, type.offset);
    if (entries.empty()) return 0;
    const DwarfEntry& e = entries.front();
    if (const uint64_t size = Number(e, "DW_AT_byte_size"); size != 0) return size;
    type = TypeOf(e);  // a typedef or a qualifier: the size of what it names
  }
  return 0;
}

void VariableNamer::Walk(const std::string& module, TypeRef type, uint64_t offset,
                         std::string& path) {
  for (int depth = 0; depth < kMaxWalkDepth && type.offset != 0; ++depth) {
    // A lock's own type (std::mutex, lockgraph::Lock): the object is the lock; arrays of
    // them are looked into.
    if (IsLibraryType(type.name) && !absl::EndsWith(type.name, "]")) return;
    const std::vector<DwarfEntry>& entries = Entry(module, type.offset);
    if (entries.empty()) break;
    const DwarfEntry& e = entries.front();
    if (e.tag == "DW_TAG_typedef" || e.tag == "DW_TAG_const_type" ||
        e.tag == "DW_TAG_volatile_type") {
      type = TypeOf(e);
      continue;
    }
    if (e.tag == "DW_TAG_structure_type" || e.tag == "DW_TAG_class_type" ||
        e.tag == "DW_TAG_union_type") {
      // The member (or base class) that starts last at or before the offset.
      const DwarfEntry* best = nullptr;
      uint64_t best_at = 0;
      for (size_t i = 1; i < entries.size(); ++i) {
        const DwarfEntry& child = entries[i];
        if (child.depth != 1) continue;
        if (child.tag != "DW_TAG_member" && child.tag != "DW_TAG_inheritance") continue;
        if (!child.attributes.contains("DW_AT_data_member_location")) continue;  // static
        const uint64_t at = Number(child, "DW_AT_data_member_location");
        if (at > offset || (best != nullptr && at < best_at)) continue;
        best = &child;
        best_at = at;
      }
      if (best == nullptr) break;
      if (best->tag == "DW_TAG_member") absl::StrAppend(&path, ".", Text(*best, "DW_AT_name"));
      offset -= best_at;
      type = TypeOf(*best);
      continue;
    }
    if (e.tag == "DW_TAG_array_type") {
      const TypeRef element = TypeOf(e);
      const uint64_t size = ByteSize(module, element);
      // Elements smaller than any lock (a char buffer the lock was built in) are storage,
      // not where the lock is: the offset names the place.
      if (size < kSmallestLock) break;
      // One index per dimension, outermost first: the stride of each is the product of the
      // inner dimensions' counts.
      std::vector<uint64_t> counts;
      for (size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].depth != 1 || entries[i].tag != "DW_TAG_subrange_type") continue;
        const uint64_t count = entries[i].attributes.contains("DW_AT_count")
                                   ? Number(entries[i], "DW_AT_count")
                                   : Number(entries[i], "DW_AT_upper_bound") + 1;
        counts.push_back(count);
      }
      if (counts.empty()) counts.push_back(0);
      uint64_t stride = size;
      std::vector<uint64_t> strides(counts.size());
      for (size_t d = counts.size(); d-- > 0;) {
        strides[d] = stride;
        stride *= counts[d] == 0 ? 1 : counts[d];
      }
      for (uint64_t s : strides) {
        absl::StrAppend(&path, "[", offset / s, "]");
        offset %= s;
      }
      type = element;
      continue;
    }
    break;
  }
  if (offset != 0) absl::StrAppendFormat(&path, "+0x%x", offset);
}

VariableName VariableNamer::Name(const std::string& module, uint64_t address) {
  Prefetch(module, {&address, 1});
  auto it = symbols_.find(std::make_pair(module, address));
  if (it == symbols_.end() || it->second.name.empty()) return {};
  const DataSymbol& symbol = it->second;
  VariableName result;
  // A variable of an anonymous namespace is file-local, like a static: its name is enough.
  result.name = absl::StrReplaceAll(symbol.name, {{"(anonymous namespace)::", ""}});
  const uint64_t offset = address - symbol.start;
  std::optional<DwarfEntry> variable = VariableEntry(module, symbol.start);
  if (!variable) {
    if (offset != 0) absl::StrAppendFormat(&result.name, "+0x%x", offset);
    return result;
  }
  result.decl_file = Text(*variable, "DW_AT_decl_file");
  result.decl_line = static_cast<uint32_t>(Number(*variable, "DW_AT_decl_line"));
  Walk(module, TypeOf(*variable), offset, result.name);
  return result;
}

}  // namespace lockgraph

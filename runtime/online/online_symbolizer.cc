#include "runtime/online/online_symbolizer.h"

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdlib>
#include <map>

#include "absl/strings/str_format.h"
#include "common/llvm_symbolizer.h"
#include "lockgraph/internal/foreign_frames.h"
#include "runtime/recorder/foreign_runtime.h"

namespace lockgraph::runtime {
namespace {

SourceFrame FallbackFrame(uintptr_t pc, const std::optional<ModuleOffset>& where) {
  SourceFrame frame;
  frame.function = "??";
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(pc), &info) != 0 && info.dli_sname != nullptr) {
    int status = 0;
    char* demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
    frame.function = status == 0 && demangled != nullptr ? demangled : info.dli_sname;
    free(demangled);
  }
  if (where) {
    frame.module = absl::StrFormat("%s+0x%x", where->module->path, where->offset + 1);
  } else {
    frame.module = absl::StrFormat("0x%x", pc + 1);
  }
  return frame;
}

}  // namespace

std::vector<VariableName> OnlineSymbolizer::NameObjects(absl::Span<const uintptr_t> addresses) {
  std::vector<VariableName> names(addresses.size());
  std::vector<std::optional<ModuleOffset>> where(addresses.size());
  std::map<std::string, std::vector<uint64_t>> by_module;
  for (size_t i = 0; i < addresses.size(); ++i) {
    where[i] = modules_.FindStatic(addresses[i]);
    if (where[i]) by_module[where[i]->module->path].push_back(where[i]->offset);
  }
  if (by_module.empty()) return names;
  VariableNamer namer(LlvmSymbolizer::Find(preferred_));
  for (const auto& [path, offsets] : by_module) namer.Prefetch(path, offsets);
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (where[i]) names[i] = namer.Name(where[i]->module->path, where[i]->offset);
  }
  return names;
}

std::vector<SymbolizedAddress> OnlineSymbolizer::Symbolize(absl::Span<const uintptr_t> pcs) {
  std::vector<SymbolizedAddress> result(pcs.size());
  std::vector<std::optional<ModuleOffset>> where(pcs.size());
  // Module path -> indices of the pcs in it.
  std::map<std::string, std::vector<size_t>> by_module;
  for (size_t i = 0; i < pcs.size(); ++i) {
    if (internal::IsForeignPc(pcs[i])) {
      // A hosted language's line (Python): the language names it.
      internal::ForeignFrame frame;
      if (ResolveForeignPc(pcs[i], &frame)) {
        result[i].push_back(SourceFrame{std::move(frame.function), std::move(frame.file),
                                        frame.line, 0, {}});
      } else {
        result[i].push_back(SourceFrame{"??", "", 0, 0, absl::StrFormat("0x%x", pcs[i])});
      }
      continue;
    }
    where[i] = modules_.Find(pcs[i] - 1);
    if (where[i]) by_module[where[i]->module->path].push_back(i);
  }
  const std::optional<LlvmSymbolizer> symbolizer = LlvmSymbolizer::Find(preferred_);
  if (symbolizer) {
    for (const auto& [path, indices] : by_module) {
      std::vector<uint64_t> offsets;
      for (size_t i : indices) offsets.push_back(where[i]->offset);
      auto frames = symbolizer->Symbolize(path, offsets);
      if (!frames.ok()) continue;
      for (size_t k = 0; k < indices.size(); ++k) {
        SymbolizedAddress& address = (*frames)[k];
        // An address llvm-symbolizer could not name keeps the fallback below.
        if (address.size() == 1 && address[0].function == "??" && address[0].file.empty()) {
          continue;
        }
        result[indices[k]] = std::move(address);
      }
    }
  }
  for (size_t i = 0; i < pcs.size(); ++i) {
    if (result[i].empty()) result[i].push_back(FallbackFrame(pcs[i] - 1, where[i]));
  }
  return result;
}

}  // namespace lockgraph::runtime

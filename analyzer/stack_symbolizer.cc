#include "analyzer/stack_symbolizer.h"

#include <map>

#include "absl/strings/str_format.h"

namespace lockgraph::analyzer {

StackSymbolizer::StackSymbolizer(const Trace& trace, std::optional<LlvmSymbolizer> symbolizer)
    : trace_(trace), symbolizer_(std::move(symbolizer)) {}

void StackSymbolizer::SymbolizeAll() {
  done_ = true;
  if (!symbolizer_) return;
  std::map<uint64_t, std::vector<uint64_t>> by_module;
  for (const auto& [id, stack] : trace_.stacks) {
    for (const format::Frame& frame : stack.frames) {
      if (frame.module != 0 && !frames_.contains({frame.module, frame.offset})) {
        frames_[{frame.module, frame.offset}];  // placeholder, filled below
        by_module[frame.module].push_back(frame.offset);
      }
    }
  }
  for (const auto& [module, offsets] : by_module) {
    const std::string& path = trace_.String(trace_.modules.at(module).path_sid);
    std::vector<uint64_t> calls;
    for (uint64_t offset : offsets) calls.push_back(offset - 1);  // the call, not the return
    auto symbolized = symbolizer_->Symbolize(path, calls);
    if (!symbolized.ok()) continue;
    for (size_t i = 0; i < offsets.size(); ++i) {
      SymbolizedAddress& address = (*symbolized)[i];
      if (address.size() == 1 && address[0].function == "??" && address[0].file.empty()) {
        continue;
      }
      frames_[{module, offsets[i]}] = std::move(address);
    }
  }
}

std::vector<SourceFrame> StackSymbolizer::Frames(uint64_t stack_id) {
  if (!done_) SymbolizeAll();
  std::vector<SourceFrame> result;
  auto stack = trace_.stacks.find(stack_id);
  if (stack == trace_.stacks.end()) return result;
  for (const format::Frame& frame : stack->second.frames) {
    auto it = frames_.find({frame.module, frame.offset});
    if (it != frames_.end() && !it->second.empty()) {
      result.insert(result.end(), it->second.begin(), it->second.end());
      continue;
    }
    SourceFrame unknown;
    unknown.function = "??";
    if (frame.module == 0) {
      unknown.module = absl::StrFormat("0x%x", frame.offset);
    } else {
      unknown.module = absl::StrFormat(
          "%s+0x%x", trace_.String(trace_.modules.at(frame.module).path_sid), frame.offset);
    }
    result.push_back(std::move(unknown));
  }
  return result;
}

}  // namespace lockgraph::analyzer

#include "analyzer/symbols/stack_symbolizer.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"

namespace lockgraph::analyzer {

StackSymbolizer::StackSymbolizer(std::vector<const Trace*> traces,
                                 std::optional<LlvmSymbolizer> symbolizer)
    : traces_(std::move(traces)), symbolizer_(symbolizer), variables_(std::move(symbolizer)) {}

StackSymbolizer::StackSymbolizer(const std::vector<Trace>& traces,
                                 std::optional<LlvmSymbolizer> symbolizer)
    : StackSymbolizer(
          [&] {
            std::vector<const Trace*> pointers;
            for (const Trace& trace : traces) pointers.push_back(&trace);
            return pointers;
          }(),
          std::move(symbolizer)) {}

std::string StackSymbolizer::ModulePath(uint32_t trace, uint64_t module) const {
  if (trace >= traces_.size()) return {};
  auto it = traces_[trace]->modules.find(module);
  return it == traces_[trace]->modules.end() ? std::string()
                                              : traces_[trace]->String(it->second.path_sid);
}

namespace {

// The module part of a frame's key: its path; for a source module (one function of a Python
// file), the path and the function, as two functions of one file are two modules.
std::string FrameKeyPath(const Trace& trace, const format::ModuleRecord& module) {
  std::string path = trace.String(module.path_sid);
  if (module.function_sid != 0) absl::StrAppend(&path, "\x1f", trace.String(module.function_sid));
  return path;
}

}  // namespace

void StackSymbolizer::PrefetchObjects(absl::Span<const ObjectRef> objects) {
  std::map<std::string, std::vector<uint64_t>> by_module;
  for (const ObjectRef& object : objects) {
    std::string path = ModulePath(object.trace, object.module);
    if (!path.empty()) by_module[std::move(path)].push_back(object.offset);
  }
  for (const auto& [path, offsets] : by_module) variables_.Prefetch(path, offsets);
}

VariableName StackSymbolizer::Object(ObjectRef object) {
  const std::string path = ModulePath(object.trace, object.module);
  if (path.empty()) return {};
  return variables_.Name(path, object.offset);
}

const format::StackRecord* StackSymbolizer::Find(StackRef stack) const {
  if (stack.id == 0 || stack.trace >= traces_.size()) return nullptr;
  auto it = traces_[stack.trace]->stacks.find(stack.id);
  return it != traces_[stack.trace]->stacks.end() ? &it->second : nullptr;
}

void StackSymbolizer::Prefetch(absl::Span<const StackRef> stacks) {
  std::map<std::string, std::vector<uint64_t>> by_module;
  for (const StackRef& ref : stacks) {
    const format::StackRecord* stack = Find(ref);
    if (stack == nullptr) continue;
    const Trace& trace = *traces_[ref.trace];
    for (const format::Frame& frame : stack->frames) {
      if (frame.module == 0) continue;
      const format::ModuleRecord& module = trace.modules.at(frame.module);
      std::string path = FrameKeyPath(trace, module);
      auto [it, inserted] = frames_.try_emplace({path, frame.offset});
      if (!inserted) continue;
      const bool source = absl::StartsWith(module.build_id, format::kSourceModuleBuildIdPrefix);
      if (source || module.build_id == format::kLinesModuleBuildId) {
        // An imported trace's location, or a hosted language's frame (Python, with its
        // function): the offset is a line of the file.
        if (frame.offset <= UINT32_MAX) {
          SourceFrame line;
          if (source) line.function = trace.String(module.function_sid);
          line.file = trace.String(module.path_sid);
          line.line = static_cast<uint32_t>(frame.offset);
          it->second = {std::move(line)};
        }
        continue;
      }
      by_module[std::move(path)].push_back(frame.offset);
    }
  }
  if (!symbolizer_) return;
  for (const auto& [path, offsets] : by_module) {
    std::vector<uint64_t> calls;
    for (uint64_t offset : offsets) calls.push_back(offset - 1);  // the call, not the return
    auto symbolized = symbolizer_->Symbolize(path, calls);
    if (!symbolized.ok()) continue;
    for (size_t i = 0; i < offsets.size(); ++i) {
      SymbolizedAddress& address = (*symbolized)[i];
      if (address.size() == 1 && address[0].function == "??" && address[0].file.empty()) {
        continue;
      }
      frames_[{path, offsets[i]}] = std::move(address);
    }
  }
}

std::vector<SourceFrame> StackSymbolizer::Frames(StackRef ref) {
  std::vector<SourceFrame> result;
  const format::StackRecord* stack = Find(ref);
  if (stack == nullptr) return result;
  const Trace& trace = *traces_[ref.trace];
  for (const format::Frame& frame : stack->frames) {
    std::string path =
        frame.module == 0 ? std::string() : FrameKeyPath(trace, trace.modules.at(frame.module));
    auto it = frames_.find(std::make_pair(path, frame.offset));
    if (it == frames_.end() && frame.module != 0) {
      Prefetch({ref});
      it = frames_.find(std::make_pair(path, frame.offset));
    }
    if (it != frames_.end() && !it->second.empty()) {
      result.insert(result.end(), it->second.begin(), it->second.end());
      continue;
    }
    SourceFrame unknown;
    unknown.function = "??";
    unknown.module = frame.module == 0 ? absl::StrFormat("0x%x", frame.offset)
                                       : absl::StrFormat("%s+0x%x", path, frame.offset);
    result.push_back(std::move(unknown));
  }
  return result;
}

}  // namespace lockgraph::analyzer

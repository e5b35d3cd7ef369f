// Turns stacks of traces into source frames: llvm-symbolizer run once per module file for all
// the frames asked for (the module map in each trace says which file to read, and modules of
// many traces of one binary share a run), or "module+0xoffset" frames when there is no
// symbolizer or no debug information. Frames of a lines module (format::kLinesModuleBuildId,
// an imported trace) are `file:line` as they are, without a symbolizer.
//
//   StackSymbolizer symbolizer({&trace}, LlvmSymbolizer::Find(""));
//   symbolizer.Prefetch(stacks);               // one batch for everything a report shows
//   for (const SourceFrame& f : symbolizer.Frames({0, dep.stack_id})) ...
#ifndef LOCKGRAPH_ANALYZER_SYMBOLS_STACK_SYMBOLIZER_H_
#define LOCKGRAPH_ANALYZER_SYMBOLS_STACK_SYMBOLIZER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/model/model.h"
#include "common/llvm_symbolizer.h"
#include "common/source_frame.h"
#include "common/variable_namer.h"

namespace lockgraph::analyzer {

class StackSymbolizer {
 public:
  // StackRef::trace indexes `traces`.
  StackSymbolizer(std::vector<const Trace*> traces, std::optional<LlvmSymbolizer> symbolizer);
  // The same over every trace of a model (Model::traces()), which must outlive it.
  StackSymbolizer(const std::vector<Trace>& traces, std::optional<LlvmSymbolizer> symbolizer);

  // Symbolizes the frames of these stacks in one batch per module file.
  void Prefetch(absl::Span<const StackRef> stacks);
  // The frames of a stack, inlined frames included, innermost first; empty for stack 0.
  // A stack not prefetched is symbolized on its own.
  std::vector<SourceFrame> Frames(StackRef stack);

  // The variable (and member or element) at an object's address in a module of a trace
  // (a ClassRecord of origin kStatic); see variable_namer.h. Empty name if unknown.
  void PrefetchObjects(absl::Span<const ObjectRef> objects);
  VariableName Object(ObjectRef object);

 private:
  // The module's file, or "" if the trace has no such module.
  std::string ModulePath(uint32_t trace, uint64_t module) const;

  const format::StackRecord* Find(StackRef stack) const;

  std::vector<const Trace*> traces_;
  std::optional<LlvmSymbolizer> symbolizer_;
  // (module path, offset) -> frames; an empty vector: asked, but unknown
  absl::flat_hash_map<std::pair<std::string, uint64_t>, SymbolizedAddress> frames_;
  VariableNamer variables_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_SYMBOLS_STACK_SYMBOLIZER_H_

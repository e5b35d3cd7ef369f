// Turns the stacks of a trace into source frames: llvm-symbolizer run once per module for
// every frame of the trace (the module map in the trace says which file to read), or
// "module+0xoffset" frames when there is no symbolizer or no debug information.
//
//   StackSymbolizer symbolizer(trace, LlvmSymbolizer::Find(""));
//   for (const SourceFrame& f : symbolizer.Frames(dep.stack_id)) ...
#ifndef LOCKGRAPH_ANALYZER_STACK_SYMBOLIZER_H_
#define LOCKGRAPH_ANALYZER_STACK_SYMBOLIZER_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analyzer/trace_reader.h"
#include "common/llvm_symbolizer.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {

class StackSymbolizer {
 public:
  StackSymbolizer(const Trace& trace, std::optional<LlvmSymbolizer> symbolizer);

  // The frames of a stack, inlined frames included, innermost first; empty for stack 0.
  std::vector<SourceFrame> Frames(uint64_t stack_id);

 private:
  void SymbolizeAll();

  const Trace& trace_;
  std::optional<LlvmSymbolizer> symbolizer_;
  bool done_ = false;
  // (module id, offset) -> frames
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, SymbolizedAddress> frames_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_STACK_SYMBOLIZER_H_

// Names the frames of this process's own stacks for the online reports: llvm-symbolizer per
// module when it is there, else dladdr() (exported function names only), else module+offset.
//
//   OnlineSymbolizer symbolizer(modules, options.symbolizer);
//   std::vector<SymbolizedAddress> frames = symbolizer.Symbolize(pcs);  // pcs: return addresses
//
// Cold path only (a report is being printed). Thread-safe.
#ifndef LOCKGRAPH_RUNTIME_ONLINE_ONLINE_SYMBOLIZER_H_
#define LOCKGRAPH_RUNTIME_ONLINE_ONLINE_SYMBOLIZER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/source_frame.h"
#include "common/variable_namer.h"
#include "runtime/trace/module_map.h"

namespace lockgraph::runtime {

class OnlineSymbolizer {
 public:
  // `preferred` is the `symbolizer` option: a path, "none", or empty to search PATH.
  OnlineSymbolizer(ModuleMap& modules, std::string preferred)
      : modules_(modules), preferred_(std::move(preferred)) {}

  // One entry per pc (each a return address: the call before it is named).
  std::vector<SymbolizedAddress> Symbolize(absl::Span<const uintptr_t> pcs);
  // The variables (and members) of objects in static storage (common/variable_namer.h), one
  // per address: one batch per module, each type walked once. An empty name without a
  // symbolizer or a symbol.
  std::vector<VariableName> NameObjects(absl::Span<const uintptr_t> addresses);

 private:
  ModuleMap& modules_;
  std::string preferred_;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_ONLINE_SYMBOLIZER_H_

#include "runtime/online/report_inputs.h"

#include <algorithm>
#include <utility>

#include "runtime/online/online_symbolizer.h"
#include "runtime/recorder/process_recorder.h"

namespace lockgraph::runtime {

LockDescription DescribeLock(ProcessRecorder& rt, const internal::SyncHandle& sync) {
  const ClassInfo& info = rt.registry().Class(sync.class_id);
  LockDescription lock{sync.id,
                       info.name,
                       static_cast<format::SyncKind>(sync.kind),
                       sync.site_pc == 0 ? sync.site_file : "",
                       sync.site_pc == 0 ? sync.site_line : 0,
                       sync.named,
                       sync.site_pc,
                       sync.site_pc != 0 ? info.site_stack : std::vector<uintptr_t>{}};
  lock.origin = info.origin;
  lock.first_use_stack = info.first_use_stack;
  if (info.origin == format::ClassOrigin::kStatic) {
    lock.variable = OnlineSymbolizer(rt.modules(), rt.options().symbolizer)
                        .NameObject(info.object_address);
  }
  return lock;
}

SymbolTable SymbolizePcs(ProcessRecorder& rt, std::vector<uintptr_t> pcs) {
  std::sort(pcs.begin(), pcs.end());
  pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
  pcs.erase(std::remove(pcs.begin(), pcs.end(), 0), pcs.end());
  OnlineSymbolizer symbolizer(rt.modules(), rt.options().symbolizer);
  std::vector<SymbolizedAddress> frames = symbolizer.Symbolize(pcs);
  SymbolTable table;
  for (size_t i = 0; i < pcs.size(); ++i) table[pcs[i]] = std::move(frames[i]);
  return table;
}

}  // namespace lockgraph::runtime

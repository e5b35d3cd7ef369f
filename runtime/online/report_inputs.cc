#include "runtime/online/report_inputs.h"

#include <algorithm>
#include <utility>

#include "runtime/online/online_symbolizer.h"
#include "runtime/recorder/handle_flags.h"
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
  // A preload object in static storage, or an unnamed wrapper lock there: named by its
  // variable when a report prints it (NameVariables), not here: every new dependency of the
  // online check describes its locks.
  const bool static_wrapper =
      (sync.flags.load(std::memory_order_relaxed) & kHandleStatic) != 0;
  lock.object_address = info.origin == format::ClassOrigin::kStatic ? info.object_address
                        : static_wrapper ? reinterpret_cast<uintptr_t>(&sync)
                                         : 0;
  return lock;
}

void NameVariables(ProcessRecorder& rt, absl::Span<LockDescription* const> locks) {
  std::vector<LockDescription*> unnamed;
  std::vector<uintptr_t> addresses;
  for (LockDescription* lock : locks) {
    if (lock->object_address == 0 || !lock->variable.name.empty()) continue;
    unnamed.push_back(lock);
    addresses.push_back(lock->object_address);
  }
  if (addresses.empty()) return;
  std::vector<VariableName> names =
      OnlineSymbolizer(rt.modules(), rt.options().symbolizer).NameObjects(addresses);
  for (size_t i = 0; i < unnamed.size(); ++i) unnamed[i]->variable = std::move(names[i]);
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

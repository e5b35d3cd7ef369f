// What the online reports need from the recorder: a lock as reports describe it, and the
// frames of the pcs a report names, symbolized in one batch.
//
//   LockDescription lock = DescribeLock(rt, handle);
//   SymbolTable symbols = SymbolizePcs(rt, PcsOf(cycle));
//
// Cold path only: both read the lock registry, and SymbolizePcs runs llvm-symbolizer.
#ifndef LOCKGRAPH_RUNTIME_ONLINE_REPORT_INPUTS_H_
#define LOCKGRAPH_RUNTIME_ONLINE_REPORT_INPUTS_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

#include "lockgraph/internal/sync_handle.h"
#include "runtime/online/online_checker.h"
#include "runtime/online/online_report.h"

namespace lockgraph::runtime {

class ProcessRecorder;

LockDescription DescribeLock(ProcessRecorder& rt, const internal::SyncHandle& sync);

// Names the locks in static storage among `locks` by their variables (llvm-symbolizer and
// llvm-dwarfdump runs): for a report about to be printed.
void NameVariables(ProcessRecorder& rt, absl::Span<LockDescription* const> locks);

// One llvm-symbolizer run per module for all of `pcs` (return addresses; 0 is skipped).
SymbolTable SymbolizePcs(ProcessRecorder& rt, std::vector<uintptr_t> pcs);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_REPORT_INPUTS_H_

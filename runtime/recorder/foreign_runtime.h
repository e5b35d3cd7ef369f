// The recorder's side of lockgraph/internal/foreign_frames.h.
#ifndef LOCKGRAPH_RUNTIME_RECORDER_FOREIGN_RUNTIME_H_
#define LOCKGRAPH_RUNTIME_RECORDER_FOREIGN_RUNTIME_H_

#include <cstdint>

#include "lockgraph/internal/foreign_frames.h"

namespace lockgraph::runtime {

// The construction site a hosted language set for the calling thread, or null.
const internal::ForeignSite* ForeignSiteOfCaller();

// The frame of a foreign pc, by the installed language; false if none can say.
bool ResolveForeignPc(uintptr_t pc, internal::ForeignFrame* frame);

// Called in the installing thread right after a language is installed: the LD_PRELOAD
// interposer forgets the objects it must leave alone from now on.
using ForeignInstallListener = void (*)(const internal::ForeignRuntime& installed);
void SetForeignInstallListener(ForeignInstallListener listener);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_FOREIGN_RUNTIME_H_

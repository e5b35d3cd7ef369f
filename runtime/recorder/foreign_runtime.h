// The recorder's side of lockgraph/internal/foreign_frames.h.
#ifndef LOCKGRAPH_RUNTIME_RECORDER_FOREIGN_RUNTIME_H_
#define LOCKGRAPH_RUNTIME_RECORDER_FOREIGN_RUNTIME_H_

#include "lockgraph/internal/foreign_frames.h"

namespace lockgraph::runtime {

// The construction site a hosted language set for the calling thread, or null.
const internal::ForeignSite* ForeignSiteOfCaller();

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_FOREIGN_RUNTIME_H_

// lockgraph: instrumented threading primitives that record lock order, for deadlock and race
// detection. Include this for everything, or the one header of the primitive you use.
//
//   #include "lockgraph/lockgraph.h"
//   lockgraph::Lock a("a"), b("b");
//   lockgraph::Thread t([&] { std::scoped_lock both(a, b); });
//   t.start();  t.join();
//
// Link lockgraph::runtime. Options come from LOCKGRAPH_OPTIONS (see options.h); the trace
// goes to lockgraph.<pid>.lgtrace, to be read by `lockgraph analyze` or `lockgraph dump`.
#ifndef LOCKGRAPH_LOCKGRAPH_H_
#define LOCKGRAPH_LOCKGRAPH_H_

#include "lockgraph/bounded_semaphore.h"
#include "lockgraph/condition.h"
#include "lockgraph/event.h"
#include "lockgraph/lock.h"
#include "lockgraph/options.h"
#include "lockgraph/process.h"
#include "lockgraph/process_lock.h"
#include "lockgraph/process_queue.h"
#include "lockgraph/queue.h"
#include "lockgraph/rlock.h"
#include "lockgraph/semaphore.h"
#include "lockgraph/shared.h"
#include "lockgraph/shared_lock.h"
#include "lockgraph/thread.h"
#include "lockgraph/timeout.h"

#endif  // LOCKGRAPH_LOCKGRAPH_H_

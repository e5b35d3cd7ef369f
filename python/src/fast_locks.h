// lockgraph.Lock and lockgraph.RLock: threading.Lock and threading.RLock over lockgraph's
// recorded locks, as plain CPython types (a `with lock:` is two C calls, no binding layer in
// between: the benchmark in docs/performance.md holds them to twice threading's cost).
#ifndef LOCKGRAPH_PYTHON_FAST_LOCKS_H_
#define LOCKGRAPH_PYTHON_FAST_LOCKS_H_

#include <Python.h>

#include "lockgraph/lock.h"
#include "lockgraph/rlock.h"

namespace lockgraph::python {

// Adds Lock and RLock to `module`; false with a Python error set on failure.
bool AddFastLocks(PyObject* module);

// The lockgraph lock inside a Python Lock or RLock, or null if `object` is neither.
Lock* AsLock(PyObject* object);
RLock* AsRLock(PyObject* object);

}  // namespace lockgraph::python

#endif  // LOCKGRAPH_PYTHON_FAST_LOCKS_H_

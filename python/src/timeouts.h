// Python timeouts (seconds as a number; None or -1 for none) as lockgraph's.
#ifndef LOCKGRAPH_PYTHON_TIMEOUTS_H_
#define LOCKGRAPH_PYTHON_TIMEOUTS_H_

#include <Python.h>

#include <chrono>
#include <cmath>

#include "lockgraph/timeout.h"

namespace lockgraph::python {

// Converts `timeout` (null, None, or a number; -1 means none when minus_one_is_none), setting
// ValueError/TypeError and returning false for anything else or a negative value.
inline bool ParseTimeout(PyObject* timeout, bool minus_one_is_none, std::chrono::nanoseconds* out) {
  if (timeout == nullptr || timeout == Py_None) {
    *out = kForever;
    return true;
  }
  const double seconds = PyFloat_AsDouble(timeout);
  if (seconds == -1.0 && PyErr_Occurred()) return false;
  if (minus_one_is_none && seconds == -1.0) {
    *out = kForever;
    return true;
  }
  if (std::isnan(seconds) || seconds < 0) {
    PyErr_SetString(PyExc_ValueError, minus_one_is_none
                                          ? "timeout value must be a non-negative number"
                                          : "'timeout' must be a non-negative number");
    return false;
  }
  // threading's limit (_thread.TIMEOUT_MAX), past which it raises OverflowError.
  constexpr double kTimeoutMax = 9223372036.0;
  if (seconds > kTimeoutMax) {
    PyErr_SetString(PyExc_OverflowError, "timeout value is too large");
    return false;
  }
  *out = std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9));
  return true;
}

}  // namespace lockgraph::python

#endif  // LOCKGRAPH_PYTHON_TIMEOUTS_H_

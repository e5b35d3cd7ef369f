// Python frames for the recorder (lockgraph/internal/foreign_frames.h): where a Python
// program calls a primitive, as a foreign pc, and the thread's Python stack on the
// recorder's cold paths; the interpreter lock released while a primitive waits.
//
// A foreign pc is bit 63, the instruction offset in bits 47-62 and the code object's
// address below: encoding one is a few loads. Code objects seen are kept alive for the
// process, so a pc stays valid for reports written at exit.
#ifndef LOCKGRAPH_PYTHON_PYTHON_FRAMES_H_
#define LOCKGRAPH_PYTHON_PYTHON_FRAMES_H_

#include <Python.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lockgraph::python {

// Installs the hooks; called once when the package is imported. Frames of files under
// `internal_prefixes` (lockgraph's own Python files, multiprocessing's factories) are left
// out of stacks and never a site.
void InstallPythonFrames(const std::vector<std::string>& internal_prefixes);

// The foreign pc of the calling Python code (the innermost frame that is not lockgraph's),
// 0 if none. The GIL is held.
uintptr_t CallerPc();

// A construction site: file, line and function of the calling Python code.
struct PythonSite {
  const char* file = "";
  uint32_t line = 0;
  const char* function = "";
  PyCodeObject* code = nullptr;  // borrowed; null if no Python code called
  int offset = 0;                // the calling instruction, in code units
};
PythonSite CallerSite();

}  // namespace lockgraph::python

#endif  // LOCKGRAPH_PYTHON_PYTHON_FRAMES_H_

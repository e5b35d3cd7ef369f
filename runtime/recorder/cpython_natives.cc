// FindCPythonNatives (lockgraph/internal/foreign_frames.h): where a CPython interpreter's own
// lock code and state are, from its exported symbols' ELF sizes. Used by the Python package
// when it installs itself, and by the LD_PRELOAD interposer of a `lockgraph run` that installs
// the package, from the start (before the interpreter takes its first lock).
#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <cstdint>

#include "lockgraph/internal/foreign_frames.h"

namespace lockgraph::internal {
namespace {

// [begin, end) of the exported symbol `name`; false if it is not there or has no size.
bool SymbolRange(const char* name, uintptr_t* range) {
  void* address = dlsym(RTLD_DEFAULT, name);
  Dl_info info;
  ElfW(Sym)* symbol = nullptr;
  if (address == nullptr ||
      dladdr1(address, &info, reinterpret_cast<void**>(&symbol), RTLD_DL_SYMENT) == 0 ||
      symbol == nullptr || symbol->st_size == 0) {
    return false;
  }
  range[0] = reinterpret_cast<uintptr_t>(info.dli_saddr);
  range[1] = range[0] + symbol->st_size;
  return true;
}

// The functions of CPython's PyThread locks (threading.Lock and every _thread lock: the
// import lock, the lock Thread.join waits on), and the interpreter's state (_PyRuntime: the
// GIL's mutexes). Written once; readers see them through the ForeignRuntime installed after.
uintptr_t g_lock_code[4][2];
uintptr_t g_objects[1][2];

}  // namespace

bool FindCPythonNatives(ForeignRuntime& runtime) {
  int code = 0;
  for (const char* function : {"PyThread_allocate_lock", "PyThread_free_lock",
                               "PyThread_acquire_lock_timed", "PyThread_release_lock"}) {
    if (SymbolRange(function, g_lock_code[code])) ++code;
  }
  const int objects = SymbolRange("_PyRuntime", g_objects[0]) ? 1 : 0;
  if (code == 0 && objects == 0) return false;
  runtime.native_lock_code = g_lock_code;
  runtime.native_lock_code_count = code;
  runtime.native_objects = g_objects;
  runtime.native_objects_count = objects;
  return true;
}

}  // namespace lockgraph::internal

// A library (dlopen'ed by dlclose_locks.cc) that makes lockgraph locks: their class sites —
// file and function names of std::source_location — are strings in this library's memory,
// gone once it is unloaded.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock library_lock("library.named");  // destroyed by dlclose

}  // namespace

// Two unnamed locks whose class is their site here; they outlive the library.
extern "C" lockgraph::Lock* MakeLibraryLock() {
  return new lockgraph::Lock();  // lock: library site
}

// Takes `survivor`, then the program's lock and a lock of its own: edges whose stacks
// point into this library.
extern "C" void TakeInLibrary(lockgraph::Lock& survivor, lockgraph::Lock& program_lock) {
  std::lock_guard hold_survivor(survivor);      // held: survivor (library)
  std::lock_guard hold_program(program_lock);   // edge: survivor -> program
  std::lock_guard hold_library(library_lock);   // edge: program -> library.named
}

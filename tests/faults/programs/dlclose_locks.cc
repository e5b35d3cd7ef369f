// dlopen()s lock_library.so, uses its locks, dlclose()s it and carries on: it takes a lock
// the library made (whose class site was in the library) for the first time only after the
// unload, and closes a cycle with one the library took, then exits normally (the runtime's
// exit writes class statistics). Thread "library" ran the library's code, thread "program"
// the program's; both run before either is joined, so the cycle is a deadlock whose one edge
// has its stack in the unloaded library.
#include <dlfcn.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "lockgraph/lockgraph.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  lockgraph::Lock program_lock("program");  // lock: program
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  auto make = reinterpret_cast<lockgraph::Lock* (*)()>(dlsym(library, "MakeLibraryLock"));
  auto take = reinterpret_cast<void (*)(lockgraph::Lock&, lockgraph::Lock&)>(
      dlsym(library, "TakeInLibrary"));
  if (make == nullptr || take == nullptr) return 2;
  std::unique_ptr<lockgraph::Lock> survivor(make());
  std::unique_ptr<lockgraph::Lock> untouched(make());  // first taken after the unload

  lockgraph::Event library_done, unloaded, program_done, finish;
  lockgraph::Thread in_library([&] {
    take(*survivor, program_lock);
    library_done.set();
    finish.wait();
  }, "library");
  lockgraph::Thread in_program([&] {
    unloaded.wait();
    std::lock_guard hold_program(program_lock);  // held: program (program)
    std::lock_guard hold_survivor(*survivor);    // edge: program -> survivor
    std::lock_guard hold_untouched(*untouched);  // edge: survivor -> untouched
    program_done.set();
  }, "program");
  in_library.start();
  in_program.start();
  library_done.wait();
  if (dlclose(library) != 0) return 2;
  unloaded.set();
  program_done.wait();
  finish.set();
  in_library.join();
  in_program.join();
  {
    lockgraph::Lock after("after.unload");  // new classes and locks after the unload
    std::lock_guard hold(after);
    std::lock_guard hold_untouched(*untouched);
  }
  std::printf("done\n");
  return 0;
}

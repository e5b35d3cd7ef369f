// Makes the dependencies of a lock-order cycle (two threads, A -> B and B -> A, unordered by
// start/join), says "ready" on stdout, then meets the fault its argument names:
//   exit    exits 3 after printing "done" (the run to compare a faulty one against)
//   flood   first records 4000 more dependencies (a trace of ~1 MB), then as `exit`
//   block   waits forever (the test kills it with SIGKILL)
//   abort   calls abort()
//   segv    writes to a page with no access
// Dependencies are written to the trace at once, so all of them survive each fault.
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock a("A");  // lock: A
lockgraph::Lock b("B");  // lock: B
lockgraph::Event forward_done;

// The program's first dependency: its trace write fails on a full disk, and the program's
// errno must not show it.
void Forward() {
  errno = 0;
  {
    std::lock_guard hold_a(a);  // held: A (forward)
    std::lock_guard hold_b(b);  // edge: A -> B
  }
  if (errno != 0) std::fprintf(stderr, "errno changed to %d\n", errno);
}

void Backward() {
  forward_done.wait();
  std::lock_guard hold_b(b);  // held: B (backward)
  std::lock_guard hold_a(a);  // edge: B -> A
}

// Many distinct dependencies: each new lock taken under `a` is one more record.
void Flood() {
  std::vector<std::unique_ptr<lockgraph::Lock>> locks;
  for (int i = 0; i < 4000; ++i) locks.push_back(std::make_unique<lockgraph::Lock>());
  std::lock_guard hold_a(a);
  for (auto& lock : locks) std::lock_guard hold(*lock);  // edge: A -> flood
}

}  // namespace

int main(int argc, char** argv) {
  const char* fault = argc > 1 ? argv[1] : "exit";
  lockgraph::Thread forward([] {
    Forward();
    forward_done.set();
  }, "forward");
  lockgraph::Thread backward(Backward, "backward");
  forward.start();
  backward.start();
  // Joined before the fault, so the dependencies exist; the threads were started together,
  // so nothing orders the two edges.
  forward.join();
  backward.join();
  std::printf("ready\n");
  std::fflush(stdout);
  if (std::strcmp(fault, "flood") == 0) Flood();
  if (std::strcmp(fault, "block") == 0) {
    for (;;) pause();
  }
  if (std::strcmp(fault, "abort") == 0) abort();
  if (std::strcmp(fault, "segv") == 0) {
    // A write to a page with no access: a real SIGSEGV (a null pointer would be caught as
    // undefined behaviour first under UBSan).
    void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *static_cast<volatile int*>(page) = 1;
  }
  std::printf("done\n");
  return 3;
}

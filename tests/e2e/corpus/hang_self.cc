// Corpus: a thread acquires a Lock it already holds. A Lock is not recursive, so it would
// wait forever. Expected: a "deadlock now" report of one thread, at once, exit status 86.
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock registry("registry");

void Register() {
  std::lock_guard hold(registry);  // waits: registry again
}

}  // namespace

int main() {
  alarm(60);
  std::lock_guard hold(registry);  // holds: registry
  Register();
  std::puts("not reached");
  return 0;
}

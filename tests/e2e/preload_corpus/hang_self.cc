// Preload corpus: a thread locks a std::mutex it already holds (a non-recursive one): it
// would wait forever. Expected under `lockgraph run`: a "deadlock now" report of one thread,
// at once (no wait for deadlock_check), exit status 86.
#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace {

std::mutex registry;

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

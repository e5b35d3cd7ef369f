// Linked with liblockgraph_runtime.so and run under `lockgraph run`: two copies of the runtime
// load, sharing one process recorder. It takes a lock, forks, and the child takes it too: the fork hooks
// must run once, or the fork deadlocks on the runtime's own fork lock.
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <mutex>
#include "lockgraph/lockgraph.h"
lockgraph::Lock a("a");
int main() {
  { std::lock_guard g(a); }
  pid_t pid = fork();
  if (pid == 0) { std::lock_guard g(a); _exit(0); }
  int status = 0;
  waitpid(pid, &status, 0);
  std::puts("forked fine");
  return 0;
}

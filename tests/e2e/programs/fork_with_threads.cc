// Forks while another lockgraph thread runs and holds a lock; the child takes two locks in
// order and exits. Both processes must keep working and write their own valid traces.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "lockgraph/lockgraph.h"

int main() {
  lockgraph::Lock a("fork.a"), b("fork.b"), busy("fork.busy");
  lockgraph::Event holding, done;
  lockgraph::Thread worker(
      [&] {
        std::lock_guard hold(busy);  // held by another thread across the fork
        holding.set();
        done.wait();
      },
      "worker");
  worker.start();
  holding.wait();
  {
    std::lock_guard ha(a);
    std::lock_guard hb(b);
  }
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    std::lock_guard ha(a);
    std::lock_guard hb(b);  // a -> b again, in the child's own trace
    std::printf("child %d done\n", static_cast<int>(getpid()));
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  done.set();
  worker.join();
  std::printf("parent done, child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}

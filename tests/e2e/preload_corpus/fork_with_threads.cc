// Preload corpus: fork() while another std::thread runs and holds a std::mutex; the child
// takes two mutexes in order (A -> B, as the parent did before the fork) and exits. Both
// processes keep working and write their own traces. Expected: clean, two traces, the
// program's output and exit code (3) unchanged.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a, b, busy;

}  // namespace

int main() {
  Flag holding, done;
  std::thread worker([&] {
    std::lock_guard hold(busy);  // held by another thread across the fork
    holding.set();
    done.wait();
  });
  holding.wait();
  {
    std::lock_guard hold_a(a);
    std::lock_guard hold_b(b);  // edge: A -> B (parent)
  }
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    {
      std::lock_guard hold_a(a);
      std::lock_guard hold_b(b);  // edge: A -> B (child)
    }
    std::printf("child: took a and b\n");
    std::exit(0);  // through exit handlers: the runtime finishes the child's trace
  }
  int status = 0;
  waitpid(child, &status, 0);
  done.set();
  worker.join();
  std::printf("parent: child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 3;
}

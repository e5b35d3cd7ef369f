// fork() 50 times while three threads keep making new locks and new dependencies (so they
// are inside the recorder's cold paths when the fork comes) and one of them holds a lock
// across every fork. Each child takes "storm.a" then "storm.b" and exits through exit() (the
// runtime's exit hook writes its trace); the parent waits for all. A child the runtime left
// deadlocked would hang the test.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kForks = 50;
constexpr int kWorkers = 3;
constexpr long kMaxFresh = 20000;

}  // namespace

int main() {
  lockgraph::Lock a("storm.a"), b("storm.b"), busy("storm.busy");
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::unique_ptr<lockgraph::Thread>> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.push_back(std::make_unique<lockgraph::Thread>([&, w] {
      lockgraph::Lock base("storm.base");
      std::unique_lock hold_busy(busy, std::defer_lock);
      if (w == 0) hold_busy.lock();  // held by another thread across every fork
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        lockgraph::Lock fresh("storm.fresh");  // registered and retired: cold paths too
        std::lock_guard hold_base(base);
        // A new dependency each time, up to a bound (the trace grows with them).
        if (i < kMaxFresh) std::lock_guard hold_fresh(fresh);
        if (i == 0) started.fetch_add(1);
      }
    }));
  }
  for (auto& worker : workers) worker->start();
  while (started.load() < kWorkers) {
  }
  std::vector<pid_t> children;
  for (int i = 0; i < kForks; ++i) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
      {
        std::lock_guard hold_a(a);
        std::lock_guard hold_b(b);  // edge: storm.a -> storm.b (child)
      }
      std::exit(0);
    }
    children.push_back(child);
  }
  int ok = 0;
  for (pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  stop = true;
  for (auto& worker : workers) worker->join();
  std::printf("forks %d, children exited 0: %d\n", kForks, ok);
  return 0;
}

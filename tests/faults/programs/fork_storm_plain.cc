// fork_storm.cc for `lockgraph run`: std::mutex and std::thread, nothing of lockgraph. 50
// forks while three threads keep locking mutexes they create (each new one a new node and a
// new dependency for the preload) and one holds a mutex across every fork; each child takes
// a then b and exits; the parent waits for all.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kForks = 50;
constexpr int kWorkers = 3;
constexpr long kMaxFresh = 20000;

std::mutex a, b, busy;

}  // namespace

int main() {
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      std::mutex base;
      std::unique_lock hold_busy(busy, std::defer_lock);
      if (w == 0) hold_busy.lock();  // held by another thread across every fork
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        auto fresh = std::make_unique<std::mutex>();  // a new mutex at each step
        std::lock_guard hold_base(base);
        // A new dependency each time, up to a bound (the trace grows with them).
        if (i < kMaxFresh) std::lock_guard hold_fresh(*fresh);
        if (i == 0) started.fetch_add(1);
      }
    });
  }
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
        std::lock_guard hold_b(b);  // edge: a -> b (child)
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
  for (auto& worker : workers) worker.join();
  std::printf("forks %d, children exited 0: %d\n", kForks, ok);
  return 0;
}

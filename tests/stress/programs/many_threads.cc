// Stress program: THREADS short-lived threads, each taking lock "B" inside lock "A", started
// BATCH at a time and joined by each of SPAWNERS threads. Then one more pair runs
// concurrently: "forward" takes A -> B and "reverse", once forward is done (an Event only
// sequences this run), takes B -> A. Nothing orders that pair by start or join, so the
// analyzer must find the A/B deadlock among 100,000 other threads, every one of them joined
// before "reverse" starts.
//
// Usage: many_threads [THREADS=100000 BATCH=16 SPAWNERS=8]
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"
#include "tests/stress/programs/stress_program.h"

int main(int argc, char** argv) {
  using lockgraph::stress::Arg;
  const long total = Arg(argc, argv, 1, 100000);
  const long batch = Arg(argc, argv, 2, 16);
  const long spawners = Arg(argc, argv, 3, 8);

  lockgraph::Lock a("A");
  lockgraph::Lock b("B");
  // Thread::start waits until the new thread runs; on a loaded machine that round trip, not
  // the work, is the time, so several spawners overlap it.
  std::vector<std::unique_ptr<lockgraph::Thread>> spawner_threads;
  for (long s = 0; s < spawners; ++s) {
    const long share = total / spawners + (s < total % spawners ? 1 : 0);
    spawner_threads.push_back(std::make_unique<lockgraph::Thread>([&, share] {
      for (long started = 0; started < share;) {
        std::vector<std::unique_ptr<lockgraph::Thread>> threads;
        for (; started < share && static_cast<long>(threads.size()) < batch; ++started) {
          threads.push_back(std::make_unique<lockgraph::Thread>([&] {
            std::lock_guard hold_a(a);
            std::lock_guard hold_b(b);  // edge: A -> B (short-lived)
          }));
        }
        for (auto& t : threads) t->start();
        for (auto& t : threads) t->join();
      }
    }, "spawner"));
  }
  for (auto& s : spawner_threads) s->start();
  for (auto& s : spawner_threads) s->join();

  lockgraph::Event forward_done;
  lockgraph::Thread forward([&] {
    {
      std::lock_guard hold_a(a);
      std::lock_guard hold_b(b);  // edge: A -> B (forward)
    }
    forward_done.set();
  }, "forward");
  lockgraph::Thread reverse([&] {
    forward_done.wait();
    std::lock_guard hold_b(b);
    std::lock_guard hold_a(a);  // edge: B -> A (reverse)
  }, "reverse");
  forward.start();
  reverse.start();
  forward.join();
  reverse.join();

  lockgraph::stress::PrintPeakRss();
  return 0;
}

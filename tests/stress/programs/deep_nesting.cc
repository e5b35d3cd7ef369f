// Stress program: thread "deep" holds DEPTH locks at once ("L000"...), more than the
// recorder's held stack (64): it takes them all nested, checks each is held and excludes
// another thread, and releases them in reverse; then again, released out of order (evens
// upward, then odds downward). Then thread "reverse", once deep is done (an Event only
// sequences this run), takes L063 then L062: the reverse of an order deep took among its
// tracked locks, a deadlock the analyzer must still find.
//
// Prints "misbehaved=N": the checks that failed (a lock not held, or taken by another thread
// while held).
//
// Usage: deep_nesting [DEPTH=100]
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"
#include "tests/stress/programs/stress_program.h"

int main(int argc, char** argv) {
  const int depth = static_cast<int>(lockgraph::stress::Arg(argc, argv, 1, 100));
  std::vector<std::unique_ptr<lockgraph::Lock>> locks;
  for (int i = 0; i < depth; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "L%03d", i);
    locks.push_back(std::make_unique<lockgraph::Lock>(name));
  }

  int misbehaved = 0;
  auto take_all = [&] {
    for (auto& lock : locks) lock->lock();  // edge: L062 -> L063 (deep)
    for (auto& lock : locks) {
      if (!lock->locked()) ++misbehaved;
    }
    // Every lock excludes another thread, tracked or not.
    lockgraph::Thread prober([&] {
      for (auto& lock : locks) {
        if (lock->try_lock()) {
          ++misbehaved;
          lock->unlock();
        }
      }
    }, "prober");
    prober.start();
    prober.join();
  };

  lockgraph::Event deep_done;
  lockgraph::Thread deep([&] {
    take_all();
    for (int i = depth - 1; i >= 0; --i) locks[i]->unlock();
    take_all();
    for (int i = 0; i < depth; i += 2) locks[i]->unlock();
    for (int i = depth - 1 - (depth % 2 == 0 ? 0 : 1); i >= 1; i -= 2) locks[i]->unlock();
    for (auto& lock : locks) {
      if (lock->locked()) ++misbehaved;
    }
    deep_done.set();
  }, "deep");
  lockgraph::Thread reverse([&] {
    deep_done.wait();
    std::lock_guard hold_63(*locks[63]);
    std::lock_guard hold_62(*locks[62]);  // edge: L063 -> L062 (reverse)
  }, "reverse");
  deep.start();
  reverse.start();
  deep.join();
  reverse.join();

  std::printf("misbehaved=%d\n", misbehaved);
  lockgraph::stress::PrintPeakRss();
  return 0;
}

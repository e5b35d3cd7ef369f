// Two threads take `left` and `right` in opposite orders, and meet through an unrelated lock
// `common` in between (the first takes it after its nesting, the second before). That
// release/acquire orders them in this run only: another schedule swaps the two critical
// sections of `common` and deadlocks. Full mode must still report the cycle.
#include <atomic>

#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Lock left("left"), right("right"), common("common");
std::atomic<bool> first_done{false};

int main() {
  lockgraph::Thread first([] {
    {
      std::lock_guard hold_left(left);
      std::lock_guard hold_right(right);  // edge: left -> right
    }
    { std::lock_guard hold(common); }
    first_done.store(true);
    first_done.notify_one();
  }, "first");
  lockgraph::Thread second([] {
    first_done.wait(false);
    { std::lock_guard hold(common); }
    std::lock_guard hold_right(right);
    std::lock_guard hold_left(left);  // edge: right -> left
  }, "second");
  first.start();
  second.start();
  first.join();
  second.join();
  return 0;
}

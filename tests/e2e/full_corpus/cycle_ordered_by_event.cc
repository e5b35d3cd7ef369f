// Two threads take `left` and `right` in opposite orders, but the second starts its nesting
// only after the first has set an Event: no schedule runs the two orders at once. Deps mode
// cannot see the Event and reports the cycle; full mode rules it out.
#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Lock left("left"), right("right");
lockgraph::Event done("done");

int main() {
  lockgraph::Thread first([] {
    {
      std::lock_guard hold_left(left);
      std::lock_guard hold_right(right);  // edge: left -> right
    }
    done.set();
  }, "first");
  lockgraph::Thread second([] {
    done.wait();
    std::lock_guard hold_right(right);
    std::lock_guard hold_left(left);  // edge: right -> left
  }, "second");
  first.start();
  second.start();
  first.join();
  second.join();
  return 0;
}

// Corpus: two threads take A and B in opposite orders, but always inside a third lock, the
// gate, so only one of them is ever between its two acquisitions. Expected: clean; the
// cycle A -> B -> A is ruled out ("gate lock" "gate"), and --explain says so.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock gate("gate");  // lock: gate
lockgraph::Lock a("A");
lockgraph::Lock b("B");
lockgraph::Event forward_done;

void Forward() {
  std::lock_guard hold_gate(gate);
  std::lock_guard hold_a(a);
  std::lock_guard hold_b(b);  // edge: A -> B
}

void Backward() {
  forward_done.wait();
  std::lock_guard hold_gate(gate);
  std::lock_guard hold_b(b);
  std::lock_guard hold_a(a);  // edge: B -> A
}

}  // namespace

int main() {
  lockgraph::Thread forward([] {
    Forward();
    forward_done.set();
  }, "forward");
  lockgraph::Thread backward(Backward, "backward");
  forward.start();
  backward.start();
  forward.join();
  backward.join();
  return 0;
}

// Corpus: two threads take two locks in opposite orders (ABBA). Expected: one `deadlock`
// between "A" and "B", one edge per thread.
//
// The threads start together and an Event only sequences this run (so it never hangs);
// nothing orders them by start/join, so another schedule deadlocks.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock a("A");  // lock: A
lockgraph::Lock b("B");  // lock: B
lockgraph::Event forward_done;

void Forward() {
  std::lock_guard hold_a(a);  // held: A (forward)
  std::lock_guard hold_b(b);  // edge: A -> B
}

void Backward() {
  forward_done.wait();
  std::lock_guard hold_b(b);  // held: B (backward)
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

// Corpus: a thread takes A -> B and is joined before a second thread, taking B -> A, is
// started: the two orders can never overlap. Expected: clean; the cycle is ruled out as
// "ordered by thread start/join".
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock a("A");
lockgraph::Lock b("B");

void Forward() {
  std::lock_guard hold_a(a);
  std::lock_guard hold_b(b);  // edge: A -> B
}

void Backward() {
  std::lock_guard hold_b(b);
  std::lock_guard hold_a(a);  // edge: B -> A
}

}  // namespace

int main() {
  lockgraph::Thread forward(Forward, "forward");
  forward.start();
  forward.join();  // join: forward
  lockgraph::Thread backward(Backward, "backward");
  backward.start();  // start: backward
  backward.join();
  return 0;
}

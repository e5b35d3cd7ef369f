// Corpus: two threads take Locks A and B in opposite orders, each inside SharedLock "gate".
//   readers  both threads read the gate: readers are inside it together, so it serializes
//            nothing. Expected: one `deadlock` between A and B.
//   writer   backward writes the gate: it excludes forward's read, so only one thread is ever
//            between its two acquisitions. Expected: clean, the cycle ruled out (gate lock).
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::SharedLock gate("gate");  // lock: gate
lockgraph::Lock a("A");
lockgraph::Lock b("B");
lockgraph::Event forward_done;

void Forward() {
  std::shared_lock read_gate(gate);
  std::lock_guard hold_a(a);  // gate: forward holds A
  std::lock_guard hold_b(b);  // gate: forward takes B
}

void Backward(bool write_gate) {
  std::shared_lock read_gate(gate, std::defer_lock);
  std::unique_lock write(gate, std::defer_lock);
  write_gate ? write.lock() : read_gate.lock();
  std::lock_guard hold_b(b);  // gate: backward holds B
  std::lock_guard hold_a(a);  // gate: backward takes A
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const bool writer = std::strcmp(argv[1], "writer") == 0;
  if (!writer && std::strcmp(argv[1], "readers") != 0) return 2;
  lockgraph::Thread forward([] {
    Forward();
    forward_done.set();
  }, "forward");
  lockgraph::Thread backward([writer] {
    forward_done.wait();
    Backward(writer);
  }, "backward");
  forward.start();
  backward.start();
  forward.join();
  backward.join();
  return 0;
}

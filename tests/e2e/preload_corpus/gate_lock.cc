// Preload corpus: two threads take A and B in opposite orders, but always inside a third
// std::mutex, the gate. Expected: clean; the cycle A -> B -> A is ruled out, and --explain
// names the gate (a class named by its first lock, in Forward()).
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex gate, a, b;
Flag forward_done;

void Forward() {
  std::lock_guard hold_gate(gate);  // first use: gate
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
  std::thread forward = StartInOrder([] {
    Forward();
    forward_done.set();
  });
  std::thread backward = StartInOrder(Backward);
  forward.join();
  backward.join();
  return 0;
}

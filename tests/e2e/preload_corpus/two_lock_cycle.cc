// Preload corpus: two std::threads take two std::mutexes in opposite orders (ABBA).
// Expected under `lockgraph run`: one `deadlock` between the two mutexes, one edge per thread.
// Each mutex's class is the site of its first lock: A in Forward(), B in Forward() too.
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a;
std::mutex b;
Flag forward_done;

void Forward() {
  std::lock_guard hold_a(a);  // held: A (forward); first use: A
  std::lock_guard hold_b(b);  // edge: A -> B; first use: B
}

void Backward() {
  forward_done.wait();
  std::lock_guard hold_b(b);  // held: B (backward)
  std::lock_guard hold_a(a);  // edge: B -> A
}

}  // namespace

int main() {
  std::thread forward = StartInOrder([] {  // thread 2
    Forward();
    forward_done.set();
  });
  std::thread backward = StartInOrder(Backward);  // thread 3
  forward.join();
  backward.join();
  return 0;
}

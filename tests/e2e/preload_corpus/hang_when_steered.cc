// Preload corpus: the ABBA of two_lock_cycle.cc (sequenced by a flag lockgraph does not see),
// in a program that, when `lockgraph confirm` steers it (LOCKGRAPH_STEER is set), first
// waits for ever on something that is no lock (pause()). Expected: the first run predicts
// the deadlock; confirm's steered run is killed after --run-timeout and the finding is not
// reproduced. Stands for a program that hangs outside lock cycles.
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a;
std::mutex b;
Flag forward_done;

void Forward() {
  std::lock_guard hold_a(a);
  std::lock_guard hold_b(b);  // A -> B
}

void Backward() {
  forward_done.wait();
  std::lock_guard hold_b(b);
  std::lock_guard hold_a(a);  // B -> A
}

}  // namespace

int main() {
  if (std::getenv("LOCKGRAPH_STEER") != nullptr) pause();
  std::thread backward(Backward);
  std::thread forward([] {
    Forward();
    forward_done.set();
  });
  forward.join();
  backward.join();
  return 0;
}

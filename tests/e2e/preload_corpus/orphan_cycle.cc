// Preload corpus: the ABBA of two_lock_cycle.cc, taken by a child process once its parent has
// ended (an orphan, like a daemon a test leaves behind or Python's resource tracker).
// Expected under `lockgraph run`: lockgraph waits for the orphan before it reads the traces,
// so the report has the child's `deadlock`, one edge per thread of the child.
#include <unistd.h>

#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a;
std::mutex b;
Flag forward_done;

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
  int parent_alive[2];
  if (pipe(parent_alive) != 0) return 1;
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child != 0) return 0;  // the parent ends at once; its end of the pipe closes with it
  close(parent_alive[1]);
  char c;
  while (read(parent_alive[0], &c, 1) > 0) {
  }
  std::thread forward = StartInOrder([] {
    Forward();
    forward_done.set();
  });
  std::thread backward = StartInOrder(Backward);
  forward.join();
  backward.join();
  return 0;
}

// Corpus: three threads that really deadlock in a ring of Locks: thread i holds lock i,
// waits until all three hold theirs, then asks for lock i+1. Expected: one "deadlock now"
// report naming the three waits, exit status 86.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock locks[3] = {lockgraph::Lock("L0"), lockgraph::Lock("L1"), lockgraph::Lock("L2")};
std::atomic<int> holding{0};

void Ring(int i) {
  std::lock_guard hold(locks[i]);  // holds: own lock
  holding.fetch_add(1);
  holding.notify_all();
  for (int now = holding.load(); now < 3; now = holding.load()) holding.wait(now);
  std::lock_guard wait(locks[(i + 1) % 3]);  // waits: next lock
}

}  // namespace

int main() {
  alarm(60);
  lockgraph::Thread first([] { Ring(0); }, "ring-0");
  lockgraph::Thread second([] { Ring(1); }, "ring-1");
  lockgraph::Thread third([] { Ring(2); }, "ring-2");
  first.start();
  second.start();
  third.start();
  first.join();
  second.join();
  third.join();
  std::puts("not reached");
  return 0;
}

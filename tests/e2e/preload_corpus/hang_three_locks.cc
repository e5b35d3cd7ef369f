// Preload corpus: three threads that really deadlock in a ring: thread i holds lock i, waits
// until all three hold theirs, then asks for lock i+1. Expected under `lockgraph run`: one
// "deadlock now" report naming the three waits, exit status 86.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex locks[3];
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
  std::thread first = StartInOrder([] { Ring(0); });   // thread 2
  std::thread second = StartInOrder([] { Ring(1); });  // thread 3
  std::thread third = StartInOrder([] { Ring(2); });   // thread 4
  first.join();
  second.join();
  third.join();
  std::puts("not reached");
  return 0;
}

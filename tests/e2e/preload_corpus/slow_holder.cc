// Preload corpus: "holder" keeps a std::mutex for two seconds, longer than the default
// deadlock_check (1 s), while "waiter" blocks on it. Slow is not a deadlock: the holder waits
// for nothing, so no waits-for cycle closes and the program runs to the end (exit 0).
//
// The sleep is the behaviour under test (a long hold), not a way to order threads: the
// order comes from the flag.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex resource;
Flag taken;

void Hold() {
  std::lock_guard hold(resource);  // holder: takes resource
  taken.set();
  std::this_thread::sleep_for(std::chrono::seconds(2));
}

void Wait() {
  taken.wait();
  std::lock_guard wait(resource);  // waiter: waits for resource
}

}  // namespace

int main() {
  std::thread holder = StartInOrder(Hold);  // thread 2
  std::thread waiter = StartInOrder(Wait);  // thread 3
  holder.join();
  waiter.join();
  std::puts("done");
  return 0;
}

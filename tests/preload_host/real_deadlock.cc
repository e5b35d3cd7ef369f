// Two threads that really deadlock on two std::mutex. Under the preload with
// on_cycle=abort, the second order is checked before its thread blocks and the process aborts
// with the report instead of hanging. alarm() ends it if that ever fails, so a test cannot hang.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

int main() {
  alarm(20);
  std::mutex a, b;
  std::atomic<int> step{0};
  std::thread first([&] {
    std::unique_lock hold_a(a);
    { std::lock_guard once(b); }  // a -> b
    step = 1;
    step.notify_all();
    step.wait(1);                 // until the other thread holds b
    std::lock_guard wait_for_b(b);  // blocks
  });
  std::thread second([&] {
    step.wait(0);
    std::lock_guard hold_b(b);
    step = 2;
    step.notify_all();
    std::lock_guard wait_for_a(a);  // b -> a: closes the cycle
  });
  first.join();
  second.join();
  std::puts("not reached");
  return 0;
}

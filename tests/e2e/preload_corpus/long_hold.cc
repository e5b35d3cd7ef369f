// Preload corpus: "holder" keeps a std::mutex for 500 ms while "waiter", started once the
// holder has it, blocks on it. Expected with long_wait=50ms in the runtime's options and
// --long-wait=100ms: one `long-wait`, waited for by thread 3 and held by thread 2, both
// stacks in this file.
//
// `long_hold MS` holds it MS milliseconds instead: with 2000, longer than the default
// deadlock_check (1 s), it shows that slow is not a deadlock (live_deadlock_test.cc): the
// holder waits for nothing, no waits-for cycle closes, the program runs to its end.
//
// The sleep is the behaviour under test (a long hold), not a way to order threads: the
// order comes from the flag and the waiter's start.
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex resource;
Flag taken;
int hold_ms = 500;

void Hold() {
  std::lock_guard hold(resource);  // holder: takes resource
  taken.set();
  std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
}

void Wait() {
  std::lock_guard wait(resource);  // waiter: waits for resource
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) hold_ms = std::atoi(argv[1]);
  std::thread holder = StartInOrder(Hold);  // thread 2
  taken.wait();
  std::thread waiter = StartInOrder(Wait);  // thread 3
  holder.join();
  waiter.join();
  return 0;
}

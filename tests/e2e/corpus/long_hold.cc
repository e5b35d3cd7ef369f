// Corpus: "holder" keeps a lock for 500 ms while "waiter", started once the holder has it,
// blocks on it. Expected: one `long-wait` on "resource" (with --long-wait=100ms), waited
// for by "waiter" and held by "holder", both stacks in this file.
//
// The sleep is the behaviour under test (a long hold), not a way to order threads: the
// order comes from the Event and the waiter's start.
#include <chrono>
#include <mutex>
#include <thread>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock resource("resource");  // lock: resource
lockgraph::Event taken;

void Hold() {
  std::lock_guard hold(resource);  // holder: takes resource
  taken.set();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

void Wait() {
  std::lock_guard wait(resource);  // waiter: waits for resource
}

}  // namespace

int main() {
  lockgraph::Thread holder(Hold, "holder");
  holder.start();
  taken.wait();
  lockgraph::Thread waiter(Wait, "waiter");
  waiter.start();
  holder.join();
  waiter.join();
  return 0;
}

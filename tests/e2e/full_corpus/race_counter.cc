// A counter incremented by two threads with no lock: a data race. The threads never run the
// increments at once here (an atomic flag lockgraph does not see orders them), so the program
// is well defined, yet nothing it declares orders them: another schedule overlaps them.
#include <atomic>

#include "lockgraph/lockgraph.h"

lockgraph::Shared<int> hits{0, "hits"};
std::atomic<bool> first_done{false};

int main() {
  lockgraph::Thread a([] {
    hits.update([](int& n) { ++n; });  // race: first
    first_done.store(true, std::memory_order_release);
    first_done.notify_one();
  }, "adder");
  lockgraph::Thread b([] {
    first_done.wait(false, std::memory_order_acquire);
    hits.update([](int& n) { ++n; });  // race: second
  }, "bumper");
  a.start();
  b.start();
  a.join();
  b.join();
  return hits.read() == 2 ? 0 : 1;
}

// One Event releases every thread waiting on it, as in Python's threading.Event examples.
// Each released thread counts itself under `tally` and prints under `console` while still
// holding `tally` (tally -> console, one order: no cycle).
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kWaiters = 5;

lockgraph::Event go("go");
lockgraph::Semaphore ready(0, "ready");  // each waiter signals it is about to wait
lockgraph::Lock tally("tally");
lockgraph::Lock console("console");
int released = 0;

void Waiter() {
  ready.release();
  go.wait();
  std::lock_guard count(tally);
  ++released;
  std::lock_guard print(console);
  std::printf("released: %d\n", released);
}

}  // namespace

int main() {
  std::vector<std::unique_ptr<lockgraph::Thread>> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.push_back(std::make_unique<lockgraph::Thread>(Waiter, "waiter-" + std::to_string(i)));
    threads.back()->start();
  }
  for (int i = 0; i < kWaiters; ++i) ready.acquire();
  std::printf("event set: %s before set()\n", go.is_set() ? "was" : "was not");
  go.set();
  for (auto& t : threads) t->join();
  std::printf("the event released %d of %d waiting threads\n", released, kWaiters);
  return released == kWaiters ? 0 : 1;
}

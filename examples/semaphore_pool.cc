// A Semaphore(3) lets at most three of ten threads into a section, as in the connection-pool
// example of Python's threading documentation. The first threads inside wait until the pool
// has been full once, so the peak of 3 is reached on every run, without sleeping.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kThreads = 10;
constexpr int kSlots = 3;

lockgraph::Semaphore slots(kSlots, "slots");
lockgraph::Condition pool_state("pool_state");
int inside = 0;
int highest = 0;
int entered = 0;

void UsePool() {
  std::lock_guard permit(slots);  // one of the three permits
  std::unique_lock hold(pool_state);
  ++inside;
  ++entered;
  highest = std::max(highest, inside);
  pool_state.notify_all();
  pool_state.wait([] { return highest == kSlots || entered == kThreads; });
  --inside;
}

}  // namespace

int main() {
  std::vector<std::unique_ptr<lockgraph::Thread>> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.push_back(std::make_unique<lockgraph::Thread>(UsePool, "user-" + std::to_string(i)));
    threads.back()->start();
  }
  for (auto& t : threads) t->join();
  std::printf("%d threads used the pool; highest concurrency: %d (limit %d)\n", entered,
              highest, kSlots);
  return highest == kSlots ? 0 : 1;
}

// Corpus: five dining philosophers who always take the lower-numbered of their two forks
// first (philosopher 4 takes fork0, then fork4). Expected: clean, no cycle at all.
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kPhilosophers = 5;

lockgraph::Lock forks[kPhilosophers] = {
    lockgraph::Lock("fork0"), lockgraph::Lock("fork1"), lockgraph::Lock("fork2"),
    lockgraph::Lock("fork3"), lockgraph::Lock("fork4")};
lockgraph::Event ate[kPhilosophers];
int meals = 0;

void Dine(int i) {
  if (i > 0) ate[i - 1].wait();
  const int left = i, right = (i + 1) % kPhilosophers;
  std::lock_guard hold_first(forks[std::min(left, right)]);   // held: lower fork
  std::lock_guard hold_second(forks[std::max(left, right)]);  // edge: lower -> higher
  ++meals;
  ate[i].set();
}

}  // namespace

int main() {
  std::vector<std::unique_ptr<lockgraph::Thread>> philosophers;
  for (int i = 0; i < kPhilosophers; ++i) {
    philosophers.push_back(std::make_unique<lockgraph::Thread>(
        [i] { Dine(i); }, "philosopher" + std::to_string(i)));
  }
  for (auto& p : philosophers) p->start();
  for (auto& p : philosophers) p->join();
  return meals == kPhilosophers ? 0 : 1;
}

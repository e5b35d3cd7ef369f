// Corpus: five dining philosophers, each taking its left fork (i) and then its right fork
// (i + 1) % 5. Expected: one `deadlock` over the five forks, one edge per philosopher.
//
// Each philosopher eats once, in turn (Events), so this run never hangs; all five threads
// are started before any eats, so nothing but luck keeps them apart.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kPhilosophers = 5;

lockgraph::Lock forks[kPhilosophers] = {
    lockgraph::Lock("fork0"), lockgraph::Lock("fork1"), lockgraph::Lock("fork2"),
    lockgraph::Lock("fork3"), lockgraph::Lock("fork4")};  // lock: forks
lockgraph::Event ate[kPhilosophers];
int meals = 0;

void Dine(int i) {
  if (i > 0) ate[i - 1].wait();
  lockgraph::Lock& left = forks[i];
  lockgraph::Lock& right = forks[(i + 1) % kPhilosophers];
  std::lock_guard hold_left(left);    // held: left fork
  std::lock_guard hold_right(right);  // edge: left -> right
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

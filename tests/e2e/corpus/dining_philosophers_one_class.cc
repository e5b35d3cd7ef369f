// Corpus: dining_philosophers_naive as it is usually written, with an array of forks built
// at one site, so all five forks are one lock class. Expected: the same single `deadlock`
// over the five fork instances; the class graph's fork -> fork edge is only the image of
// that cycle, so no `potential` besides it (docs/analysis.md, "Findings").
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kPhilosophers = 5;

lockgraph::Lock forks[kPhilosophers];  // lock: forks (one class)
lockgraph::Event ate[kPhilosophers];
int meals = 0;

void Dine(int i) {
  if (i > 0) ate[i - 1].wait();
  std::lock_guard hold_left(forks[i]);                         // held: left fork
  std::lock_guard hold_right(forks[(i + 1) % kPhilosophers]);  // edge: left -> right
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

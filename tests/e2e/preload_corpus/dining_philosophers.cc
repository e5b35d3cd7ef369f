// Preload corpus: five dining philosophers over an array of five std::mutexes, each eating
// once, in turn. `dining_philosophers naive`: philosopher i takes fork i, then fork i + 1
// (mod 5); expected: one `deadlock` over the five forks. `dining_philosophers ordered`: each
// takes the lower-numbered of its forks first; expected: clean, no cycle at all.
//
// Classes are first-lock sites: fork 0 is first taken as philosopher 0's first fork, the
// other four as some philosopher's second fork.
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "sequencing.h"

namespace {

constexpr int kPhilosophers = 5;

std::mutex forks[kPhilosophers];
Flag ate[kPhilosophers];
int meals = 0;

void Dine(int i, bool ordered) {
  if (i > 0) ate[i - 1].wait();
  int first = i, second = (i + 1) % kPhilosophers;
  if (ordered && first > second) std::swap(first, second);
  std::lock_guard hold_first(forks[first]);    // held: first fork
  std::lock_guard hold_second(forks[second]);  // edge: first -> second
  ++meals;
  ate[i].set();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "naive") != 0 && std::strcmp(argv[1], "ordered") != 0)) {
    return 2;
  }
  const bool ordered = std::strcmp(argv[1], "ordered") == 0;
  std::vector<std::thread> philosophers;
  for (int i = 0; i < kPhilosophers; ++i) {
    philosophers.push_back(StartInOrder([i, ordered] { Dine(i, ordered); }));  // thread i + 2
  }
  for (std::thread& p : philosophers) p.join();
  return meals == kPhilosophers ? 0 : 1;
}

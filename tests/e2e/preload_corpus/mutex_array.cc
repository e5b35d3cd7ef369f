// Preload corpus: arrays of mutexes that every thread locks pairwise in increasing index
// order, each thread starting at a different index, the last-starting thread first: which
// thread touches an element first decides nothing. Expected under `lockgraph run`: no finding
// for the heap array (one class per element offset of one allocation) nor for the static one
// (one class per element). With classes from first use, elements first locked on the "first"
// line and on the "second" line would form a `potential` cycle no order of the locks has.
#include <mutex>
#include <thread>
#include <vector>

#include "sequencing.h"

namespace {

constexpr int kThreads = 4;
constexpr int kLocks = 2 * kThreads;
std::mutex g_row[kLocks];
Flag turn[kThreads + 1];

void LockPairsFrom(std::mutex* locks, int start) {
  for (int i = start; i + 1 < kLocks; ++i) {
    std::lock_guard first(locks[i]);       // pair: first
    std::lock_guard second(locks[i + 1]);  // pair: second
  }
}

}  // namespace

int main() {
  auto* heap_row = new std::vector<std::mutex>(kLocks);  // allocated: heap_row
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.push_back(StartInOrder([t, heap_row] {
      turn[kThreads - 1 - t].wait();  // the thread starting last goes first
      LockPairsFrom(heap_row->data(), 2 * t);
      LockPairsFrom(g_row, 2 * t);
      turn[kThreads - t].set();
    }));
  }
  turn[0].set();
  for (std::thread& t : threads) t.join();
  delete heap_row;
  return 0;
}

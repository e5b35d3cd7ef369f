// Preload corpus: two threads take two std::mutex in opposite orders, a fifth of a second
// apart: "early" at once, "late" after a sleep, as periodic work does. In a normal run the
// orders never overlap, yet nothing orders the threads: a slow enough "early" deadlocks.
// Expected: a `deadlock` that `lockgraph confirm` confirms (its steering holds "early" back,
// holding A, until "late" holds B).
//
// The sleep is the program's behaviour, not a test's way to order threads: either
// interleaving yields the same finding, and under confirm the same deadlock.
#include <chrono>
#include <mutex>
#include <thread>

namespace {

std::mutex a;
std::mutex b;

void Early() {
  std::lock_guard hold_a(a);  // early: holds A
  std::lock_guard hold_b(b);  // early: takes B
}

void Late() {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::lock_guard hold_b(b);  // late: holds B
  std::lock_guard hold_a(a);  // late: takes A
}

}  // namespace

int main() {
  std::thread early(Early);
  std::thread late(Late);
  early.join();
  late.join();
  return 0;
}

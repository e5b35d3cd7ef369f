// Preload corpus: two threads that really deadlock on two std::mutex (ABBA). Each takes its
// first lock, waits until the other holds its own, then asks for the other's: the hang
// happens in every run, by construction, not by timing. Expected under `lockgraph run`: the
// live check ends it with a "deadlock now" report naming both waits, exit status 86.
// alarm() ends it if that ever fails, so a test cannot hang.
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a;
std::mutex b;
Flag a_held;
Flag b_held;

void Forward() {
  std::lock_guard hold_a(a);  // holds: A
  a_held.set();
  b_held.wait();
  std::lock_guard wait_b(b);  // waits: B
}

void Backward() {
  std::lock_guard hold_b(b);  // holds: B
  b_held.set();
  a_held.wait();
  std::lock_guard wait_a(a);  // waits: A
}

}  // namespace

int main() {
  alarm(60);
  std::thread forward = StartInOrder(Forward);    // thread 2
  std::thread backward = StartInOrder(Backward);  // thread 3
  forward.join();
  backward.join();
  std::puts("not reached");
  return 0;
}

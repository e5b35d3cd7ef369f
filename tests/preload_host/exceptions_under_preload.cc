// C++ exceptions thrown through std::mutex scopes still work with the preload (and its copy of
// LLVM's libunwind) loaded: each throw comes right after a new lock order was recorded, so the
// runtime has just unwound the stack itself.
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>

int main() {
  std::mutex outer;
  int caught = 0;
  for (int round = 0; round < 50; ++round) {
    std::mutex inner;  // a new lock each round: a new dependency, a stack capture
    try {
      std::lock_guard hold_outer(outer);
      std::lock_guard hold_inner(inner);
      throw std::runtime_error("round " + std::to_string(round));
    } catch (const std::runtime_error& e) {
      ++caught;
    }
    if (!outer.try_lock()) return 2;  // released by the unwinding
    outer.unlock();
  }
  std::printf("caught %d exceptions\n", caught);
  return caught == 50 ? 0 : 1;
}

// Preload corpus: "reenter" takes the std::recursive_mutex R, then the std::mutex L, then R
// again while holding L. Re-entering a recursive mutex its thread owns cannot block, so it
// adds no L -> R edge; "nested" takes R -> L too. Expected: clean, no cycle considered,
// exactly the two R -> L dependencies.
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::recursive_mutex r;
std::mutex l;
Flag reentered;

void Reenter() {
  std::lock_guard hold_r(r);
  std::lock_guard hold_l(l);   // edge: R -> L (reenter)
  std::lock_guard again_r(r);  // re-entry: R while holding L
}

void Nested() {
  reentered.wait();
  std::lock_guard hold_r(r);
  std::lock_guard hold_l(l);  // edge: R -> L (nested)
}

}  // namespace

int main() {
  std::thread reenter = StartInOrder([] {
    Reenter();
    reentered.set();
  });
  std::thread nested = StartInOrder(Nested);
  reenter.join();
  nested.join();
  return 0;
}

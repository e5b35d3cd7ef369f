// Corpus: "reenter" takes the RLock R, then L, then R again while holding L. Re-entering an
// RLock its thread owns cannot block, so it adds no L -> R edge; "nested" takes R -> L too.
// Expected: clean, no cycle considered, exactly the two R -> L dependencies.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::RLock r("R");
lockgraph::Lock l("L");
lockgraph::Event reentered;

void Reenter() {
  std::lock_guard hold_r(r);
  std::lock_guard hold_l(l);  // edge: R -> L (reenter)
  std::lock_guard again_r(r);  // re-entry: R while holding L
}

void Nested() {
  reentered.wait();
  std::lock_guard hold_r(r);
  std::lock_guard hold_l(l);  // edge: R -> L (nested)
}

}  // namespace

int main() {
  lockgraph::Thread reenter([] {
    Reenter();
    reentered.set();
  }, "reenter");
  lockgraph::Thread nested(Nested, "nested");
  reenter.start();
  nested.start();
  reenter.join();
  nested.join();
  return 0;
}

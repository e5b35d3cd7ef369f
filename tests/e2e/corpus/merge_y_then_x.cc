// Corpus, with merge_x_then_y.cc: this program takes Y -> X only and is clean alone.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock x("X");
lockgraph::Lock y("Y");

}  // namespace

int main() {
  lockgraph::Thread worker([] {
    std::lock_guard hold_y(y);
    std::lock_guard hold_x(x);  // edge: Y -> X
  }, "y_then_x");
  worker.start();
  worker.join();
  return 0;
}

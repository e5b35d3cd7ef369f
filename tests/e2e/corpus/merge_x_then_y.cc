// Corpus, with merge_y_then_x.cc: this program takes X -> Y only and is clean alone; the
// other takes Y -> X. Analyzed together, their traces merge into one graph by class name.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock x("X");
lockgraph::Lock y("Y");

}  // namespace

int main() {
  lockgraph::Thread worker([] {
    std::lock_guard hold_x(x);
    std::lock_guard hold_y(y);  // edge: X -> Y
  }, "x_then_y");
  worker.start();
  worker.join();
  return 0;
}

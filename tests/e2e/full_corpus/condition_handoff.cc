// A flag under a Condition's lock, then a value written before notify and read after the
// woken wait. No race.
#include <cstdlib>
#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Shared<int> box{0, "box"};
lockgraph::Condition changed("changed");
bool full = false;

int main() {
  lockgraph::Thread reader([] {
    {
      std::unique_lock hold(changed);
      changed.wait([] { return full; });
    }
    if (box.read() != 9) std::abort();
  }, "reader");
  reader.start();
  box.write(9);
  {
    std::lock_guard hold(changed);
    full = true;
    changed.notify();
  }
  reader.join();
  return 0;
}

// A value handed over through an Event: set() orders the write before the wait()'s reader.
#include "lockgraph/lockgraph.h"

lockgraph::Shared<int> box{0, "box"};
lockgraph::Event ready("ready");

int main() {
  lockgraph::Thread reader([] {
    ready.wait();
    if (box.read() != 7) std::abort();
  }, "reader");
  reader.start();
  box.write(7);
  ready.set();
  reader.join();
  return 0;
}

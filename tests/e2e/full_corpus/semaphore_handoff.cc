// A semaphore of value 0 used as a signal: the release orders the write before the reader
// that acquires it. No race.
#include <cstdlib>

#include "lockgraph/lockgraph.h"

lockgraph::Shared<int> box{0, "box"};
lockgraph::Semaphore filled(0, "filled");

int main() {
  lockgraph::Thread reader([] {
    filled.acquire();
    if (box.read() != 5) std::abort();
  }, "reader");
  reader.start();
  box.write(5);
  filled.release();
  reader.join();
  return 0;
}

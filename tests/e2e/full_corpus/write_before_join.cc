// A thread writes, main joins it and reads: join orders them, no race.
#include "lockgraph/lockgraph.h"

lockgraph::Shared<int> result{0, "result"};

int main() {
  lockgraph::Thread worker([] { result.write(42); }, "worker");
  worker.start();
  worker.join();
  return result.read() == 42 ? 0 : 1;
}

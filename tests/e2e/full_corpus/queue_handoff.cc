// A value handed back and forth through two Queues: each put orders the writes before it
// before the get that takes its item. No race.
#include <cstdlib>

#include "lockgraph/lockgraph.h"

lockgraph::Shared<int> box{0, "box"};
lockgraph::Queue<int> jobs(0, "jobs");
lockgraph::Queue<int> acks(0, "acks");

int main() {
  lockgraph::Thread consumer([] {
    for (int i = 0; i < 100; ++i) {
      if (jobs.get() != i || box.read() != i) std::abort();
      acks.put(i);
    }
  }, "consumer");
  consumer.start();
  for (int i = 0; i < 100; ++i) {
    box.write(i);
    jobs.put(i);
    if (acks.get() != i) return 1;
  }
  consumer.join();
  return 0;
}

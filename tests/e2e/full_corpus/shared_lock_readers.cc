// A value under a SharedLock: "writer" updates it holding the lock exclusively, two readers
// read it holding it shared. Each read is ordered after the writes before its hold, each
// write after the reads before its own: no race, whatever the schedule.
#include <mutex>
#include <shared_mutex>

#include "lockgraph/lockgraph.h"

lockgraph::SharedLock table_mu("table_mu");
lockgraph::Shared<int> table{0, "table"};

void Write() {
  for (int i = 0; i < 100; ++i) {
    std::unique_lock write(table_mu);
    table.update([](int& n) { ++n; });
  }
}

void Read() {
  for (int i = 0; i < 100; ++i) {
    std::shared_lock read(table_mu);
    (void)table.read();
  }
}

int main() {
  lockgraph::Thread writer(Write, "writer"), first(Read, "first"), second(Read, "second");
  writer.start();
  first.start();
  second.start();
  writer.join();
  first.join();
  second.join();
  std::shared_lock read(table_mu);
  return table.read() == 100 ? 0 : 1;
}

// Raw memory annotated with LOCKGRAPH_WRITE / LOCKGRAPH_READ, written by one thread and read
// by another with nothing lockgraph sees in between: a race on the buffer.
#include <atomic>
#include <cstdlib>

#include "lockgraph/lockgraph.h"

int buffer[16];
std::atomic<bool> written{false};

int main() {
  lockgraph::Thread writer([] {
    LOCKGRAPH_WRITE(&buffer[3], sizeof buffer[3]);  // race: write
    buffer[3] = 11;
    written.store(true, std::memory_order_release);
    written.notify_one();
  }, "writer");
  lockgraph::Thread reader([] {
    written.wait(false, std::memory_order_acquire);
    LOCKGRAPH_READ(&buffer[3], sizeof buffer[3]);  // race: read
    if (buffer[3] != 11) std::abort();
  }, "reader");
  writer.start();
  reader.start();
  writer.join();
  reader.join();
  return 0;
}

// Corpus: a reader and a writer of two SharedLocks that really deadlock. "reader" reads A and
// then wants to read B; "writer" writes B and then wants to write A. Each takes its first
// lock, waits until the other holds its own, then asks for the other's: the reader waits for
// the writer's exclusive hold, the writer for the reader's shared one, in every run, by
// construction. Expected: the live check ends it with a "deadlock now" report naming both
// waits, exit status 86; the trace holds the observed deadlock. alarm() ends it if that ever
// fails, so a test cannot hang.
//
// The threads meet on a std::atomic, which lockgraph does not see.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <shared_mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::SharedLock a("A");
lockgraph::SharedLock b("B");
std::atomic<int> holding{0};

void BothHold() {
  holding.fetch_add(1);
  holding.notify_all();
  for (int now = holding.load(); now < 2; now = holding.load()) holding.wait(now);
}

void Reader() {
  std::shared_lock hold(a);  // holds: A (reader)
  BothHold();
  std::shared_lock wait(b);  // waits: B (reader)
}

void Writer() {
  std::unique_lock hold(b);  // holds: B (writer)
  BothHold();
  std::unique_lock wait(a);  // waits: A (writer)
}

}  // namespace

int main() {
  alarm(60);
  lockgraph::Thread reader(Reader, "reader");
  lockgraph::Thread writer(Writer, "writer");
  reader.start();
  writer.start();
  reader.join();
  writer.join();
  std::puts("not reached");
  return 0;
}

// Corpus: two threads that really deadlock on two Locks (ABBA). Each takes its first lock,
// waits until the other holds its own, then asks for the other's: the hang happens in every
// run, by construction. Expected: the live check ends it with a "deadlock now" report naming
// both waits, exit status 86; the trace holds the observed deadlock. alarm() ends it if that
// ever fails, so a test cannot hang.
//
// The threads meet on a std::atomic, which lockgraph does not see (an Event would be a
// signal that orders the two threads' acquisitions for the analysis).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock a("A");
lockgraph::Lock b("B");
std::atomic<int> holding{0};

void HoldThenWait(lockgraph::Lock& first, lockgraph::Lock& second) {
  std::lock_guard hold(first);  // holds: first
  holding.fetch_add(1);
  holding.notify_all();
  for (int now = holding.load(); now < 2; now = holding.load()) holding.wait(now);
  std::lock_guard wait(second);  // waits: second
}

}  // namespace

int main() {
  alarm(60);
  lockgraph::Thread forward([] { HoldThenWait(a, b); }, "forward");
  lockgraph::Thread backward([] { HoldThenWait(b, a); }, "backward");
  forward.start();
  backward.start();
  forward.join();
  backward.join();
  std::puts("not reached");
  return 0;
}

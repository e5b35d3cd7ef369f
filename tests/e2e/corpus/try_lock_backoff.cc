// Corpus: "locker" takes A -> B; "backoff" holds B and only try_locks A, releasing B and
// retrying when that fails. A try_lock cannot block, so the orders B -> A never wait.
// Expected: clean, no cycle (the try acquisition is no lock-order edge).
//
// The Events make the first try_lock fail (locker holds A) and the retry succeed.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock a("A");
lockgraph::Lock b("B");
lockgraph::Event a_held, backed_off, locker_done;
int attempts = 0;

void Locker() {
  std::lock_guard hold_a(a);
  a_held.set();
  backed_off.wait();  // backoff has tried A once and let B go
  std::lock_guard hold_b(b);  // edge: A -> B
}

void Backoff() {
  a_held.wait();
  for (;;) {
    ++attempts;
    std::unique_lock hold_b(b);
    if (a.try_lock()) {  // try: B -> A
      a.unlock();
      return;
    }
    hold_b.unlock();  // back off: never wait for A while holding B
    backed_off.set();
    locker_done.wait();
  }
}

}  // namespace

int main() {
  lockgraph::Thread locker([] {
    Locker();
    locker_done.set();
  }, "locker");
  lockgraph::Thread backoff(Backoff, "backoff");
  locker.start();
  backoff.start();
  locker.join();
  backoff.join();
  return attempts == 2 ? 0 : 1;
}

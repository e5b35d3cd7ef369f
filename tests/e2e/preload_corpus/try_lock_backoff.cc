// Preload corpus: "locker" takes A -> B; "backoff" holds B and only std::mutex::try_locks A
// (pthread_mutex_trylock), letting B go and retrying when that fails. A try cannot block, so
// B -> A is no lock-order edge. Expected: clean, no cycle considered.
//
// The flags make the first try fail (locker holds A) and the retry succeed; the program
// exits 0 only if it went that way.
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a, b;
Flag a_held, backed_off, locker_done;
int attempts = 0;

void Locker() {
  std::lock_guard hold_a(a);
  a_held.set();
  backed_off.wait();          // backoff has tried A once and let B go
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
  std::thread locker = StartInOrder([] {
    Locker();
    locker_done.set();
  });
  std::thread backoff = StartInOrder(Backoff);
  locker.join();
  backoff.join();
  return attempts == 2 ? 0 : 1;
}

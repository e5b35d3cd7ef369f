// Preload corpus: two std::mutexes built one after the other at one address (placement new
// into one buffer; std::mutex has no destructor to see, nor a pthread_mutex_init). "first"
// takes the first object, then B, and destroys it; "second" builds the second object at the
// same address and takes B, then it. Both threads run from the start (nothing orders them by
// start/join), so if the two objects were one node this would be an A -> B -> A deadlock.
// Expected: clean; three mutexes (two at one address), and no cycle at all.
#include <cstdio>
#include <mutex>
#include <new>
#include <thread>

#include "sequencing.h"

namespace {

alignas(std::mutex) unsigned char buffer[sizeof(std::mutex)];
std::mutex b;
Flag first_done;

void First() {
  std::mutex* a = new (buffer) std::mutex;
  {
    std::lock_guard hold_a(*a);  // held: first object
    std::lock_guard hold_b(b);   // edge: first object -> B
  }
  a->~mutex();
}

void Second() {
  first_done.wait();
  std::mutex* a = new (buffer) std::mutex;
  {
    std::lock_guard hold_b(b);   // held: B (second)
    std::lock_guard hold_a(*a);  // edge: B -> second object
  }
  a->~mutex();
}

}  // namespace

int main() {
  std::thread first = StartInOrder([] {
    First();
    first_done.set();
  });
  std::thread second = StartInOrder(Second);
  first.join();
  second.join();
  std::printf("both objects at %p\n", static_cast<void*>(buffer));
  return 0;
}

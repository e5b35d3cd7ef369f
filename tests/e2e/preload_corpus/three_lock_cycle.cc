// Preload corpus: three std::threads take A -> B, B -> C and C -> A through one function.
// Expected: one `deadlock` over the three std::mutexes, each edge in its own thread.
//
// Classes are first-lock sites, and Nest() is where all three are first locked: A as the
// outer lock (first call), B and C as the inner one (first and second calls). So A's class is
// the line taking `outer`, and B and C share the class of the line taking `inner`.
#include <atomic>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::mutex a, b, c;
Flag first_done, second_done, third_done;
std::atomic<int> nested{0};

void Nest(std::mutex& outer, std::mutex& inner) {
  std::lock_guard hold_outer(outer);  // held: outer
  std::lock_guard hold_inner(inner);  // edge: outer -> inner
  ++nested;
}

}  // namespace

int main() {
  std::thread first = StartInOrder([] {  // thread 2
    Nest(a, b);                          // call: A -> B
    first_done.set();
  });
  std::thread second = StartInOrder([] {  // thread 3
    first_done.wait();
    Nest(b, c);  // call: B -> C
    second_done.set();
  });
  std::thread third = StartInOrder([] {  // thread 4
    second_done.wait();
    Nest(c, a);        // call: C -> A
    third_done.set();  // also keeps Nest() from being a tail call, so the stack has line C -> A
  });
  first.join();
  second.join();
  third.join();
  return nested == 3 ? 0 : 1;
}

// Corpus: three threads take A -> B, B -> C and C -> A. Expected: one `deadlock` over the
// three locks, each edge in its own thread ("first", "second", "third").
//
// All threads start first; Events only sequence this run, so no start/join order separates
// the three orders.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock a("A");  // lock: A
lockgraph::Lock b("B");  // lock: B
lockgraph::Lock c("C");  // lock: C
lockgraph::Event first_done, second_done, third_done;

void Nest(lockgraph::Lock& outer, lockgraph::Lock& inner) {
  std::lock_guard hold_outer(outer);  // held: outer
  std::lock_guard hold_inner(inner);  // edge: outer -> inner
}

}  // namespace

int main() {
  lockgraph::Thread first([] {
    Nest(a, b);  // call: A -> B
    first_done.set();
  }, "first");
  lockgraph::Thread second([] {
    first_done.wait();
    Nest(b, c);  // call: B -> C
    second_done.set();
  }, "second");
  lockgraph::Thread third([] {
    second_done.wait();
    Nest(c, a);  // call: C -> A
    third_done.set();  // also keeps Nest() from being a tail call, so the stack has line C -> A
  }, "third");
  first.start();
  second.start();
  third.start();
  first.join();
  second.join();
  third.join();
  return 0;
}

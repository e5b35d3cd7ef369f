// Two threads take two lockgraph::Locks in opposite orders, one after the other (an Event
// keeps them apart, so the run never hangs): the installed analyzer must predict the cycle.
#include <cstdio>
#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Lock first("first"), second("second");
lockgraph::Event done;

int main() {
  lockgraph::Thread a([] {
    std::scoped_lock one(first);
    std::scoped_lock two(second);  // consumer: first -> second
    done.set();
  });
  lockgraph::Thread b([] {
    done.wait();
    std::scoped_lock one(second);
    std::scoped_lock two(first);  // consumer: second -> first
  });
  a.start();
  b.start();
  a.join();
  b.join();
  std::puts("consumer ran");
  return 0;
}

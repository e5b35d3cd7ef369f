// A value passed along three threads by release/acquire of two locks: the first writes under
// `a`; the second takes `a`, then `b`; the third reads under `b`. Atomic flags lockgraph does
// not see make the threads run in that order; the locks alone order the accesses. No race.
#include <atomic>
#include <cstdlib>

#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Lock a("a"), b("b");
lockgraph::Shared<int> value{0, "value"};
std::atomic<int> stage{0};

void WaitStage(int n) {
  for (int s = stage.load(); s < n; s = stage.load()) stage.wait(s);
}
void NextStage() {
  stage.fetch_add(1);
  stage.notify_all();
}

int main() {
  lockgraph::Thread first([] {
    { std::lock_guard hold(a); value.write(1); }
    NextStage();
  }, "first");
  lockgraph::Thread second([] {
    WaitStage(1);
    { std::lock_guard hold_a(a); }
    { std::lock_guard hold_b(b); }
    NextStage();
  }, "second");
  lockgraph::Thread third([] {
    WaitStage(2);
    std::lock_guard hold(b);
    if (value.read() != 1) std::abort();
  }, "third");
  first.start(); second.start(); third.start();
  first.join(); second.join(); third.join();
  return 0;
}

// The same counter, every increment under one Lock: no race.
#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Lock mu("counter_mu");
lockgraph::Shared<int> hits{0, "hits"};

void Add() {
  for (int i = 0; i < 1000; ++i) {
    std::lock_guard hold(mu);
    hits.update([](int& n) { ++n; });
  }
}

int main() {
  lockgraph::Thread a(Add, "a"), b(Add, "b");
  a.start();
  b.start();
  a.join();
  b.join();
  std::lock_guard hold(mu);
  return hits.read() == 2000 ? 0 : 1;
}

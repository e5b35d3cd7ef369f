// Corpus: ABBA where the second lock of each thread is taken through the C++ library's call
// machinery: the thread runs a std::bind of a member function, which calls a std::function
// that takes the lock. Expected: one `deadlock` between "ledger" and "audit" whose stacks show
// the program's frames (Settle, Bank::Work) without the std::function, std::invoke and
// std::bind frames between them, nor lockgraph::Thread's start; --full-stacks shows them.
#include <functional>
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock ledger("ledger");
lockgraph::Lock audit("audit");
lockgraph::Event first_done;

struct Bank {
  void Work(lockgraph::Lock& first, const std::function<void()>& settle) {
    std::lock_guard hold(first);  // held: first
    settle();                     // call: settle
  }
};

void Settle(lockgraph::Lock& second) {
  std::lock_guard hold(second);  // edge: second
}

}  // namespace

int main() {
  Bank bank;
  std::function<void()> settle_audit = [] { Settle(audit); };
  std::function<void()> settle_ledger = [] { Settle(ledger); };
  auto forward_work = std::bind(&Bank::Work, &bank, std::ref(ledger), settle_audit);
  lockgraph::Thread forward([&] {
    forward_work();
    first_done.set();
  }, "forward");
  lockgraph::Thread backward([&] {
    first_done.wait();
    bank.Work(audit, settle_ledger);
  }, "backward");
  forward.start();
  backward.start();
  forward.join();
  backward.join();
  return 0;
}

// Corpus: transfer(Checking&, Savings&) locks a checking account, then a savings account; an
// audit elsewhere locks a savings account, then a checking account, but on other instances.
// No run takes two instances both ways, yet the classes are nested both ways: two threads
// doing transfer(c, s) and audit(s, c) on the same pair would deadlock.
// Expected: no `deadlock`, one `potential` between the classes Checking::mu and Savings::mu.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

// A member's lock class is where it is constructed: here the implicit constructor, which the
// compiler places at the struct's first line.
struct Checking {  // lock: Checking::mu is built here
  lockgraph::Lock mu;
  int balance = 100;
};

struct Savings {  // lock: Savings::mu is built here
  lockgraph::Lock mu;
  int balance = 100;
};

void transfer(Checking& from, Savings& to, int amount) {
  std::lock_guard hold_from(from.mu);  // held: Checking (transfer)
  std::lock_guard hold_to(to.mu);      // edge: Checking -> Savings
  from.balance -= amount;
  to.balance += amount;
}

int audit(Savings& s, Checking& c) {
  std::lock_guard hold_s(s.mu);  // held: Savings (audit)
  std::lock_guard hold_c(c.mu);  // edge: Savings -> Checking
  return s.balance + c.balance;
}

Checking c1, c2;
Savings s1, s2;
lockgraph::Event transferred;

}  // namespace

int main() {
  int total = 0;
  lockgraph::Thread payer([] {
    transfer(c1, s1, 10);
    transferred.set();
  }, "payer");
  lockgraph::Thread auditor([&] {
    transferred.wait();
    total = audit(s2, c2);
  }, "auditor");
  payer.start();
  auditor.start();
  payer.join();
  auditor.join();
  return total == 200 ? 0 : 1;
}

// Preload corpus: transfer(Checking&, Savings&) locks a checking account, then a savings
// account; an audit locks a savings account, then a checking account, but on other objects.
// No run takes two mutexes both ways. With lockgraph's wrappers the member locks get a class
// per type (their construction site), the classes are nested both ways, and the analysis
// reports a `potential`.
//
// Under the preload, std::mutex has no constructor lockgraph sees: a mutex's class is the site
// of its first lock. c1 and s1 are first locked in transfer(), s2 and c2 in audit(), on four
// different lines: four classes, each nested once, so there is no class cycle, and the
// preload reports nothing (the hazard is out of its sight, not a false alarm).
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

struct Checking {
  std::mutex mu;
  int balance = 100;
};

struct Savings {
  std::mutex mu;
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
Flag transferred;

}  // namespace

int main() {
  int total = 0;
  std::thread payer = StartInOrder([] {
    transfer(c1, s1, 10);
    transferred.set();
  });
  std::thread auditor = StartInOrder([&] {
    transferred.wait();
    total = audit(s2, c2);
  });
  payer.join();
  auditor.join();
  return total == 200 ? 0 : 1;
}

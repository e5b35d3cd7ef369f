// Preload corpus: transfer_potential with heap accounts. transfer(Checking&, Savings&) locks
// a checking account, then a savings account; an audit locks a savings account, then a
// checking account, on other objects. No run takes two mutexes both ways. Each mutex's class
// is its allocation site and offset, one per account type: the classes are nested both ways.
// Expected under `lockgraph run`: one `potential` between Checking's mu (offset 8 of the
// blocks allocated in NewChecking) and Savings' mu (offset 0, allocated in NewSavings), and
// no deadlock.
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

struct Checking {
  long balance = 100;
  std::mutex mu;
};

struct Savings {
  std::mutex mu;
  long balance = 100;
};

void Transfer(Checking& from, Savings& to, int amount) {
  std::lock_guard hold_from(from.mu);  // held: Checking (transfer)
  std::lock_guard hold_to(to.mu);      // edge: Checking -> Savings
  from.balance -= amount;
  to.balance += amount;
}

long Audit(Savings& s, Checking& c) {
  std::lock_guard hold_s(s.mu);  // held: Savings (audit)
  std::lock_guard hold_c(c.mu);  // edge: Savings -> Checking
  return s.balance + c.balance;
}

Checking* NewChecking() { return new Checking; }  // allocated: checking
Savings* NewSavings() { return new Savings; }     // allocated: savings

Flag transferred;

}  // namespace

int main() {
  Checking* c1 = NewChecking();
  Checking* c2 = NewChecking();
  Savings* s1 = NewSavings();
  Savings* s2 = NewSavings();
  long total = 0;
  std::thread payer = StartInOrder([&] {  // thread 2
    Transfer(*c1, *s1, 10);
    transferred.set();
  });
  std::thread auditor = StartInOrder([&] {  // thread 3
    transferred.wait();
    total = Audit(*s2, *c2);
  });
  payer.join();
  auditor.join();
  delete c1;
  delete c2;
  delete s1;
  delete s2;
  return total == 200 ? 0 : 1;
}

// Preload corpus: transfer(from, to) locks from.mu, then to.mu, with `struct Account {
// std::mutex mu; }`. Called as transfer(x, y) in one thread and transfer(y, x) in another,
// the two mutexes are taken in both orders. Expected: one `deadlock` between x.mu and y.mu.
// Classes are first-lock sites: x.mu's is the "held" line, y.mu's the "edge" line.
#include <atomic>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

struct Account {
  std::mutex mu;
  int balance = 100;
};

void transfer(Account& from, Account& to, int amount) {
  std::lock_guard hold_from(from.mu);  // held: from
  std::lock_guard hold_to(to.mu);      // edge: from -> to
  from.balance -= amount;
  to.balance += amount;
}

Account x, y;
Flag paid;
std::atomic<int> transfers{0};

}  // namespace

int main() {
  std::thread pay_xy = StartInOrder([] {  // thread 2
    transfer(x, y, 10);                   // call: transfer(x, y)
    ++transfers;
    paid.set();
  });
  std::thread pay_yx = StartInOrder([] {  // thread 3
    paid.wait();
    transfer(y, x, 5);  // call: transfer(y, x)
    ++transfers;
  });
  pay_xy.join();
  pay_yx.join();
  return transfers == 2 && x.balance + y.balance == 200 ? 0 : 1;
}

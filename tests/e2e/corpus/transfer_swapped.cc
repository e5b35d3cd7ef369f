// Corpus: transfer(from, to) locks from.mu, then to.mu. Called as transfer(x, y) in one
// thread and transfer(y, x) in another, the two instances are taken in both orders.
// Expected: one `deadlock` between the two Account::mu instances (one class, named by the
// site that constructs the member: Account's constructor), and no separate `potential`.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

struct Account {
  explicit Account(int initial) : balance(initial) {}  // lock: Account::mu is built here
  lockgraph::Lock mu;
  int balance;
};

void transfer(Account& from, Account& to, int amount) {
  std::lock_guard hold_from(from.mu);  // held: from
  std::lock_guard hold_to(to.mu);      // edge: from -> to
  from.balance -= amount;
  to.balance += amount;
}

Account x(100);  // account: x
Account y(100);  // account: y
lockgraph::Event paid, repaid;

}  // namespace

int main() {
  lockgraph::Thread pay_xy([] {
    transfer(x, y, 10);  // call: transfer(x, y)
    paid.set();
  }, "pay_x_to_y");
  lockgraph::Thread pay_yx([] {
    paid.wait();
    transfer(y, x, 5);  // call: transfer(y, x)
    repaid.set();  // also keeps transfer() from being a tail call: the stack has this line
  }, "pay_y_to_x");
  pay_xy.start();
  pay_yx.start();
  pay_xy.join();
  pay_yx.join();
  return x.balance + y.balance == 200 ? 0 : 1;
}

// Corpus: a Bank with two unnamed Lock members, always taken in one order (accounts, then
// audit_log); two threads each work on their own Bank. Expected: clean — there is one order
// everywhere, at the instance level and between the two members' roles.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

struct Bank {  // lock: Bank's members are built here
  lockgraph::Lock accounts;
  lockgraph::Lock audit_log;
  int balance = 0;
};

void Deposit(Bank& bank, int amount) {
  std::lock_guard hold_accounts(bank.accounts);
  std::lock_guard hold_log(bank.audit_log);  // edge: accounts -> audit_log
  bank.balance += amount;
}

Bank first_bank, second_bank;
lockgraph::Event deposited;

}  // namespace

int main() {
  lockgraph::Thread first([] {
    Deposit(first_bank, 10);
    deposited.set();
  }, "first");
  lockgraph::Thread second([] {
    deposited.wait();
    Deposit(second_bank, 20);
  }, "second");
  first.start();
  second.start();
  first.join();
  second.join();
  return first_bank.balance + second_bank.balance == 30 ? 0 : 1;
}

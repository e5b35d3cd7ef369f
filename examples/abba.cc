// Two threads take two locks in opposite orders: the classic deadlock (ABBA). The rotator
// waits for the deposit, for a second at most, so this run does not hang; yet a deposit that
// takes longer (a slow disk, a busy machine) deadlocks: each thread holds one lock and waits
// forever for the other. lockgraph reports the cycle the moment the second order is seen,
// naming both locks and both source lines, and `lockgraph confirm` proves it by holding the
// depositor back until the rotator stops waiting.
//
//   ./abba                       # the report is printed on stderr
//   lockgraph dump lockgraph.<pid>.lgtrace
//   lockgraph confirm -- ./abba  # deadlocks it on purpose, and says so
#include <chrono>
#include <cstdio>
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock accounts("accounts");
lockgraph::Lock audit_log("audit_log");
lockgraph::Event first_done("first_done");

void Deposit() {
  std::lock_guard hold_accounts(accounts);
  std::lock_guard hold_log(audit_log);  // accounts -> audit_log
  std::puts("deposit: took accounts, then audit_log");
}

void Rotate() {
  first_done.wait(std::chrono::seconds(1));  // sequences most runs, not all
  std::lock_guard hold_log(audit_log);
  std::lock_guard hold_accounts(accounts);  // audit_log -> accounts
  std::puts("rotate: took audit_log, then accounts");
}

}  // namespace

int main() {
  lockgraph::Thread depositor([] {
    Deposit();
    first_done.set();
  }, "depositor");
  lockgraph::Thread rotator(Rotate, "rotator");
  rotator.start();
  depositor.start();
  depositor.join();
  rotator.join();
  std::puts("done: no deadlock this time, but the lock order has a cycle");
  return 0;
}

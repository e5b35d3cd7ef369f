// The ABBA deadlock in a plain C++ program: std::mutex and std::thread, compiled without
// lockgraph. Run it unchanged under lockgraph:
//
//   lockgraph run -- ./abba_std_mutex
//
// The two threads are sequenced (by an atomic flag lockgraph does not see), so this run never
// hangs; but each takes the two mutexes in the other's order, and another schedule deadlocks.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex accounts;
std::mutex audit_log;
std::atomic<bool> deposited{false};

void Deposit() {
  std::lock_guard hold_accounts(accounts);
  std::lock_guard hold_log(audit_log);  // accounts -> audit_log
  std::puts("deposit: took accounts, then audit_log");
}

void Rotate() {
  deposited.wait(false);
  std::lock_guard hold_log(audit_log);
  std::lock_guard hold_accounts(accounts);  // audit_log -> accounts
  std::puts("rotate: took audit_log, then accounts");
}

}  // namespace

int main() {
  std::thread rotator(Rotate);
  std::thread depositor([] {
    Deposit();
    deposited = true;
    deposited.notify_all();
  });
  depositor.join();
  rotator.join();
  std::puts("done: no deadlock this time, but the lock order has a cycle");
  return 0;
}

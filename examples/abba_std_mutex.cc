// The ABBA deadlock in a plain C++ program: std::mutex and std::thread, compiled without
// lockgraph. Run it unchanged under lockgraph:
//
//   lockgraph run -- ./abba_std_mutex
//
// The rotator waits for the deposit (an atomic flag lockgraph does not see), for a second at
// most, so this run does not hang; but each thread takes the two mutexes in the other's order,
// and a deposit slower than that deadlocks. `lockgraph confirm -- ./abba_std_mutex` proves it.
#include <atomic>
#include <chrono>
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
  // Until the deposit is in, or a second has passed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!deposited && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
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
  });
  depositor.join();
  rotator.join();
  std::puts("done: no deadlock this time, but the lock order has a cycle");
  return 0;
}

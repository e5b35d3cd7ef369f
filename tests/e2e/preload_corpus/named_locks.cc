// Preload corpus: mutexes in static storage, named in reports by their variables: a global,
// a file-static, a member of a global object, an element of a global array, a namespace
// member and a function's static. One thread takes three pairs of them, another the same
// pairs in the opposite order. Expected under `lockgraph run`: three deadlocks, each lock named
// as the code spells it (g_accounts, s_audit_log, g_bank.ledger, g_locks[2],
// ledger::g_journal, main::s_registry) and declared at its line.
#include <mutex>
#include <thread>

#include "sequencing.h"

std::mutex g_accounts;             // declared: g_accounts
static std::mutex s_audit_log;     // declared: s_audit_log
struct Bank {
  int open_accounts = 0;
  std::mutex ledger;               // member: ledger
  std::mutex vault;
} g_bank;                          // declared: g_bank
std::mutex g_locks[4];             // declared: g_locks
namespace ledger {
std::mutex g_journal;              // declared: g_journal
}  // namespace ledger

namespace {

Flag forward_done;

void Forward(std::mutex& registry) {
  {
    std::lock_guard a(g_accounts);
    std::lock_guard b(s_audit_log);        // forward: s_audit_log
  }
  {
    std::lock_guard c(g_bank.ledger);
    std::lock_guard d(g_locks[2]);         // forward: g_locks[2]
  }
  std::lock_guard e(ledger::g_journal);
  std::lock_guard f(registry);             // forward: registry
}

void Backward(std::mutex& registry) {
  forward_done.wait();
  {
    std::lock_guard b(s_audit_log);
    std::lock_guard a(g_accounts);         // backward: g_accounts
  }
  {
    std::lock_guard d(g_locks[2]);
    std::lock_guard c(g_bank.ledger);      // backward: g_bank.ledger
  }
  std::lock_guard f(registry);
  std::lock_guard e(ledger::g_journal);    // backward: g_journal
}

}  // namespace

int main() {
  static std::mutex s_registry;      // declared: s_registry
  std::thread forward = StartInOrder([] {  // thread 2
    Forward(s_registry);
    forward_done.set();
  });
  std::thread backward = StartInOrder([] { Backward(s_registry); });  // thread 3
  forward.join();
  backward.join();
  return 0;
}

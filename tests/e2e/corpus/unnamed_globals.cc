// Corpus: ABBA between two global wrapper locks given no name. Their classes are their
// construction sites; reports name each lock by its variable. Expected: one `deadlock`
// between "Lock g_accounts" and "Lock g_audit_log", each created at its declaration.
#include <mutex>

#include "lockgraph/lockgraph.h"

lockgraph::Lock g_accounts;   // declared: g_accounts
lockgraph::Lock g_audit_log;  // declared: g_audit_log

namespace {

lockgraph::Event forward_done;

void Forward() {
  std::lock_guard hold_a(g_accounts);
  std::lock_guard hold_b(g_audit_log);  // edge: accounts -> audit_log
}

void Backward() {
  forward_done.wait();
  std::lock_guard hold_b(g_audit_log);
  std::lock_guard hold_a(g_accounts);  // edge: audit_log -> accounts
}

}  // namespace

int main() {
  lockgraph::Thread forward([] {
    Forward();
    forward_done.set();
  }, "forward");
  lockgraph::Thread backward(Backward, "backward");
  forward.start();
  backward.start();
  forward.join();
  backward.join();
  return 0;
}

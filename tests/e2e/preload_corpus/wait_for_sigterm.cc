// Preload corpus: installs a SIGTERM handler, says "ready" on stdout, and waits for the
// signal (sigsuspend, with SIGTERM blocked until then, so it cannot slip in before the wait).
// On SIGTERM it prints "got SIGTERM" and exits 0. A thread holding a std::mutex keeps the
// preload busy meanwhile. `wait_for_sigterm default` keeps SIGTERM's default action: the
// signal ends it.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace {

volatile sig_atomic_t got_sigterm = 0;
std::mutex mu;

void OnSigterm(int) { got_sigterm = 1; }

}  // namespace

int main(int argc, char** argv) {
  const bool handle = !(argc == 2 && std::strcmp(argv[1], "default") == 0);
  sigset_t term, during_wait;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &term, &during_wait) != 0) return 1;
  sigdelset(&during_wait, SIGTERM);
  if (handle) {
    struct sigaction action = {};
    action.sa_handler = OnSigterm;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGTERM, &action, nullptr) != 0) return 1;
  }
  std::thread worker([] { std::lock_guard hold(mu); });
  worker.join();
  std::printf("ready\n");
  std::fflush(stdout);
  while (!got_sigterm) sigsuspend(&during_wait);
  std::printf("got SIGTERM\n");
  return 0;
}

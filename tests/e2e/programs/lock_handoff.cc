// A contended hand-off, the same every run: thread "holder" takes "ledger" (and "audit" inside
// it) and keeps ledger until thread "waiter" is asleep in ledger.lock(), seen in
// /proc/self/task/TID/syscall as a futex wait on an address inside the Lock. So the waiter's
// acquisition always waits, and a full-mode trace has holder's release, then the waiter's wait
// and acquisition: `lockgraph export --chrome` draws the arrow between them (export_test.cc).
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

#include "lockgraph/lockgraph.h"

namespace {

// True if thread `tid` of this process is blocked in futex() on an address inside `object`.
bool BlockedInFutexOn(pid_t tid, const void* object, size_t size) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/syscall";
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    std::perror(path.c_str());
    std::exit(3);  // cannot see the waiter: fail rather than guess
  }
  long number = -1;
  uintptr_t address = 0;
  const int read = std::fscanf(file, "%ld %" SCNxPTR, &number, &address);
  std::fclose(file);
  const auto begin = reinterpret_cast<uintptr_t>(object);
  return read == 2 && number == SYS_futex && address >= begin && address < begin + size;
}

}  // namespace

int main() {
  lockgraph::Lock ledger("ledger");
  lockgraph::Lock audit("audit");
  lockgraph::Event held("held");
  std::atomic<pid_t> waiter_tid{0};

  lockgraph::Thread holder(
      [&] {
        std::lock_guard hold(ledger);
        { std::lock_guard nested(audit); }
        held.set();
        pid_t waiter;
        while ((waiter = waiter_tid.load()) == 0 ||
               !BlockedInFutexOn(waiter, &ledger, sizeof(ledger))) {
          const timespec pause{0, 100000};  // polls a condition; the order does not depend on it
          nanosleep(&pause, nullptr);
        }
      },
      "holder");
  lockgraph::Thread waiter(
      [&] {
        held.wait();
        waiter_tid.store(static_cast<pid_t>(syscall(SYS_gettid)));
        std::lock_guard hold(ledger);  // waits: holder keeps it until this thread sleeps here
        std::lock_guard nested(audit);
      },
      "waiter");
  holder.start();
  waiter.start();
  holder.join();
  waiter.join();
  std::printf("handed over\n");
  return 0;
}

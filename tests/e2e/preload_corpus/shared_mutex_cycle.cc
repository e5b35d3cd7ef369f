// Preload corpus: two std::shared_mutexes P and Q, taken P -> Q by "forward" and Q -> P by
// "backward". `shared_mutex_cycle readers`: both threads take both in shared mode
// (std::shared_lock, pthread_rwlock_rdlock); readers do not block readers, so no schedule
// deadlocks. Expected: clean, the cycle ruled out as shared acquisitions only.
// `shared_mutex_cycle writer`: backward takes both exclusively (std::unique_lock): it can wait
// for Q's reader while forward waits for P's writer. Expected: one `deadlock`.
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "sequencing.h"

namespace {

std::shared_mutex p, q;
Flag forward_done;

void Forward() {
  std::shared_lock hold_p(p);  // held: P (forward, shared); first use: P
  std::shared_lock hold_q(q);  // edge: P -> Q (shared); first use: Q
}

void BackwardShared() {
  std::shared_lock hold_q(q);  // held: Q (backward, shared)
  std::shared_lock hold_p(p);  // edge: Q -> P (shared)
}

void BackwardExclusive() {
  std::unique_lock hold_q(q);  // held: Q (backward, exclusive)
  std::unique_lock hold_p(p);  // edge: Q -> P (exclusive)
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const bool writer = std::strcmp(argv[1], "writer") == 0;
  if (!writer && std::strcmp(argv[1], "readers") != 0) return 2;
  std::thread forward = StartInOrder([] {  // thread 2
    Forward();
    forward_done.set();
  });
  std::thread backward = StartInOrder([writer] {  // thread 3
    forward_done.wait();
    writer ? BackwardExclusive() : BackwardShared();
  });
  forward.join();
  backward.join();
  return 0;
}

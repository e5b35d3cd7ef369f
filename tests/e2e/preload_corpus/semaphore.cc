// Preload corpus: unnamed POSIX semaphores next to a std::mutex.
//
// `semaphore lock`: a sem_t initialized to 1 is a lock; "forward" takes it, then the mutex;
// "backward" takes the mutex, then it. Expected: one `deadlock` between the semaphore (class:
// its sem_init site) and the mutex.
//
// `semaphore signal`: the same sem_t of value 1, but "backward" posts it without having taken
// it, which makes it a signal (a hand-off), not a lock: all its edges are dropped. The program
// is also safe: two permits (the initial one and backward's) for two waits, so no wait on the
// semaphore blocks for ever. Expected: clean, nothing even considered.
#include <semaphore.h>

#include <cstring>
#include <mutex>
#include <thread>

#include "sequencing.h"

namespace {

sem_t sem;
std::mutex mu;
Flag forward_done;

void Forward() {
  sem_wait(&sem);                // held: sem (forward)
  { std::lock_guard hold(mu); }  // edge: sem -> mutex; first use: mutex
  // `lock` mode posts the permit back (main()); `signal` mode keeps it, and backward posts.
}

void BackwardLock() {
  std::lock_guard hold(mu);  // held: mutex (backward)
  sem_wait(&sem);            // edge: mutex -> sem
  sem_post(&sem);
}

void BackwardSignal() {
  std::lock_guard hold(mu);
  sem_post(&sem);  // signal: posted by a thread that did not take it
  sem_wait(&sem);  // takes the permit just posted (forward kept the first)
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const bool signal = std::strcmp(argv[1], "signal") == 0;
  if (!signal && std::strcmp(argv[1], "lock") != 0) return 2;
  if (sem_init(&sem, 0, 1) != 0) return 1;       // init: sem
  std::thread forward = StartInOrder([signal] {  // thread 2
    Forward();
    if (!signal) sem_post(&sem);
    forward_done.set();
  });
  std::thread backward = StartInOrder([signal] {  // thread 3
    forward_done.wait();
    signal ? BackwardSignal() : BackwardLock();
  });
  forward.join();
  backward.join();
  int value = -1;
  sem_getvalue(&sem, &value);
  sem_destroy(&sem);
  return value == (signal ? 0 : 1) ? 0 : 1;
}

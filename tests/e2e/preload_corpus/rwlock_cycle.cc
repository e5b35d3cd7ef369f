// Preload corpus: raw pthread_rwlock_t. Each thread reads one lock and, still reading it,
// writes the other: "forward" reads P and writes Q, "backward" reads Q and writes P. Each
// writer waits for the other's reader: a real deadlock. Expected: one `deadlock` over P and
// Q, whose classes are their pthread_rwlock_init sites.
#include <pthread.h>

#include <cstdio>

#include "sequencing.h"

namespace {

pthread_rwlock_t p, q;
Flag forward_running, forward_done;

void* Forward(void*) {
  forward_running.set();
  pthread_rwlock_rdlock(&p);  // held: P (forward, read)
  pthread_rwlock_wrlock(&q);  // edge: P -> Q (write)
  pthread_rwlock_unlock(&q);
  pthread_rwlock_unlock(&p);
  forward_done.set();
  return nullptr;
}

void* Backward(void*) {
  forward_done.wait();
  pthread_rwlock_rdlock(&q);  // held: Q (backward, read)
  pthread_rwlock_wrlock(&p);  // edge: Q -> P (write)
  pthread_rwlock_unlock(&p);
  pthread_rwlock_unlock(&q);
  return nullptr;
}

}  // namespace

int main() {
  if (pthread_rwlock_init(&p, nullptr) != 0) return 1;  // init: P
  if (pthread_rwlock_init(&q, nullptr) != 0) return 1;  // init: Q
  pthread_t forward, backward;
  if (pthread_create(&forward, nullptr, Forward, nullptr) != 0) return 1;  // thread 2
  forward_running.wait();  // (so that lockgraph numbers forward before backward)
  if (pthread_create(&backward, nullptr, Backward, nullptr) != 0) return 1;  // thread 3
  pthread_join(forward, nullptr);
  pthread_join(backward, nullptr);
  pthread_rwlock_destroy(&p);
  pthread_rwlock_destroy(&q);
  std::puts("rwlocks done");
  return 0;
}

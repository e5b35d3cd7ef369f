#include "runtime/preload/real_functions.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace lockgraph::preload {

RealFunctions g_real;
std::atomic<bool> g_real_resolved{false};

namespace {

RealFunctions& real = g_real;


template <typename F>
void Resolve(F& slot, const char* name, const char* version = nullptr) {
  void* address = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : nullptr;
  if (address == nullptr) address = dlsym(RTLD_NEXT, name);
  if (address == nullptr) {
    static const char kPrefix[] = "lockgraph: the C library has no ";
    (void)!write(2, kPrefix, sizeof(kPrefix) - 1);
    (void)!write(2, name, strlen(name));
    (void)!write(2, "; cannot interpose pthreads\n", 28);
    abort();
  }
  slot = reinterpret_cast<F>(address);
}

void ResolveAll() {
  Resolve(real.mutex_init, "pthread_mutex_init");
  Resolve(real.mutex_destroy, "pthread_mutex_destroy");
  Resolve(real.mutex_lock, "pthread_mutex_lock");
  Resolve(real.mutex_trylock, "pthread_mutex_trylock");
  Resolve(real.mutex_timedlock, "pthread_mutex_timedlock");
  Resolve(real.mutex_clocklock, "pthread_mutex_clocklock");
  Resolve(real.mutex_unlock, "pthread_mutex_unlock");
  Resolve(real.rwlock_init, "pthread_rwlock_init");
  Resolve(real.rwlock_destroy, "pthread_rwlock_destroy");
  Resolve(real.rwlock_rdlock, "pthread_rwlock_rdlock");
  Resolve(real.rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
  Resolve(real.rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
  Resolve(real.rwlock_clockrdlock, "pthread_rwlock_clockrdlock");
  Resolve(real.rwlock_wrlock, "pthread_rwlock_wrlock");
  Resolve(real.rwlock_trywrlock, "pthread_rwlock_trywrlock");
  Resolve(real.rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
  Resolve(real.rwlock_clockwrlock, "pthread_rwlock_clockwrlock");
  Resolve(real.rwlock_unlock, "pthread_rwlock_unlock");
  // The condition variables of glibc 2.3.2 and later, not the old ABI's.
  Resolve(real.cond_wait, "pthread_cond_wait", "GLIBC_2.3.2");
  Resolve(real.cond_timedwait, "pthread_cond_timedwait", "GLIBC_2.3.2");
  Resolve(real.cond_clockwait, "pthread_cond_clockwait");
  Resolve(real.sem_init, "sem_init");
  Resolve(real.sem_destroy, "sem_destroy");
  Resolve(real.sem_wait, "sem_wait");
  Resolve(real.sem_trywait, "sem_trywait");
  Resolve(real.sem_timedwait, "sem_timedwait");
  Resolve(real.sem_clockwait, "sem_clockwait");
  Resolve(real.sem_post, "sem_post");
  Resolve(real.create, "pthread_create");
  Resolve(real.join, "pthread_join");
  Resolve(real.tryjoin_np, "pthread_tryjoin_np");
  Resolve(real.timedjoin_np, "pthread_timedjoin_np");
  Resolve(real.clockjoin_np, "pthread_clockjoin_np");
  Resolve(real.detach, "pthread_detach");
}

}  // namespace

void ResolveRealFunctions() {
  // Done by the library's constructor before the program's threads exist; a call from an
  // earlier constructor resolves here first.
  ResolveAll();
  g_real_resolved.store(true, std::memory_order_release);
}

namespace {
__attribute__((constructor)) void ResolveAtLoad() { ResolveRealFunctions(); }
}  // namespace

}  // namespace lockgraph::preload

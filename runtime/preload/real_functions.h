// The C library's own pthread and semaphore functions, which the interposer calls after (or
// instead of) recording. Resolved once with dlsym(RTLD_NEXT); the interposer may be called
// before that (a constructor of another library taking a lock), so every accessor resolves on
// first use.
#ifndef LOCKGRAPH_RUNTIME_PRELOAD_REAL_FUNCTIONS_H_
#define LOCKGRAPH_RUNTIME_PRELOAD_REAL_FUNCTIONS_H_

#include <pthread.h>
#include <semaphore.h>
#include <sys/types.h>
#include <time.h>

#include <atomic>

namespace lockgraph::preload {

struct RealFunctions {
  int (*mutex_init)(pthread_mutex_t*, const pthread_mutexattr_t*);
  int (*mutex_destroy)(pthread_mutex_t*);
  int (*mutex_lock)(pthread_mutex_t*);
  int (*mutex_trylock)(pthread_mutex_t*);
  int (*mutex_timedlock)(pthread_mutex_t*, const timespec*);
  int (*mutex_clocklock)(pthread_mutex_t*, clockid_t, const timespec*);
  int (*mutex_unlock)(pthread_mutex_t*);

  int (*rwlock_init)(pthread_rwlock_t*, const pthread_rwlockattr_t*);
  int (*rwlock_destroy)(pthread_rwlock_t*);
  int (*rwlock_rdlock)(pthread_rwlock_t*);
  int (*rwlock_tryrdlock)(pthread_rwlock_t*);
  int (*rwlock_timedrdlock)(pthread_rwlock_t*, const timespec*);
  int (*rwlock_clockrdlock)(pthread_rwlock_t*, clockid_t, const timespec*);
  int (*rwlock_wrlock)(pthread_rwlock_t*);
  int (*rwlock_trywrlock)(pthread_rwlock_t*);
  int (*rwlock_timedwrlock)(pthread_rwlock_t*, const timespec*);
  int (*rwlock_clockwrlock)(pthread_rwlock_t*, clockid_t, const timespec*);
  int (*rwlock_unlock)(pthread_rwlock_t*);

  int (*cond_wait)(pthread_cond_t*, pthread_mutex_t*);
  int (*cond_timedwait)(pthread_cond_t*, pthread_mutex_t*, const timespec*);
  int (*cond_clockwait)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*);

  int (*sem_init)(sem_t*, int, unsigned);
  int (*sem_destroy)(sem_t*);
  int (*sem_wait)(sem_t*);
  int (*sem_trywait)(sem_t*);
  int (*sem_timedwait)(sem_t*, const timespec*);
  int (*sem_clockwait)(sem_t*, clockid_t, const timespec*);
  int (*sem_post)(sem_t*);

  int (*create)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  int (*join)(pthread_t, void**);
  int (*tryjoin_np)(pthread_t, void**);
  int (*timedjoin_np)(pthread_t, void**, const timespec*);
  int (*clockjoin_np)(pthread_t, void**, clockid_t, const timespec*);
  int (*detach)(pthread_t);
};

// Hidden: read directly, not through the GOT, on every interposed call.
extern RealFunctions g_real __attribute__((visibility("hidden")));
extern std::atomic<bool> g_real_resolved __attribute__((visibility("hidden")));
void ResolveRealFunctions();

// The resolved functions; resolves them on the first call (inline: every interposed call
// reads it). Never null entries (a function the C library lacks aborts with a message).
inline const RealFunctions& Real() {
  if (__builtin_expect(!g_real_resolved.load(std::memory_order_acquire), 0)) {
    ResolveRealFunctions();
  }
  return g_real;
}

}  // namespace lockgraph::preload

#endif  // LOCKGRAPH_RUNTIME_PRELOAD_REAL_FUNCTIONS_H_

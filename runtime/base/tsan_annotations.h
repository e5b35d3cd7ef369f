// Happens-before annotations for ThreadSanitizer builds: TSan cannot see what a futex or a
// non-instrumented library (Debian's Abseil) synchronizes, so the runtime tells it. Empty in
// every other build.
#ifndef LOCKGRAPH_RUNTIME_BASE_TSAN_ANNOTATIONS_H_
#define LOCKGRAPH_RUNTIME_BASE_TSAN_ANNOTATIONS_H_

#if defined(__SANITIZE_THREAD__)
#define LOCKGRAPH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOCKGRAPH_TSAN 1
#endif
#endif

#ifdef LOCKGRAPH_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
extern "C" void __tsan_mutex_pre_lock(void* addr, unsigned flags);
extern "C" void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion);
#define LOCKGRAPH_TSAN_ACQUIRE(addr) __tsan_acquire(const_cast<void*>(static_cast<const volatile void*>(addr)))
#define LOCKGRAPH_TSAN_RELEASE(addr) __tsan_release(const_cast<void*>(static_cast<const volatile void*>(addr)))
// A lock TSan's interceptors miss (GCC 12's libtsan has no pthread_mutex_clocklock): announce
// it as a try-lock, so a timeout counts as "not taken". Flag values from
// <sanitizer/tsan_interface.h>: __tsan_mutex_try_lock, __tsan_mutex_try_lock_failed.
#define LOCKGRAPH_TSAN_PRE_TRY_LOCK(addr) __tsan_mutex_pre_lock((addr), 1u << 4)
#define LOCKGRAPH_TSAN_POST_TRY_LOCK(addr, taken) \
  __tsan_mutex_post_lock((addr), (taken) ? 1u << 4 : (1u << 4) | (1u << 5), 0)
#else
#define LOCKGRAPH_TSAN_ACQUIRE(addr) ((void)0)
#define LOCKGRAPH_TSAN_RELEASE(addr) ((void)0)
#define LOCKGRAPH_TSAN_PRE_TRY_LOCK(addr) ((void)0)
#define LOCKGRAPH_TSAN_POST_TRY_LOCK(addr, taken) ((void)(taken))
#endif

#endif  // LOCKGRAPH_RUNTIME_BASE_TSAN_ANNOTATIONS_H_

// Happens-before annotations for ThreadSanitizer builds: TSan cannot see what a futex or a
// non-instrumented library (Debian's Abseil) synchronizes, so the runtime tells it. Empty in
// every other build.
#ifndef LOCKGRAPH_RUNTIME_TSAN_ANNOTATIONS_H_
#define LOCKGRAPH_RUNTIME_TSAN_ANNOTATIONS_H_

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
#define LOCKGRAPH_TSAN_ACQUIRE(addr) __tsan_acquire(const_cast<void*>(static_cast<const volatile void*>(addr)))
#define LOCKGRAPH_TSAN_RELEASE(addr) __tsan_release(const_cast<void*>(static_cast<const volatile void*>(addr)))
#else
#define LOCKGRAPH_TSAN_ACQUIRE(addr) ((void)0)
#define LOCKGRAPH_TSAN_RELEASE(addr) ((void)0)
#endif

#endif  // LOCKGRAPH_RUNTIME_TSAN_ANNOTATIONS_H_

// A signal handler that takes a lockgraph::Lock ("handler"):
//  1. raised synchronously while main holds "outer", after another thread took handler ->
//     outer: the handler's acquisition is the edge outer -> handler, and the two make a cycle
//     (a thread holding "handler" when the signal arrives in the thread holding "outer"
//     deadlocks);
//  2. from 100 us timers (CLOCK_MONOTONIC, one per thread, SIGPROF sent to that thread) while
//     four threads keep making new dependencies, so signals land in the recorder's cold paths
//     (trace writer mutex, the fork lock, the dependency cache) and in its inline held-stack
//     updates. The program must finish with nothing held, and print how many times the
//     handler ran.
// The workers allocate nothing while the timer runs (locks are made before): a handler that
// interrupts malloc and allocates itself would deadlock in the C library, not in lockgraph.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kWorkers = 4;
constexpr int kFreshPerWorker = 20000;

lockgraph::Lock outer("outer");      // lock: outer
lockgraph::Lock handler("handler");  // lock: handler
std::atomic<long> handled{0};

void OnSignal(int) {
  std::lock_guard hold(handler);  // edge: outer -> handler
  handled.fetch_add(1, std::memory_order_relaxed);
}

// While a thread holds "handler" no signal may run the handler in it: it would wait for
// itself.
void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGPROF);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// A timer sending SIGPROF to the calling thread every `usec` microseconds of wall time (a
// process CPU-time timer ticks at the kernel's HZ: a few hundred signals a second at most).
timer_t StartThreadTimer(long usec) {
  sigevent event = {};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = SIGPROF;
  event._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) abort();
  itimerspec spec = {};
  spec.it_interval.tv_nsec = usec * 1000;
  spec.it_value.tv_nsec = usec * 1000;
  timer_settime(timer, 0, &spec, nullptr);
  return timer;
}

}  // namespace

int main() {
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGUSR1, &action, nullptr);
  sigaction(SIGPROF, &action, nullptr);

  // 1. The synchronous signal, and the other order in another thread.
  lockgraph::Event backward_done;
  lockgraph::Thread backward([&] {
    BlockSignals();
    std::lock_guard hold_handler(handler);  // held: handler (backward)
    std::lock_guard hold_outer(outer);      // edge: handler -> outer
    backward_done.set();
  }, "backward");
  backward.start();
  backward_done.wait();
  {
    std::lock_guard hold(outer);  // held: outer (main)
    raise(SIGUSR1);
  }
  backward.join();

  // 2. The timer, firing into workers that make a new dependency at each step.
  std::vector<std::unique_ptr<lockgraph::Lock>> base, fresh;
  for (int w = 0; w < kWorkers; ++w) base.push_back(std::make_unique<lockgraph::Lock>("base"));
  for (int i = 0; i < kWorkers * kFreshPerWorker; ++i) {
    fresh.push_back(std::make_unique<lockgraph::Lock>("fresh"));
  }
  lockgraph::Event go;
  std::vector<std::unique_ptr<lockgraph::Thread>> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.push_back(std::make_unique<lockgraph::Thread>([&, w] {
      // Each lock class once before the timer: the thread's per-class counters grow (allocate)
      // here, not in a handler.
      { std::lock_guard warm(handler); }
      { std::lock_guard warm(*fresh[w * kFreshPerWorker]); }
      go.wait();
      const timer_t timer = StartThreadTimer(100);
      for (int i = 0; i < kFreshPerWorker; ++i) {
        std::lock_guard hold_base(*base[w]);
        std::lock_guard hold_fresh(*fresh[w * kFreshPerWorker + i]);  // a new dependency
      }
      BlockSignals();  // a signal still pending stays so
      timer_delete(timer);
    }));
  }
  for (auto& worker : workers) worker->start();
  go.set();
  for (auto& worker : workers) worker->join();

  std::printf("handler ran %ld times\n", handled.load());
  return 0;
}

// signal_locks.cc for `lockgraph run`: std::mutex and std::thread, nothing of lockgraph. A
// handler that locks a std::mutex (pthread_mutex_lock, through the preload's interposer):
//  1. raised while main holds `outer`, after another thread took handler_mu -> outer;
//  2. from 100 us per-thread timers while four threads lock mutexes never locked before (each
//     a new object and a new dependency for the preload: its cold paths).
// Prints how many times the handler ran.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kWorkers = 4;
constexpr int kFreshPerWorker = 20000;

std::mutex outer;
std::mutex handler_mu;
std::atomic<long> handled{0};

void OnSignal(int) {
  std::lock_guard hold(handler_mu);  // edge: outer -> handler
  handled.fetch_add(1, std::memory_order_relaxed);
}

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGPROF);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

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

  // 1. Both threads run before either is joined; a spin (no lock) sequences this run.
  std::atomic<bool> backward_done{false};
  std::thread backward([&] {
    BlockSignals();
    std::lock_guard hold_handler(handler_mu);  // held: handler (backward)
    std::lock_guard hold_outer(outer);         // edge: handler -> outer
    backward_done = true;
  });
  while (!backward_done) std::this_thread::yield();
  {
    std::lock_guard hold(outer);  // held: outer (main)
    raise(SIGUSR1);
  }
  backward.join();

  // 2. Timers into threads locking mutexes for the first time.
  std::vector<std::mutex> base(kWorkers);
  auto fresh = std::make_unique<std::mutex[]>(kWorkers * kFreshPerWorker);
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      while (!go) std::this_thread::yield();
      const timer_t timer = StartThreadTimer(100);
      for (int i = 0; i < kFreshPerWorker; ++i) {
        std::lock_guard hold_base(base[w]);
        std::lock_guard hold_fresh(fresh[w * kFreshPerWorker + i]);  // a new object
      }
      BlockSignals();
      timer_delete(timer);
    });
  }
  go = true;
  for (auto& worker : workers) worker.join();
  std::printf("handler ran %ld times\n", handled.load());
  return 0;
}

// Locks taken before main (static constructors), in atexit handlers, in thread_local
// destructors and in static destructors: the interposer must pass them all, and the program's
// output and exit code must be its own.
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace {

std::mutex registry_lock;
std::mutex log_lock;
int registered = 0;

struct Registry {
  Registry() {
    std::lock_guard hold(registry_lock);  // before main
    std::lock_guard log(log_lock);
    ++registered;
  }
  ~Registry() {
    std::lock_guard hold(registry_lock);  // during exit, after main
    std::lock_guard log(log_lock);
    std::printf("static destructor: %d registered\n", registered);
  }
} registry;

struct PerThread {
  ~PerThread() {
    std::lock_guard hold(registry_lock);  // while the thread is being torn down
    ++registered;
  }
};
thread_local PerThread per_thread;

}  // namespace

int main() {
  std::atexit([] {
    std::lock_guard hold(log_lock);
    std::printf("atexit handler\n");
  });
  std::thread worker([] {
    (void)&per_thread;
    std::lock_guard hold(registry_lock);
    ++registered;
  });
  worker.join();
  std::lock_guard hold(registry_lock);
  std::printf("main: %d registered\n", registered);
  return 5;
}

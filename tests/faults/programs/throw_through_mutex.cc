// Throws through std::lock_guard scopes of std::mutex, 100 times in each of two threads that
// take two mutexes in opposite orders (unordered by start/join: a deadlock in another
// schedule). Under `lockgraph run` the interposer's frames are below every lock call; the
// exceptions must still be caught, the mutexes released (or the program hangs), and the
// cycle reported at the lines marked.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace {

std::mutex a;  // lock: a
std::mutex b;  // lock: b

int ThrowHolding(std::mutex& first, std::mutex& second, bool forward) {
  int caught = 0;
  for (int i = 0; i < 100; ++i) {
    try {
      if (forward) {
        std::lock_guard hold_first(first);    // held: a (forward)
        std::lock_guard hold_second(second);  // edge: a -> b
        throw std::runtime_error("forward");
      } else {
        std::lock_guard hold_first(first);    // held: b (backward)
        std::lock_guard hold_second(second);  // edge: b -> a
        throw std::runtime_error("backward");
      }
    } catch (const std::runtime_error&) {
      ++caught;
    }
  }
  return caught;
}

}  // namespace

int main() {
  int forward_caught = 0, backward_caught = 0;
  // Sequences this run only (a spin, no lock): both threads run before either is joined.
  std::atomic<bool> forward_done{false};
  std::thread forward([&] {
    forward_caught = ThrowHolding(a, b, true);
    forward_done = true;
  });
  std::thread backward([&] {
    while (!forward_done) std::this_thread::yield();
    backward_caught = ThrowHolding(b, a, false);
  });
  forward.join();
  backward.join();
  std::printf("caught %d\n", forward_caught + backward_caught);
  return 0;
}

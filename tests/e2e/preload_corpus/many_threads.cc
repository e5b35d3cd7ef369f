// Preload corpus: 200 std::threads, all alive at once, each taking two std::mutexes in one
// global order. Expected: clean, exit 0, 201 threads (with main), 2 locks, one dependency per
// thread.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 200;

std::mutex first, second;
long total = 0;

void Work(int i) {
  std::lock_guard hold_first(first);
  std::lock_guard hold_second(second);  // edge: first -> second
  total += i;
}

}  // namespace

int main() {
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(Work, i);
  for (std::thread& t : threads) t.join();
  std::printf("total %ld\n", total);
  return total == kThreads * (kThreads - 1) / 2 ? 0 : 1;
}

// Preload corpus: a producer and a consumer hand 100 items over a std::queue guarded by a
// std::mutex, with std::condition_variable waits both ways (a bounded queue of 4). The mutex
// is released while waiting (pthread_cond_wait) and taken again after. Expected: clean, no
// misuse, no dependency at all (one mutex, never nested).
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <queue>
#include <thread>

namespace {

constexpr int kItems = 100;
constexpr size_t kCapacity = 4;

std::mutex mu;
std::condition_variable not_empty, not_full;
std::queue<int> items;

void Produce() {
  for (int i = 1; i <= kItems; ++i) {
    std::unique_lock hold(mu);
    not_full.wait(hold, [] { return items.size() < kCapacity; });
    items.push(i);
    not_empty.notify_one();
  }
}

long Consume() {
  long sum = 0;
  for (int i = 0; i < kItems; ++i) {
    std::unique_lock hold(mu);
    not_empty.wait(hold, [] { return !items.empty(); });
    sum += items.front();
    items.pop();
    not_full.notify_one();
  }
  return sum;
}

}  // namespace

int main() {
  long sum = 0;
  std::thread consumer([&] { sum = Consume(); });
  std::thread producer(Produce);
  producer.join();
  consumer.join();
  std::printf("sum %ld\n", sum);
  return sum == kItems * (kItems + 1) / 2 ? 0 : 1;
}

// Preload corpus: one thread takes A -> B, then B -> A; another thread takes only A. One
// thread cannot deadlock with itself. Expected: no finding (the cycle is ruled out: single
// thread), and nothing for `lockgraph confirm` to confirm.
#include <mutex>
#include <thread>

namespace {

std::mutex a;
std::mutex b;

void BothOrders() {
  {
    std::lock_guard hold_a(a);
    std::lock_guard hold_b(b);  // A -> B
  }
  std::lock_guard hold_b(b);
  std::lock_guard hold_a(a);  // B -> A, same thread
}

}  // namespace

int main() {
  std::thread both(BothOrders);
  both.join();
  std::thread other([] { std::lock_guard hold_a(a); });
  other.join();
  return 0;
}

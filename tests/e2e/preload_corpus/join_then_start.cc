// Preload corpus: a std::thread takes A -> B and is joined before a second one, taking
// B -> A, is started: the two orders never overlap. Expected: clean; the cycle is ruled out
// as ordered by thread start/join (pthread_create and pthread_join, seen by the preload).
#include <mutex>
#include <thread>

namespace {

std::mutex a, b;

void Forward() {
  std::lock_guard hold_a(a);
  std::lock_guard hold_b(b);  // edge: A -> B
}

void Backward() {
  std::lock_guard hold_b(b);
  std::lock_guard hold_a(a);  // edge: B -> A
}

}  // namespace

int main() {
  std::thread forward(Forward);
  forward.join();
  std::thread backward(Backward);
  backward.join();
  return 0;
}

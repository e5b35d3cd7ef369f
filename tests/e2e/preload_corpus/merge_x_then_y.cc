// Preload corpus, with merge_y_then_x.cc: this program takes X -> Y only and is clean alone;
// the other takes Y -> X. Their traces are analyzed together (preload_test.cc says what the
// merge finds).
#include <mutex>
#include <thread>

namespace {

std::mutex x, y;

}  // namespace

int main() {
  std::thread worker([] {
    std::lock_guard hold_x(x);  // first use: X
    std::lock_guard hold_y(y);  // edge: X -> Y
  });
  worker.join();
  return 0;
}

// Preload corpus, with merge_x_then_y.cc: this program takes Y -> X only and is clean alone.
#include <mutex>
#include <thread>

namespace {

std::mutex x, y;

}  // namespace

int main() {
  std::thread worker([] {
    std::lock_guard hold_y(y);  // first use: Y
    std::lock_guard hold_x(x);  // edge: Y -> X
  });
  worker.join();
  return 0;
}

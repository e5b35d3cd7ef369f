// Preload corpus: one program run twice, taking X -> Y (`merge_either_order x-then-y`) or
// Y -> X (`merge_either_order y-then-x`). Each run alone is clean. Both mutexes are first
// locked in Touch(), on one line each, whatever the order: their classes (module + offset of
// the first lock) are the same in both runs, so the two runs' traces merge into a class cycle.
#include <cstring>
#include <mutex>
#include <thread>

namespace {

std::mutex x, y;

void Touch() {
  { std::lock_guard first_use(x); }  // first use: X
  { std::lock_guard first_use(y); }  // first use: Y
}

void XThenY() {
  std::lock_guard hold_x(x);  // held: X
  std::lock_guard hold_y(y);  // edge: X -> Y
}

void YThenX() {
  std::lock_guard hold_y(y);  // held: Y
  std::lock_guard hold_x(x);  // edge: Y -> X
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const bool x_first = std::strcmp(argv[1], "x-then-y") == 0;
  if (!x_first && std::strcmp(argv[1], "y-then-x") != 0) return 2;
  Touch();
  std::thread worker(x_first ? XThenY : YThenX);
  worker.join();
  return 0;
}

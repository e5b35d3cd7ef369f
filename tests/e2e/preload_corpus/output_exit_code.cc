// Preload corpus: a program whose output and exit code `lockgraph run` must pass through
// unchanged: lines on stdout (from main and from a thread, in a fixed order), one line on
// stderr, exit code 7.
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex a, b;

}  // namespace

int main() {
  std::printf("line 1: plain stdout\n");
  std::thread worker([] {
    std::lock_guard hold_a(a);
    std::lock_guard hold_b(b);
    std::printf("line 2: from a thread holding two mutexes\n");
  });
  worker.join();
  std::printf("line 3: no trailing newline after this: %d%%", 100);
  std::fflush(stdout);
  std::fprintf(stderr, "output_exit_code: a line on stderr\n");
  return 7;
}

// Stress program: thread "filler" makes OUTER x INNER distinct dependencies (each "O###" lock
// held around each "I###" lock), more than the per-thread dependency cache keeps (16384), so
// the cache evicts; it does so PASSES times, so evicted dependencies come back and must be
// counted, not recorded twice. Then thread "reverse", once filler is done (an Event only
// sequences this run), takes I007 then O123: a deadlock with one of the evicted orders.
//
// Usage: dependency_cache [OUTER=200 INNER=100 PASSES=2]
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"
#include "tests/stress/programs/stress_program.h"

namespace {

std::vector<std::unique_ptr<lockgraph::Lock>> MakeLocks(const char* prefix, int count) {
  std::vector<std::unique_ptr<lockgraph::Lock>> locks;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "%s%03d", prefix, i);
    locks.push_back(std::make_unique<lockgraph::Lock>(name));
  }
  return locks;
}

}  // namespace

int main(int argc, char** argv) {
  using lockgraph::stress::Arg;
  const int outer_count = static_cast<int>(Arg(argc, argv, 1, 200));
  const int inner_count = static_cast<int>(Arg(argc, argv, 2, 100));
  const int passes = static_cast<int>(Arg(argc, argv, 3, 2));
  auto outer = MakeLocks("O", outer_count);
  auto inner = MakeLocks("I", inner_count);

  lockgraph::Event filler_done;
  lockgraph::Thread filler([&] {
    for (int pass = 0; pass < passes; ++pass) {
      for (auto& o : outer) {
        std::lock_guard hold_outer(*o);
        for (auto& i : inner) {
          std::lock_guard hold_inner(*i);  // edge: O -> I (filler)
        }
      }
    }
    filler_done.set();
  }, "filler");
  lockgraph::Thread reverse([&] {
    filler_done.wait();
    std::lock_guard hold_inner(*inner[7]);
    std::lock_guard hold_outer(*outer[123]);  // edge: I007 -> O123 (reverse)
  }, "reverse");
  filler.start();
  reverse.start();
  filler.join();
  reverse.join();

  lockgraph::stress::PrintPeakRss();
  return 0;
}

// Stress program: thread "filler" takes every pair of LOCKS locks ("N000"...) nested in
// ascending order: LOCKS*(LOCKS-1)/2 distinct dependencies (210,925 for 650), more than the
// online cycle check keeps (200,000). Then thread "reverse", once filler is done (an Event
// only sequences this run), takes N649 then N648: a deadlock the online check no longer sees,
// but `lockgraph analyze` must.
//
// Usage: online_limit [LOCKS=650]
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "lockgraph/lockgraph.h"
#include "tests/stress/programs/stress_program.h"

int main(int argc, char** argv) {
  const int count = static_cast<int>(lockgraph::stress::Arg(argc, argv, 1, 650));
  std::vector<std::unique_ptr<lockgraph::Lock>> locks;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "N%03d", i);
    locks.push_back(std::make_unique<lockgraph::Lock>(name));
  }

  lockgraph::Event filler_done;
  lockgraph::Thread filler([&] {
    for (int i = 0; i < count; ++i) {
      std::lock_guard hold_low(*locks[i]);
      for (int j = i + 1; j < count; ++j) {
        std::lock_guard hold_high(*locks[j]);  // edge: low -> high (filler)
      }
    }
    filler_done.set();
  }, "filler");
  lockgraph::Thread reverse([&] {
    filler_done.wait();
    std::lock_guard hold_high(*locks[count - 1]);
    std::lock_guard hold_low(*locks[count - 2]);  // edge: high -> low (reverse)
  }, "reverse");
  filler.start();
  reverse.start();
  filler.join();
  reverse.join();

  lockgraph::stress::PrintPeakRss();
  return 0;
}

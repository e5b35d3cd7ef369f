// Stress program: ACQUISITIONS lock acquisitions (and as many releases) of one repeated
// pattern on the main thread: "B" taken inside "A". In deps mode the trace holds the one
// dependency A -> B and its count, so its size must not grow with ACQUISITIONS.
//
// Usage: repeated_pattern [ACQUISITIONS=100000000]
#include <mutex>

#include "lockgraph/lockgraph.h"
#include "tests/stress/programs/stress_program.h"

int main(int argc, char** argv) {
  const long acquisitions = lockgraph::stress::Arg(argc, argv, 1, 100'000'000);
  lockgraph::Lock a("A");
  lockgraph::Lock b("B");
  for (long i = 0; i < acquisitions / 2; ++i) {
    std::lock_guard hold_a(a);
    std::lock_guard hold_b(b);
  }
  lockgraph::stress::PrintPeakRss();
  return 0;
}

// Stress program: THREADS threads over LOCKS named locks ("L00000"...). Each thread draws, from
// its own fixed seed, PATTERNS sorted subsets of 2 to 6 locks, then runs ROUNDS of them (each
// a seeded random pick): the locks nested in ascending index order, released in reverse. Many
// orders, all consistent: no cycle. The distinct dependencies saturate once every pattern ran,
// so memory must not grow with ROUNDS.
//
// Prints "dependencies=N" (distinct held chains of two or more locks over all threads: the
// dependencies the trace must hold) and the peak RSS.
//
// Usage: many_locks [THREADS=64 ROUNDS=20000 LOCKS=10000 PATTERNS=64]
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lockgraph/lockgraph.h"
#include "tests/stress/programs/stress_program.h"

namespace {

using Pattern = std::vector<int>;

std::vector<Pattern> DrawPatterns(std::mt19937_64& rng, int count, int locks) {
  std::uniform_int_distribution<int> depth(2, 6);
  std::uniform_int_distribution<int> pick(0, locks - 1);
  std::vector<Pattern> patterns;
  for (int i = 0; i < count; ++i) {
    std::set<int> subset;
    const int d = depth(rng);
    while (static_cast<int>(subset.size()) < d) subset.insert(pick(rng));
    patterns.emplace_back(subset.begin(), subset.end());
  }
  return patterns;
}

}  // namespace

int main(int argc, char** argv) {
  using lockgraph::stress::Arg;
  const int threads = static_cast<int>(Arg(argc, argv, 1, 64));
  const long rounds = Arg(argc, argv, 2, 20000);
  const int lock_count = static_cast<int>(Arg(argc, argv, 3, 10000));
  const int pattern_count = static_cast<int>(Arg(argc, argv, 4, 64));

  std::vector<std::unique_ptr<lockgraph::Lock>> locks;
  for (int i = 0; i < lock_count; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "L%05d", i);
    locks.push_back(std::make_unique<lockgraph::Lock>(name));
  }

  // Drawn up front, so the expected dependencies are known before any thread runs.
  std::vector<std::vector<Pattern>> patterns;
  std::vector<std::mt19937_64> rngs;
  size_t dependencies = 0;
  for (int t = 0; t < threads; ++t) {
    rngs.emplace_back(0x10c6'0000 + t);
    patterns.push_back(DrawPatterns(rngs.back(), pattern_count, lock_count));
    // A dependency is a held chain (a prefix of a pattern) and the next lock: one per
    // distinct prefix of two or more locks, in this thread.
    std::set<Pattern> prefixes;
    for (const Pattern& p : patterns.back()) {
      for (size_t n = 2; n <= p.size(); ++n) prefixes.insert(Pattern(p.begin(), p.begin() + n));
    }
    dependencies += prefixes.size();
  }

  std::vector<std::unique_ptr<lockgraph::Thread>> workers;
  for (int t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<lockgraph::Thread>([&, t] {
      std::uniform_int_distribution<int> choose(0, pattern_count - 1);
      // Every pattern once first, so each run records all of them whatever ROUNDS is.
      for (int r = 0; r < pattern_count + rounds; ++r) {
        const Pattern& p = patterns[t][r < pattern_count ? r : choose(rngs[t])];
        for (int i : p) locks[i]->lock();
        for (auto it = p.rbegin(); it != p.rend(); ++it) locks[*it]->unlock();
      }
    }));
  }
  for (auto& w : workers) w->start();
  for (auto& w : workers) w->join();

  std::printf("dependencies=%zu\n", dependencies);
  lockgraph::stress::PrintPeakRss();
  return 0;
}

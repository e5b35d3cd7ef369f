// A plain program that locks std::mutex in a loop, for timing tools that watch unmodified
// programs: natively, under liblockgraph_preload.so, ThreadSanitizer and Helgrind
// (bench/run_preload_bench.sh). It links nothing of lockgraph, only the C++ library and
// pthreads, as the programs those tools are used on.
//
//   mutex_workload [ITERATIONS [REPETITIONS]]   # defaults: 10000000 and 15
//
// Prints one line per case, its median over the repetitions in nanoseconds per iteration:
//   one_lock 6.12        (one mutex: lock, unlock)
//   nested_pair 11.40    (outer.lock(); inner.lock(); inner.unlock(); outer.unlock();)
//   new_mutex 6.50       (a new std::mutex each time: construct, lock, unlock, destroy)
//   heap_mutex 30.1      (the same on the heap: new, lock, unlock, delete)
//   alloc_free 14.2      (new and delete of a 64-byte object: what any allocation pays)
//   threads_pairs8 95.0  (two threads at once, each through four nested pairs of its own
//                         eight mutexes; wall time per iteration of both)
// One thread locks, so the locks are uncontended; but another thread is started and joined
// first, because glibc takes a cheaper path (a plain store, no locked instruction) for
// mutexes while a process has never had a second thread, and a program that needs a
// deadlock detector has more than one. The clock is read around each batch of ITERATIONS,
// never per iteration, so a tool that makes clock reads expensive does not inflate the result.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// Keeps the compiler from merging, hoisting or dropping the loop body: memory may have
// changed behind its back, so each lock and unlock is done in every iteration.
inline void Barrier() { asm volatile("" ::: "memory"); }

// Each case is `noinline`, so TSan or the optimizer cannot treat the loops differently
// depending on where they were inlined.
[[gnu::noinline]] void OneLock(std::mutex& mu, long iterations) {
  for (long i = 0; i < iterations; ++i) {
    mu.lock();
    Barrier();
    mu.unlock();
    Barrier();
  }
}

[[gnu::noinline]] void NestedPair(std::mutex& outer, std::mutex& inner, long iterations) {
  for (long i = 0; i < iterations; ++i) {
    outer.lock();
    inner.lock();
    Barrier();
    inner.unlock();
    outer.unlock();
    Barrier();
  }
}

// What a tool pays for a mutex it has not seen before: programs that make a mutex per
// object or per request. Each iteration's mutex is new to the tool, though the stack slot
// (the address) is the same, as when an object is freed and another allocated in its place.
[[gnu::noinline]] void NewMutex(long iterations) {
  for (long i = 0; i < iterations; ++i) {
    std::mutex mu;
    mu.lock();
    Barrier();
    mu.unlock();
    Barrier();
  }
}

// The same for a mutex in a heap object, as made per request: under the preload its class is
// the allocation site, found in the allocation table (docs/analysis.md).
struct Guarded {
  std::mutex mu;
  long value = 0;
};

[[gnu::noinline]] void HeapMutex(long iterations) {
  for (long i = 0; i < iterations; ++i) {
    Guarded* g = new Guarded;
    g->mu.lock();
    Barrier();
    g->mu.unlock();
    delete g;
    Barrier();
  }
}

// What every allocation pays, mutex or not (the preload notes each block's allocation site).
struct Block {
  char bytes[64];
};

[[gnu::noinline]] void AllocFree(long iterations) {
  for (long i = 0; i < iterations; ++i) {
    Block* b = new Block;
    asm volatile("" : : "r"(b) : "memory");  // the block escapes: new and delete stay
    delete b;
    Barrier();
  }
}

// Two threads, each locking four nested pairs of its own eight mutexes per iteration, started
// together: the wall time of both, as a program with several busy threads sees it. The
// mutexes are not shared, so what is timed is the locking, not waiting for each other.
[[gnu::noinline]] void PairsOfEight(std::mutex (&mu)[8], long iterations) {
  for (long i = 0; i < iterations; ++i) {
    for (int k = 0; k < 8; k += 2) {
      mu[k].lock();
      mu[k + 1].lock();
      Barrier();
      mu[k + 1].unlock();
      mu[k].unlock();
    }
    Barrier();
  }
}

void TwoThreadsPairsOfEight(long iterations) {
  static std::mutex mutexes[2][8];
  std::thread other([&] { PairsOfEight(mutexes[1], iterations); });
  PairsOfEight(mutexes[0], iterations);
  other.join();
}

// Median ns per iteration of `repetitions` timed batches of `iterations`, after one warm-up
// batch (first-use costs: a detector learning the lock and the dependency, page faults).
template <typename Body>
double MedianNanosPerIteration(long iterations, int repetitions, Body body) {
  body(iterations);
  std::vector<double> samples;
  samples.reserve(repetitions);
  for (int r = 0; r < repetitions; ++r) {
    const auto start = std::chrono::steady_clock::now();
    body(iterations);
    const auto end = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(end - start).count() /
                      static_cast<double>(iterations));
  }
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

bool ParsePositive(const char* text, long& value) {
  char* end = nullptr;
  const long parsed = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || parsed <= 0) return false;
  value = parsed;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 10'000'000;
  long repetitions = 15;
  if (argc > 3 || (argc > 1 && !ParsePositive(argv[1], iterations)) ||
      (argc > 2 && !ParsePositive(argv[2], repetitions))) {
    std::fprintf(stderr, "usage: mutex_workload [ITERATIONS [REPETITIONS]]\n");
    return 2;
  }
  // From here on glibc's __libc_single_threaded is false, for good (see the file comment).
  std::thread([] {}).join();
  std::mutex one, outer, inner;
  const int reps = static_cast<int>(repetitions);
  const double one_lock =
      MedianNanosPerIteration(iterations, reps, [&](long n) { OneLock(one, n); });
  const double nested_pair =
      MedianNanosPerIteration(iterations, reps, [&](long n) { NestedPair(outer, inner, n); });
  const double new_mutex = MedianNanosPerIteration(iterations, reps, NewMutex);
  const double heap_mutex = MedianNanosPerIteration(iterations, reps, HeapMutex);
  const double alloc_free = MedianNanosPerIteration(iterations, reps, AllocFree);
  // A tenth of the iterations: each does eight acquisitions in each of two threads.
  const double threads_pairs8 =
      MedianNanosPerIteration(std::max(1L, iterations / 10), reps, TwoThreadsPairsOfEight);
  std::printf(
      "one_lock %.2f\nnested_pair %.2f\nnew_mutex %.2f\nheap_mutex %.2f\nalloc_free %.2f\n"
      "threads_pairs8 %.2f\n",
      one_lock, nested_pair, new_mutex, heap_mutex, alloc_free, threads_pairs8);
  return 0;
}

// Uncontended lock+unlock: std::mutex against lockgraph::Lock recording in deps mode, in the
// same run. "Nested" takes two locks in one fixed order (a dependency the thread already
// recorded, so it hits the thread's cache), as most real critical sections do. "OneShared"
// is lock_shared+unlock_shared: std::shared_mutex (a glibc rwlock) against SharedLock; the
// reader-writer locks are also timed exclusively in OneLock.
//
//   bench/lock_bench --benchmark_repetitions=15 --benchmark_report_aggregates_only=true
//
// RawMutex is lockgraph's futex lock without any recording: the difference to Lock is the
// recorder's own cost. "NewLock" constructs, locks, unlocks and destroys a lock each time:
// what a program that makes a lock per object or per request pays.
//
// main() starts and joins a thread before the first benchmark: glibc takes a mutex without a
// locked instruction while a process has never had a second thread, which flatters
// std::mutex against what any program that needs lockgraph pays.
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "benchmark/benchmark.h"
#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/lockgraph.h"

namespace {

template <typename Mutex>
void BM_OneLock(benchmark::State& state) {
  Mutex mu;
  for (auto _ : state) {
    mu.lock();
    benchmark::ClobberMemory();
    mu.unlock();
  }
}

template <typename Mutex>
void BM_OneShared(benchmark::State& state) {
  Mutex mu;
  for (auto _ : state) {
    mu.lock_shared();
    benchmark::ClobberMemory();
    mu.unlock_shared();
  }
}

template <typename Mutex>
void BM_NestedPair(benchmark::State& state) {
  Mutex outer, inner;
  for (auto _ : state) {
    outer.lock();
    inner.lock();
    benchmark::ClobberMemory();
    inner.unlock();
    outer.unlock();
  }
}

// Each iteration's lock is new to the recorder (registered, then forgotten), though its
// address is the same stack slot.
template <typename Mutex>
void BM_NewLock(benchmark::State& state) {
  for (auto _ : state) {
    Mutex mu;
    mu.lock();
    benchmark::ClobberMemory();
    mu.unlock();
  }
}

BENCHMARK_TEMPLATE(BM_OneLock, std::mutex);
BENCHMARK_TEMPLATE(BM_OneLock, lockgraph::internal::RawMutex);
BENCHMARK_TEMPLATE(BM_OneLock, lockgraph::Lock);
BENCHMARK_TEMPLATE(BM_OneLock, lockgraph::RLock);
BENCHMARK_TEMPLATE(BM_OneLock, std::shared_mutex);
BENCHMARK_TEMPLATE(BM_OneLock, lockgraph::SharedLock);
BENCHMARK_TEMPLATE(BM_OneShared, std::shared_mutex);
BENCHMARK_TEMPLATE(BM_OneShared, lockgraph::SharedLock);
BENCHMARK_TEMPLATE(BM_NestedPair, std::mutex);
BENCHMARK_TEMPLATE(BM_NestedPair, lockgraph::internal::RawMutex);
BENCHMARK_TEMPLATE(BM_NestedPair, lockgraph::Lock);
BENCHMARK_TEMPLATE(BM_NestedPair, lockgraph::RLock);
BENCHMARK_TEMPLATE(BM_NewLock, std::mutex);
BENCHMARK_TEMPLATE(BM_NewLock, lockgraph::internal::RawMutex);
BENCHMARK_TEMPLATE(BM_NewLock, lockgraph::Lock);

}  // namespace

int main(int argc, char** argv) {
  // From here on glibc's __libc_single_threaded is false, for good (see the file comment).
  std::thread([] {}).join();
  // Deps mode, no trace file: in the steady state nothing is written anyway.
  lockgraph::Options options = lockgraph::CurrentOptions();
  options.trace = "";
  lockgraph::Configure(options);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Uncontended lock+unlock: std::mutex against lockgraph::Lock recording in deps mode, in the
// same run. "Nested" takes two locks in one fixed order (a dependency the thread already
// recorded, so it hits the thread's cache), as most real critical sections do. "OneShared"
// is lock_shared+unlock_shared: std::shared_mutex (a glibc rwlock) against SharedLock; the
// reader-writer locks are also timed exclusively in OneLock.
//
//   bench/lock_bench --benchmark_repetitions=15 --benchmark_report_aggregates_only=true
//
// RawMutex is lockgraph's futex lock without any recording: the difference to Lock is the
// recorder's own cost.
#include <mutex>
#include <shared_mutex>

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

}  // namespace

int main(int argc, char** argv) {
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

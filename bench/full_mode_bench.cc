// Full mode's cost per operation, in one run: uncontended lock+unlock of std::mutex, of
// lockgraph::Lock recording in deps mode, and of lockgraph::Lock logging every acquire and
// release (full mode); and a Shared<int> access in full mode, alone and in a critical section.
//
//   bench/full_mode_bench --trace=/dev/null --benchmark_repetitions=15
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//
// A thread's mode is fixed when its recorder state is made (runtime/recorder/process_recorder.cc): the main
// thread's is made at load, in deps mode. So main() switches the runtime to full mode and
// starts one more thread, whose state is made in full mode; the "full" benchmarks hand their
// loop to that thread, and Google Benchmark's timer, started and stopped there, reads that
// thread's CPU clock. The events go to --trace (default /dev/null): the run pays for logging
// them and for the write calls, not for a disk. bench/trace_bytes.cc measures their size.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "benchmark/benchmark.h"
#include "lockgraph/lockgraph.h"

namespace {

// Runs closures on a thread made after the runtime switched to full mode.
class FullModeThread {
 public:
  FullModeThread() : thread_([this] { Loop(); }) {}
  ~FullModeThread() {
    Run(nullptr);
    thread_.join();
  }

  // Runs `f` there and waits for it; null ends the thread.
  void Run(std::function<void()> f) {
    std::unique_lock<std::mutex> hold(mu_);
    job_ = std::move(f);
    stop_ = job_ == nullptr;
    pending_ = true;
    cv_.notify_all();
    cv_.wait(hold, [this] { return !pending_ || stop_; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> hold(mu_);
    for (;;) {
      cv_.wait(hold, [this] { return pending_; });
      if (stop_) return;
      hold.unlock();
      job_();
      hold.lock();
      pending_ = false;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool pending_ = false;
  bool stop_ = false;
  std::thread thread_;
};

FullModeThread* full_mode_thread = nullptr;

enum class On { kMain, kFullModeThread };

template <On where>
void RunLoop(benchmark::State& state, const std::function<void(benchmark::State&)>& loop) {
  if constexpr (where == On::kMain) {
    loop(state);
  } else {
    full_mode_thread->Run([&] { loop(state); });
  }
}

template <typename Mutex, On where>
void BM_OneLock(benchmark::State& state) {
  RunLoop<where>(state, [](benchmark::State& state) {
    Mutex mu;
    for (auto _ : state) {
      mu.lock();
      benchmark::ClobberMemory();
      mu.unlock();
    }
  });
}

template <typename Mutex, On where>
void BM_NestedPair(benchmark::State& state) {
  RunLoop<where>(state, [](benchmark::State& state) {
    Mutex outer, inner;
    for (auto _ : state) {
      outer.lock();
      inner.lock();
      benchmark::ClobberMemory();
      inner.unlock();
      outer.unlock();
    }
  });
}

// One access of an unlocked Shared<int> (full mode: one read or write event; deps mode:
// nothing is recorded).
template <On where>
void BM_SharedRead(benchmark::State& state) {
  RunLoop<where>(state, [](benchmark::State& state) {
    lockgraph::Shared<int> value{1, "value"};
    for (auto _ : state) benchmark::DoNotOptimize(value.read());
  });
}

template <On where>
void BM_SharedWrite(benchmark::State& state) {
  RunLoop<where>(state, [](benchmark::State& state) {
    lockgraph::Shared<int> value{0, "value"};
    int i = 0;
    for (auto _ : state) value.write(++i);
  });
}

// A counter under a lock: what a program that annotates its shared state pays per critical
// section. The std::mutex row increments a plain int.
void BM_LockedIncrement_std(benchmark::State& state) {
  std::mutex mu;
  int counter = 0;
  for (auto _ : state) {
    mu.lock();
    ++counter;
    benchmark::DoNotOptimize(counter);
    mu.unlock();
  }
}

template <On where>
void BM_LockedIncrement(benchmark::State& state) {
  RunLoop<where>(state, [](benchmark::State& state) {
    lockgraph::Lock mu("counter-lock");
    lockgraph::Shared<int> counter{0, "counter"};
    for (auto _ : state) {
      mu.lock();
      counter.update([](int& n) { ++n; });
      mu.unlock();
    }
  });
}

// Names: "<shape>/<lock>/<mode>"; bench/run_full_mode_bench.sh divides each by
// "<shape>/std::mutex".
void RegisterAll() {
  using lockgraph::Lock;
  benchmark::RegisterBenchmark("OneLock/std::mutex", BM_OneLock<std::mutex, On::kMain>);
  benchmark::RegisterBenchmark("OneLock/lockgraph::Lock/deps", BM_OneLock<Lock, On::kMain>);
  benchmark::RegisterBenchmark("OneLock/lockgraph::Lock/full",
                               BM_OneLock<Lock, On::kFullModeThread>);
  benchmark::RegisterBenchmark("NestedPair/std::mutex", BM_NestedPair<std::mutex, On::kMain>);
  benchmark::RegisterBenchmark("NestedPair/lockgraph::Lock/deps",
                               BM_NestedPair<Lock, On::kMain>);
  benchmark::RegisterBenchmark("NestedPair/lockgraph::Lock/full",
                               BM_NestedPair<Lock, On::kFullModeThread>);
  benchmark::RegisterBenchmark("LockedIncrement/std::mutex", BM_LockedIncrement_std);
  benchmark::RegisterBenchmark("LockedIncrement/lockgraph::Lock+Shared<int>/deps",
                               BM_LockedIncrement<On::kMain>);
  benchmark::RegisterBenchmark("LockedIncrement/lockgraph::Lock+Shared<int>/full",
                               BM_LockedIncrement<On::kFullModeThread>);
  benchmark::RegisterBenchmark("SharedRead/Shared<int>/deps", BM_SharedRead<On::kMain>);
  benchmark::RegisterBenchmark("SharedRead/Shared<int>/full",
                               BM_SharedRead<On::kFullModeThread>);
  benchmark::RegisterBenchmark("SharedWrite/Shared<int>/deps", BM_SharedWrite<On::kMain>);
  benchmark::RegisterBenchmark("SharedWrite/Shared<int>/full",
                               BM_SharedWrite<On::kFullModeThread>);
}

}  // namespace

int main(int argc, char** argv) {
  std::string trace = "/dev/null";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.substr(0, 8) == "--trace=") {
      trace = arg.substr(8);
      for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
      --argc;
      break;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  lockgraph::Options options = lockgraph::CurrentOptions();
  options.trace = trace;
  options.mode = lockgraph::Mode::kFull;
  lockgraph::Configure(options);
  FullModeThread thread;  // made in full mode; the main thread stays in deps mode
  full_mode_thread = &thread;
  RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

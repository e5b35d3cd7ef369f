// A worker pool fed by a Queue, as in Python's queue module documentation: workers get()
// jobs and call task_done(); the producer waits for all of them with join(). Each worker
// adds its result under `results`, and logs progress under `log` while still holding
// `results` (results -> log, one consistent order: no cycle).
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lockgraph/lockgraph.h"

namespace {

constexpr int kWorkers = 4;
constexpr int kJobs = 100;
constexpr int kStop = -1;

lockgraph::Queue<int> jobs(/*maxsize=*/16, "jobs");
lockgraph::Lock results("results");
lockgraph::Lock log_lock("log");
long long sum_of_squares = 0;
int done = 0;

void Worker() {
  for (;;) {
    const int job = jobs.get();
    if (job == kStop) {
      jobs.task_done();
      return;
    }
    {
      std::lock_guard hold(results);
      sum_of_squares += static_cast<long long>(job) * job;
      if (++done % 25 == 0) {
        std::lock_guard print(log_lock);
        std::printf("progress: %d jobs done\n", done);
      }
    }
    jobs.task_done();
  }
}

}  // namespace

int main() {
  std::vector<std::unique_ptr<lockgraph::Thread>> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.push_back(std::make_unique<lockgraph::Thread>(Worker, "worker-" + std::to_string(i)));
    workers.back()->start();
  }
  for (int job = 1; job <= kJobs; ++job) jobs.put(job);
  jobs.join();  // every job task_done()
  std::printf("all %d jobs done: sum of squares %lld\n", kJobs, sum_of_squares);
  for (int i = 0; i < kWorkers; ++i) jobs.put(kStop);
  for (auto& worker : workers) worker->join();
  std::printf("queue empty: %s\n", jobs.empty() ? "yes" : "no");
  return 0;
}

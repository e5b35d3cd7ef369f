// How the preload corpus orders its threads in one run without hanging: std::atomic wait and
// notify, which lockgraph does not see (no pthread call), so they order nothing for the
// analysis. Another schedule of the same program is free to interleave differently, which is
// exactly what the analysis predicts.
#ifndef LOCKGRAPH_TESTS_E2E_PRELOAD_CORPUS_SEQUENCING_H_
#define LOCKGRAPH_TESTS_E2E_PRELOAD_CORPUS_SEQUENCING_H_

#include <atomic>
#include <memory>
#include <thread>
#include <utility>

// A one-shot event: set() once, wait() until it was.
class Flag {
 public:
  void set() {
    state_.store(1);
    state_.notify_all();
  }
  void wait() const { state_.wait(0); }

 private:
  std::atomic<int> state_{0};
};

// std::thread(f), returning once the new thread runs. Under the preload a thread gets its
// lockgraph id when it starts running, so threads started this way are numbered in order:
// main is 1, the first started 2, the next 3, ...
template <typename F>
std::thread StartInOrder(F f) {
  auto running = std::make_shared<Flag>();
  std::thread thread([running, f = std::move(f)]() mutable {
    running->set();
    f();
  });
  running->wait();
  return thread;
}

#endif  // LOCKGRAPH_TESTS_E2E_PRELOAD_CORPUS_SEQUENCING_H_

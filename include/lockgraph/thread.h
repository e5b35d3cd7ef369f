// lockgraph::Thread — a thread of execution (Python's threading.Thread): give it a callable,
// or derive from it and override run().
//
//   lockgraph::Thread worker([] { crunch(); }, "cruncher");
//   worker.start();  ...  worker.join();
//
//   class Poller : public lockgraph::Thread { void run() override { poll(); } };
//
// start() runs run() in a new thread; calling run() directly runs it in the caller, as in
// Python. Starting and joining order the two threads (happens-before), which the lock-order
// analysis uses to rule out cycles that can never run concurrently. An exception escaping
// run() is printed and ends the thread (Python's threading.excepthook), not the process.
// The destructor joins a thread still running; a subclass must join() in its own destructor,
// since its members are gone by the time this one runs.
#ifndef LOCKGRAPH_THREAD_H_
#define LOCKGRAPH_THREAD_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <source_location>
#include <string>
#include <thread>

#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class Thread {
 public:
  // A thread that runs `target`. An empty name becomes "Thread-N".
  explicit Thread(std::function<void()> target, std::string name = {},
                  std::source_location site = std::source_location::current());
  // For subclasses that override run().
  explicit Thread(std::string name = {},
                  std::source_location site = std::source_location::current());
  virtual ~Thread();
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  // Starts run() in a new thread. At most once: a second start() is misuse (reported).
  void start();
  // Waits for the thread to end. Joining a thread that was never started, or the calling
  // thread itself, is misuse (reported, returns at once).
  void join();
  // Waits at most `timeout`; returns true if the thread has ended.
  bool join(std::chrono::nanoseconds timeout);
  // True from start() until run() returns.
  bool is_alive() const;
  const std::string& name() const { return name_; }
  // The recorder's id of the thread (as in traces and reports); 0 before start().
  uint32_t ident() const { return ident_.load(std::memory_order_acquire); }

  // The thread's work: calls the target. Override it in a subclass.
  virtual void run();

 private:
  void Main(uint32_t parent, uint32_t parent_segment);
  bool JoinUntil(std::chrono::nanoseconds timeout);

  std::function<void()> target_;
  std::string name_;
  std::thread thread_;
  std::atomic<uint32_t> state_{0};  // 0 new, 1 running, 2 finished (futex word)
  std::atomic<uint32_t> ident_{0};
  internal::RawMutex join_mu_;  // std::thread::join must not run twice at once
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_THREAD_H_

// A Thread subclass that overrides run(), as in Python's threading tutorial. start() runs it
// in a new thread; calling run() directly runs it in the caller's thread, exactly like
// Python. The counter's RLock is re-entered in add_all(): re-entry adds no lock-order edge.
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "lockgraph/lockgraph.h"

namespace {

class Counter : public lockgraph::Thread {
 public:
  Counter(std::string name, int upto) : Thread(std::move(name)), upto_(upto) {}
  ~Counter() override { join_if_started(); }

  void run() override {
    ran_on_ = std::this_thread::get_id();
    add_all();
  }

  int total() {
    std::lock_guard hold(lock_);
    return total_;
  }
  std::thread::id ran_on() const { return ran_on_; }

 private:
  void add_all() {
    std::lock_guard outer(lock_);
    for (int i = 1; i <= upto_; ++i) add(i);
  }
  void add(int n) {
    std::lock_guard inner(lock_);  // re-entered: the RLock is already held by add_all()
    total_ += n;
  }
  void join_if_started() {
    if (ident() != 0) join();
  }

  const int upto_;
  lockgraph::RLock lock_{"counter"};
  int total_ = 0;
  std::thread::id ran_on_;
};

}  // namespace

int main() {
  const std::thread::id main_thread = std::this_thread::get_id();

  Counter direct("direct", 10);
  direct.run();  // no new thread
  std::printf("run() called directly: total %d, ran in the caller's thread: %s\n",
              direct.total(), direct.ran_on() == main_thread ? "yes" : "no");

  Counter threaded("threaded", 100);
  threaded.start();
  std::printf("start(): \"%s\" runs as lockgraph thread %u\n", threaded.name().c_str(),
              threaded.ident());
  threaded.join();
  std::printf("start() then join(): total %d, ran in a new thread: %s, alive after join: %s\n",
              threaded.total(), threaded.ran_on() != main_thread ? "yes" : "no",
              threaded.is_alive() ? "yes" : "no");
  return 0;
}

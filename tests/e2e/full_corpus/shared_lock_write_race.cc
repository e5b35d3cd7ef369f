// Two threads update a value holding its SharedLock only shared: readers do not exclude each
// other, so nothing the program declares orders the two writes. Expected: one race on
// "tally", two writes, each by a thread holding "tally_mu". (An atomic flag lockgraph does not
// see orders the writes here, so the program is well defined; another schedule overlaps them.)
#include <atomic>
#include <shared_mutex>

#include "lockgraph/lockgraph.h"

lockgraph::SharedLock tally_mu("tally_mu");
lockgraph::Shared<int> tally{0, "tally"};
std::atomic<bool> left_done{false};

int main() {
  lockgraph::Thread left(
      [] {
        {
          std::shared_lock read(tally_mu);
          tally.update([](int& n) { n += 1; });  // race: left
        }
        left_done.store(true, std::memory_order_release);
        left_done.notify_one();
      },
      "left");
  lockgraph::Thread right(
      [] {
        left_done.wait(false, std::memory_order_acquire);
        std::shared_lock read(tally_mu);
        tally.update([](int& n) { n += 2; });  // race: right
      },
      "right");
  left.start();
  right.start();
  left.join();
  right.join();
  std::shared_lock read(tally_mu);
  return tally.read() == 3 ? 0 : 1;
}

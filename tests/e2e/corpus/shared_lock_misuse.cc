// Corpus: thread "closer" ends holds of a SharedLock it does not have: unlock_shared() of a
// lock nobody holds, then unlock_shared() of the hold it took with lock(). Expected: two
// `misuse` findings of "config", release-unheld and release-wrong-mode, each at its call, by
// "closer"; the runtime releases nothing and the lock stays usable.
#include <mutex>
#include <shared_mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::SharedLock config("config");  // lock: config

void Close() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  config.unlock_shared();  // misuse: unlock_shared unheld
  config.lock();
  config.unlock_shared();  // misuse: unlock_shared of a writer's hold
  config.unlock();
  // Also keeps the releases from being tail calls, so the stacks have their lines.
  std::shared_lock still_usable(config);
}

}  // namespace

int main() {
  lockgraph::Thread closer(Close, "closer");
  closer.start();
  closer.join();
  return 0;
}

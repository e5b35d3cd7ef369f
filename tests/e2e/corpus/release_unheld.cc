// Corpus: thread "closer" releases a lock nobody holds. Expected: one `misuse`
// (release-unheld) of "config", at the release, by "closer"; the lock stays usable.
#include <mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::Lock config("config");  // lock: config

// The runtime reports the release and ignores it (releasing a free lock would corrupt it).
void Close() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  config.release();  // misuse: release unheld
  // Also keeps the release from being a tail call, so the stack has its line.
  std::lock_guard still_usable(config);
}

}  // namespace

int main() {
  lockgraph::Thread closer(Close, "closer");
  closer.start();
  closer.join();
  return 0;
}

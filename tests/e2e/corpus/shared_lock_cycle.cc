// Corpus: two SharedLocks P and Q, taken P -> Q by "forward" and Q -> P by "backward", in the
// modes the first argument names. A cycle deadlocks only if each of its locks is wanted in a
// mode its holder blocks: readers do not block readers.
//   readers  both threads read both (std::shared_lock). Expected: clean, the cycle ruled out
//            as shared acquisitions only.
//   writers  each thread reads its first lock and writes its second (std::unique_lock): each
//            can wait for the other's read. Expected: one `deadlock` naming P and Q.
//   mixed    forward reads P and writes Q, backward writes Q and reads P: the two can meet at
//            Q, never at P (where both read). Expected: clean, ruled out as shared only.
// The second argument bounds backward's wait for forward in milliseconds (default: no bound):
// forward's Event sequences the run, so that it never hangs, yet nothing orders the threads
// for the analysis; under `lockgraph confirm` the bound lets backward go while forward is held
// back, and the steered run of `writers` deadlocks.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "lockgraph/lockgraph.h"

namespace {

lockgraph::SharedLock p("P");  // lock: P
lockgraph::SharedLock q("Q");  // lock: Q
lockgraph::Event forward_done("forward_done");

void ForwardReads() {
  std::shared_lock hold_p(p);  // readers: forward holds P
  std::shared_lock take_q(q);  // readers: forward takes Q
}

void BackwardReads() {
  std::shared_lock hold_q(q);  // readers: backward holds Q
  std::shared_lock take_p(p);  // readers: backward takes P
}

void ForwardWrites() {
  std::shared_lock hold_p(p);  // writers: forward holds P
  std::unique_lock take_q(q);  // writers: forward takes Q
}

void BackwardWrites() {
  std::shared_lock hold_q(q);  // writers: backward holds Q
  std::unique_lock take_p(p);  // writers: backward takes P
}

void BackwardMixed() {
  std::unique_lock hold_q(q);  // mixed: backward holds Q
  std::shared_lock take_p(p);  // mixed: backward takes P
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* mode = argv[1];
  const bool readers = std::strcmp(mode, "readers") == 0;
  const bool writers = std::strcmp(mode, "writers") == 0;
  const bool mixed = std::strcmp(mode, "mixed") == 0;
  if (!readers && !writers && !mixed) return 2;
  const std::chrono::nanoseconds bound =
      argc > 2 ? std::chrono::milliseconds(std::atoi(argv[2])) : lockgraph::kForever;
  lockgraph::Thread forward([&] {
    readers ? ForwardReads() : ForwardWrites();
    forward_done.set();
  }, "forward");
  lockgraph::Thread backward([&] {
    forward_done.wait(bound);
    if (readers) BackwardReads();
    if (writers) BackwardWrites();
    if (mixed) BackwardMixed();
  }, "backward");
  forward.start();
  backward.start();
  forward.join();
  backward.join();
  return 0;
}

// Processes sharing ProcessLocks and a ProcessQueue, for the end-to-end tests
// (analyze_test.cc, "Processes"). Usage:
//
//   process_locks SCENARIO PREFIX
//
// The locks are named PREFIX.alpha and PREFIX.beta (unlinked at the end). No scenario
// deadlocks when it runs: orders that could are taken one after the other, held apart by a
// pipe the recorder does not see, so only the analysis of all the traces can predict it.
//   siblings           two children of one process take alpha -> beta and beta -> alpha, the
//                      second after the first has finished (a pipe): a deadlock.
//   siblings-joined    the same, but the first is joined before the second is started: ordered.
//   parent-after-join  a child takes alpha -> beta; its parent joins it, then takes
//                      beta -> alpha: ordered.
//   queue              the parent hands 100 numbers to a child through a ProcessQueue.
//   hang               two children really deadlock: each takes its first lock, waits (a pipe)
//                      until the other holds its own, then asks for the other's. lockgraph's
//                      live check ends both (exit status 86 each; this process then exits 1).
//   apart              two children take alpha -> beta and beta -> alpha, the second a fifth
//                      of a second later (a sleep, as periodic work): a normal run does not
//                      hang, a slow first child would; `lockgraph confirm` makes it.
//   forward, backward  this process alone takes alpha -> beta (beta -> alpha): two runs of
//                      the program meet by the locks' names.
// Exit status: 0 if every child ended with 0.
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "lockgraph/lockgraph.h"

namespace {

std::string prefix;

// Opens both locks by name, as any process can, and takes them in one order.
void TakeBoth(bool alpha_first) {
  lockgraph::ProcessLock alpha(prefix + ".alpha");  // lock: alpha
  lockgraph::ProcessLock beta(prefix + ".beta");    // lock: beta
  if (alpha_first) {
    std::lock_guard hold_alpha(alpha);  // held: alpha
    std::lock_guard hold_beta(beta);    // edge: alpha -> beta
  } else {
    std::lock_guard hold_beta(beta);    // held: beta
    std::lock_guard hold_alpha(alpha);  // edge: beta -> alpha
  }
}

// A byte through a pipe: orders two processes without telling the recorder.
class Baton {
 public:
  Baton() {
    if (pipe(fds_) != 0) _exit(3);
  }
  void Pass() const {
    if (write(fds_[1], "x", 1) != 1) _exit(3);
  }
  void Wait() const {
    char byte;
    if (read(fds_[0], &byte, 1) != 1) _exit(3);
  }

 private:
  int fds_[2];
};

// Takes alpha (or beta), tells `mine`, waits for `theirs` (the other process holds the other
// lock), then asks for the other lock: a deadlock between the two processes.
void HoldThenWait(bool alpha_first, const Baton& mine, const Baton& theirs) {
  lockgraph::ProcessLock alpha(prefix + ".alpha");
  lockgraph::ProcessLock beta(prefix + ".beta");
  lockgraph::ProcessLock& first = alpha_first ? alpha : beta;
  lockgraph::ProcessLock& second = alpha_first ? beta : alpha;
  std::lock_guard hold(first);     // hang: holds the first lock
  mine.Pass();
  theirs.Wait();
  std::lock_guard wait(second);    // hang: waits for the other lock
}

bool Succeeded(const lockgraph::Process& p) { return p.exitcode() == 0; }

int Run(const std::string& scenario) {
  if (scenario == "siblings") {
    Baton first_done;
    lockgraph::Process forward([&] {
      TakeBoth(true);
      first_done.Pass();
    }, "forward");
    lockgraph::Process backward([&] {
      first_done.Wait();
      TakeBoth(false);
    }, "backward");
    forward.start();
    backward.start();
    forward.join();
    backward.join();
    return Succeeded(forward) && Succeeded(backward) ? 0 : 1;
  }
  if (scenario == "hang") {
    Baton alpha_held, beta_held;
    lockgraph::Process forward([&] { HoldThenWait(true, alpha_held, beta_held); }, "forward");
    lockgraph::Process backward([&] { HoldThenWait(false, beta_held, alpha_held); }, "backward");
    forward.start();
    backward.start();
    forward.join();
    backward.join();
    std::printf("forward %d backward %d\n", forward.exitcode().value_or(-1),
                backward.exitcode().value_or(-1));
    return Succeeded(forward) && Succeeded(backward) ? 0 : 1;
  }
  if (scenario == "apart") {
    lockgraph::Process forward([] { TakeBoth(true); }, "forward");
    lockgraph::Process backward([] {
      usleep(200'000);
      TakeBoth(false);
    }, "backward");
    forward.start();
    backward.start();
    forward.join();
    backward.join();
    return Succeeded(forward) && Succeeded(backward) ? 0 : 1;
  }
  if (scenario == "siblings-joined") {
    lockgraph::Process forward([] { TakeBoth(true); }, "forward");
    forward.start();
    forward.join();  // join: forward
    lockgraph::Process backward([] { TakeBoth(false); }, "backward");
    backward.start();
    backward.join();
    return Succeeded(forward) && Succeeded(backward) ? 0 : 1;
  }
  if (scenario == "parent-after-join") {
    lockgraph::Process forward([] { TakeBoth(true); }, "forward");
    forward.start();
    forward.join();
    TakeBoth(false);
    return Succeeded(forward) ? 0 : 1;
  }
  if (scenario == "forward" || scenario == "backward") {
    TakeBoth(scenario == "forward");
    return 0;
  }
  if (scenario == "queue") {
    lockgraph::ProcessQueue<int> numbers(4, "numbers");
    lockgraph::Process consumer([&] {
      for (int i = 0; i < 100; ++i) {
        if (numbers.get() != i) _exit(2);
      }
    }, "consumer");
    consumer.start();
    for (int i = 0; i < 100; ++i) numbers.put(i);
    consumer.join();
    std::printf("consumer %d\n", static_cast<int>(consumer.pid()));
    return Succeeded(consumer) ? 0 : 1;
  }
  std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: process_locks SCENARIO PREFIX\n");
    return 2;
  }
  prefix = argv[2];
  const int status = Run(argv[1]);
  if (std::string(argv[1]) != "forward") {  // "backward" runs after it, and unlinks
    lockgraph::ProcessLock::unlink(prefix + ".alpha");
    lockgraph::ProcessLock::unlink(prefix + ".beta");
  }
  return status;
}

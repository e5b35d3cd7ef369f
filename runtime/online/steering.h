// Schedule steering for `lockgraph confirm` (active testing, as DeadlockFuzzer: Joshi, Park,
// Sen and Naik, PLDI 2009). The plan names a predicted cycle by its edges, each a pair of lock
// classes (from, to) given by their trace keys. A thread that is about to wait, without a
// timeout, for a lock of an edge's `to` class while it holds one of its `from` class is held
// back: paused before the acquisition, still holding what it holds, until the paused threads
// close a cycle — each wants the lock the next one holds. Then those threads are let go
// together and really deadlock, which the live check (live_deadlock.h) reports and ends.
// A pause is bounded (pause_ms); a thread whose pauses ran out `max_timeouts` times is
// steered no more, so a cycle that cannot happen (a gate lock, a signal ordering the threads)
// costs a bounded delay and is never confirmed.
//
// The plan is a file named by LOCKGRAPH_STEER, written by `lockgraph confirm`:
//
//   lockgraph-steer 1
//   pause_ms 2000
//   max_timeouts 3
//   from 0 KEY        (a class key of edge 0's from side; one line per key, the rest of the
//   to 0 KEY           line is the key)
//
// Only runs with a plan pay: their threads are marked (ThreadState::steer), every lock
// acquisition of a marked thread takes its primitive's slow path, and the preload's mutexes
// are never "plain" (runtime/preload).
#ifndef LOCKGRAPH_RUNTIME_ONLINE_STEERING_H_
#define LOCKGRAPH_RUNTIME_ONLINE_STEERING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/recorder/recorder.h"
#include "runtime/recorder/thread_state.h"

namespace lockgraph::runtime {

class LockRegistry;
class ProcessWaitBoard;

struct SteeringPlan {
  std::vector<std::vector<std::string>> from_keys;  // by edge
  std::vector<std::vector<std::string>> to_keys;
  int64_t pause_ns = 2'000'000'000;
  int max_timeouts = 3;
};

// Parses a plan file's text; an error names the line.
absl::StatusOr<SteeringPlan> ParseSteeringPlan(const std::string& text);

class Steering {
 public:
  explicit Steering(SteeringPlan plan);

  // Called by a marked thread before it waits, without a timeout, for `sync`; may pause it
  // (see above). Cold; does nothing inside the recorder or a signal handler's nested call.
  void BeforeAcquire(ThreadState* ts, const internal::SyncHandle& sync);

 private:
  struct Paused {
    uint64_t held = 0;  // instance ids
    uint64_t wants = 0;
    bool released = false;
  };
  struct ClassMasks {
    uint64_t from = 0;  // bit i: the class is edge i's from side
    uint64_t to = 0;
  };

  ClassMasks MasksOf(LockRegistry& registry, uint32_t class_id);
  // The pause of a thread that holds a ProcessLock and wants one: published on the process
  // wait board, released when paused threads of any processes close a cycle. True if
  // released, false if the pause ran out.
  bool PauseOnBoard(ProcessWaitBoard& board, ThreadState* ts, const internal::SyncHandle& sync,
                    const internal::SyncHandle& held);
  // Threads of `paused_` that close a cycle through `start`; empty if none.
  std::vector<Paused*> CycleThrough(Paused* start) const;

  const SteeringPlan plan_;
  internal::RawMutex mu_;
  internal::RawCondVar released_;
  absl::flat_hash_map<uint32_t, ClassMasks> masks_;   // by class id; under mu_
  std::vector<Paused*> paused_;                       // under mu_
  absl::flat_hash_map<uint32_t, int> timeouts_;       // by thread id; under mu_
};

void SteerSlow(ThreadState* ts, const internal::SyncHandle& sync);

// A primitive's slow path, before a wait without a timeout for `sync`: lets the steering
// hold the thread back. One test of the thread's flag in runs that are not steered.
inline void MaybeSteer(const internal::SyncHandle& sync) {
  ThreadState* ts = t_thread;
  if (ABSL_PREDICT_FALSE(ts != nullptr && ts->steer)) SteerSlow(ts, sync);
}

// The process's steering, from LOCKGRAPH_STEER; null when the variable is not set (or its
// plan could not be read, which is said on stderr).
std::unique_ptr<Steering> SteeringFromEnvironment();

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_STEERING_H_

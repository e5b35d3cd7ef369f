// Full mode's replay: the event blocks of every trace, run again in an order the program
// could have run them in, with vector clocks (analyzer/replay/vector_clock.h) built from every
// synchronisation: a lock's release before its next acquisition, a signal's send before the
// receive it satisfies, thread start and join, fork. It yields
//   - data races on annotated state (analyzer/replay/race_detector.h), and
//   - the signal orders (send before receive, in thread segments) that rule out lock-order
//     cycles: added to the model's ThreadOrder. Lock release-to-acquire orders are NOT added
//     there: another schedule swaps the two critical sections, and that schedule is the
//     deadlock being predicted.
//
//   Model model; ... model.Finish();
//   if (model.has_events()) RETURN_IF_ERROR(ReplayEvents(model, &stats));
//
// Order: a thread's events run in their order; an acquisition `seq` waits for acquisition
// seq - 1 and its release, a receive for its send, a join for the joined thread's end, a new
// thread for its parent's spawn. Blocks stream from the files; only blocks whose thread waits
// for another's later events are held: memory follows the threads and how far one runs ahead
// of an event another has not flushed yet (the runtime flushes a thread's events when it
// starts a thread, so a main thread that only spawns and joins holds nothing back).
// Events whose partner never appears (lost with a thread that was not recorded) run when
// nothing else can, and are counted.
#ifndef LOCKGRAPH_ANALYZER_REPLAY_EVENT_REPLAY_H_
#define LOCKGRAPH_ANALYZER_REPLAY_EVENT_REPLAY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "analyzer/model/model.h"

namespace lockgraph::analyzer {

struct ReplayStats {
  uint64_t events = 0;
  uint64_t accesses = 0;      // annotated reads and writes
  uint64_t signal_orders = 0; // send -> receive pairs
  uint64_t unmatched = 0;     // events run without their partner
};

// Reads the event blocks of the model's traces again and adds races and signal orders to
// the model. Errors name the trace file.
// `progress` (optional) is told the bytes read of each file, as ReadTraceFile does.
absl::Status ReplayEvents(Model& model, ReplayStats* stats = nullptr,
                          const ReadProgress& progress = {});

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPLAY_EVENT_REPLAY_H_

// `lockgraph export --chrome`: traces as a timeline in the Chrome Trace Event Format, the JSON
// that ui.perfetto.dev and chrome://tracing open. One track per thread (named as in the trace),
// a slice per hold of a lock and per wait, and arrows: from the thread that released a lock to
// the waiter that took it next, and from a signal (Event::set, Queue::put, a semaphore release,
// Condition::notify) to the waits it ended. Holds and waits come from the event blocks of
// full mode (LOCKGRAPH_OPTIONS=mode=full); a deps-mode trace gives its threads only.
//
//   ChromeTraceExporter exporter;
//   for (const std::string& path : paths) RETURN_IF_ERROR(exporter.AddTraceFile(path));
//   std::ofstream out("timeline.json");
//   RETURN_IF_ERROR(exporter.Write(out));
//
// Two passes per file. AddTraceFile reads names and pairs the two ends of every arrow, keeping
// only what the arrows need: the contended acquisitions and the signals, plus, per lock, the
// acquisitions whose successor has not been seen yet (blocks of different threads come in any
// order). Write reads the files again and streams the events out. Memory grows with the
// threads, locks, contended acquisitions and signals, not with the number of holds.
//
// Times are microseconds (to the nanosecond) since the earliest process start of the traces.
// On each thread every event gets a distinct, increasing time (ties move by 1 ns), so that
// slices nest and arrows bind to the right slice in every viewer.
#ifndef LOCKGRAPH_ANALYZER_REPORT_CHROME_TRACE_H_
#define LOCKGRAPH_ANALYZER_REPORT_CHROME_TRACE_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace lockgraph::analyzer {

// What Write produced.
struct ChromeTraceCounts {
  uint64_t processes = 0;
  uint64_t threads = 0;
  uint64_t holds = 0;          // hold slices (a hold cut by an out-of-order release: per piece)
  uint64_t waits = 0;
  uint64_t signals = 0;        // send and receive instants
  uint64_t lock_arrows = 0;    // release -> contended acquisition
  uint64_t signal_arrows = 0;  // send -> receive
};

// Not thread-safe. After an error from AddTraceFile the exporter writes nothing.
class ChromeTraceExporter {
 public:
  ChromeTraceExporter();
  ~ChromeTraceExporter();
  ChromeTraceExporter(const ChromeTraceExporter&) = delete;
  ChromeTraceExporter& operator=(const ChromeTraceExporter&) = delete;

  // The first pass over one trace. Errors name the file (and the byte offset of a corrupt
  // record). Files of one process (a restarted trace) go in the order they were written.
  absl::Status AddTraceFile(const std::string& path);

  // Reads the files again and writes the JSON object {"traceEvents": [...]} to `out`; call
  // once, after the last AddTraceFile. The stream's own errors are the caller's to check.
  absl::Status Write(std::ostream& out);

  // A trace cut short, one recorded without events (deps mode): one line each.
  const std::vector<std::string>& warnings() const { return warnings_; }
  const ChromeTraceCounts& counts() const { return counts_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::vector<std::string> warnings_;
  ChromeTraceCounts counts_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_CHROME_TRACE_H_

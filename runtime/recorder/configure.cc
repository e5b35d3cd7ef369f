// The programmatic options API (lockgraph/options.h).
#include "lockgraph/options.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

void Configure(const Options& options) {
  runtime::ColdPath cold;
  cold.recorder().Configure(options);
}

Options CurrentOptions() {
  runtime::ColdPath cold;
  return cold.recorder().options();
}

void Flush() {
  runtime::ThreadState* ts = runtime::CurrentThread();
  runtime::ColdPath cold;
  runtime::ProcessRecorder& rt = cold.recorder();
  if (ts != nullptr) rt.FlushThread(ts);
  rt.WriteStatistics();
  rt.writer().Flush();
}

}  // namespace lockgraph

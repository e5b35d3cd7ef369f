// libFuzzer target: the whole analysis of one trace. Arbitrary bytes go into a model
// (Model::AddTraceBytes); what the reader accepts is replayed, analyzed and written in every
// report format (fuzz/analyze_model.h), and exported as a Chrome trace. The trace reader's own
// target (trace_reader_fuzzer) reaches the same records faster; this one checks that nothing
// downstream trusts a record the reader let through, that the trace judged as it is read
// (analyzer/streamed_cycles.h) gets the report of the whole model, and that its file decoded
// ahead (analyzer/input/decoded_trace.h) gets the report of the file read in turn.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "analyzer/input/decoded_trace.h"
#include "analyzer/model/model.h"
#include "analyzer/report/chrome_trace.h"
#include "fuzz/analyze_model.h"

namespace {

// The Chrome exporter reads files: the input goes to one memory file, reopened by path.
const std::string& InputPath(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("lockgraph-fuzz.lgtrace", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0 ||
      pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) {
    std::abort();  // the fuzzer's own set-up failed, not the code under test
  }
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  lockgraph::analyzer::Model model;
  if (!model.AddTraceBytes("fuzz.lgtrace", bytes).ok()) return 0;
  const std::string report = lockgraph::fuzz::AnalyzeModel(model);

  // The trace judged as it is read, its dependencies dropped (as if more traces followed) or
  // kept (as the last): the same report, or none.
  for (const bool last : {false, true}) {
    lockgraph::analyzer::Model streamed_model;
    lockgraph::analyzer::StreamedCycles streamed({});
    if (!streamed_model.AddTraceBytes("fuzz.lgtrace", bytes).ok()) std::abort();
    streamed.AfterTrace(streamed_model, last);
    const std::string streamed_report =
        lockgraph::fuzz::AnalyzeStreamedModel(streamed_model, streamed);
    if (!streamed_report.empty() && streamed_report != report) {
      std::fprintf(stderr, "streamed report (last: %d) differs:\n%s\nwhole model:\n%s\n",
                   last, streamed_report.c_str(), report.c_str());
      std::abort();
    }
  }

  // The file parsed ahead into decoded records (analyzer/input/decoded_trace.h), as
  // `lockgraph analyze` parses several files: the model of the file read in turn.
  const std::string& path = InputPath(data, size);
  lockgraph::analyzer::Model read_model;
  if (!read_model.AddTraceFile(path).ok()) std::abort();
  absl::StatusOr<lockgraph::analyzer::DecodedTrace> decoded =
      lockgraph::analyzer::DecodeTraceFile(path);
  lockgraph::analyzer::Model decoded_model;
  if (!decoded.ok() || !decoded_model.AddDecodedTrace(*std::move(decoded)).ok()) std::abort();
  const std::string read_report = lockgraph::fuzz::AnalyzeModel(read_model);
  const std::string decoded_report = lockgraph::fuzz::AnalyzeModel(decoded_model);
  if (decoded_report != read_report) {
    std::fprintf(stderr, "report of the decoded file differs:\n%s\nread in turn:\n%s\n",
                 decoded_report.c_str(), read_report.c_str());
    std::abort();
  }

  lockgraph::analyzer::ChromeTraceExporter exporter;
  if (exporter.AddTraceFile(path).ok()) {
    std::ostringstream out;
    (void)exporter.Write(out);
  }
  return 0;
}
